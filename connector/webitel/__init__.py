"""The Webitel client: :class:`WebitelClient` (API calls by name) over :class:`WebitelHTTP` (transport)."""

from .client import WebitelClient
from .errors import (
    WebitelAPIError,
    WebitelBadRequest,
    WebitelConflict,
    WebitelError,
    WebitelForbidden,
    WebitelNotFound,
    WebitelServerError,
    WebitelTimeout,
    WebitelTransportError,
    WebitelUnauthenticated,
    WebitelUnavailable,
)
from .http import WebitelHTTP

__all__ = [
    "WebitelAPIError", "WebitelBadRequest", "WebitelClient", "WebitelConflict", "WebitelError", "WebitelForbidden",
    "WebitelHTTP", "WebitelNotFound", "WebitelServerError", "WebitelTimeout", "WebitelTransportError",
    "WebitelUnauthenticated", "WebitelUnavailable",
]
