"""The Webitel client's exceptions.

::

    WebitelError
    ├── WebitelTransportError      no answer came back
    │   ├── WebitelUnavailable     connection refused, reset or dropped
    │   └── WebitelTimeout         connect, read or pool timeout
    │       └── WebitelDeadlineExceeded  the unit of work's time budget ran out (nothing sent)
    └── WebitelAPIError            Webitel answered with its envelope {"id", "code", "status", "detail"}
        ├── WebitelBadRequest      400
        ├── WebitelUnauthenticated 401
        ├── WebitelForbidden       403
        ├── WebitelNotFound        404
        ├── WebitelConflict        409
        └── WebitelServerError     5xx

``outcome_unknown`` tells whether the request may have been applied although it failed (a timeout
or a dropped connection after sending, a 5xx answer): a caller must then look before it decides.
"""

from __future__ import annotations


class WebitelError(Exception):
    outcome_unknown = False

    def __init__(self, message: str, *, method: str = "", path: str = "") -> None:
        super().__init__(message)
        self.method = method
        self.path = path


class WebitelTransportError(WebitelError):
    def __init__(self, message: str, *, sent: bool, **kwargs: str) -> None:
        super().__init__(message, **kwargs)
        self.sent = sent

    @property
    def outcome_unknown(self) -> bool:  # type: ignore[override]
        return self.sent


class WebitelUnavailable(WebitelTransportError):
    pass


class WebitelTimeout(WebitelTransportError):
    pass


class WebitelDeadlineExceeded(WebitelTimeout):
    """The unit of work's time budget ran out before the request could be sent (or retried)."""

    def __init__(self, message: str = "the request's time budget ran out", **kwargs: str) -> None:
        super().__init__(message, sent=False, **kwargs)


class WebitelAPIError(WebitelError):
    def __init__(self, status: int, error_id: str | None, detail: str, **kwargs: str) -> None:
        super().__init__(f"Webitel answered {status} {error_id or ''}: {detail}".strip(), **kwargs)
        self.status = status
        self.error_id = error_id
        self.detail = detail

    def envelope(self) -> dict[str, str | None]:
        """What the connector passes on as ``"webitel": {"id", "detail"}``."""
        return {"id": self.error_id, "detail": self.detail}


class WebitelBadRequest(WebitelAPIError):
    pass


class WebitelUnauthenticated(WebitelAPIError):
    pass


class WebitelForbidden(WebitelAPIError):
    pass


class WebitelNotFound(WebitelAPIError):
    pass


class WebitelConflict(WebitelAPIError):
    pass


class WebitelServerError(WebitelAPIError):
    outcome_unknown = True  # a 5xx may come after the change was applied (a gateway lost the answer)


_BY_STATUS: dict[int, type[WebitelAPIError]] = {
    400: WebitelBadRequest, 401: WebitelUnauthenticated, 403: WebitelForbidden, 404: WebitelNotFound,
    409: WebitelConflict,
}


def api_error(status: int, error_id: str | None, detail: str, **kwargs: str) -> WebitelAPIError:
    kind = _BY_STATUS.get(status) or (WebitelServerError if status >= 500 else WebitelAPIError)
    return kind(status, error_id, detail, **kwargs)
