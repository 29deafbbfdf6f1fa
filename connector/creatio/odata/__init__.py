"""A live Creatio over OData 4: :class:`ODataCreatio` on :class:`CreatioHTTP` (sign-in, timeouts, retries)."""
