"""Webitel's behaviour as tests: run against the in-process emulator (default) or a real Webitel
(``WEBITEL_URL`` + ``WEBITEL_TOKEN``). Every answer body is validated against Webitel's OpenAPI files."""
