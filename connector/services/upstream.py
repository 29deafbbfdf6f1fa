"""Webitel's failures as the contract's errors: 502 ``webitel_error``, 503 ``webitel_unavailable``,
504 ``webitel_timeout``, with Webitel's own id and detail as ``"webitel": {"id", "detail"}``."""

from __future__ import annotations

from typing import Any

from ..core.call_policy import GATEWAY_STATUSES
from ..errors import UpstreamError
from ..webitel.errors import WebitelAPIError, WebitelError, WebitelTimeout, WebitelUnavailable


def upstream_error(exc: WebitelError, action: str, **details: Any) -> UpstreamError:
    """``action`` says what the connector was doing, e.g. "creating the Webitel user jsmith"."""
    webitel = exc.envelope() if isinstance(exc, WebitelAPIError) else None
    if isinstance(exc, WebitelTimeout):
        return UpstreamError(f"Webitel did not answer in time while {action}", status=504, code="webitel_timeout",
                             webitel=webitel, **details)
    if isinstance(exc, WebitelUnavailable) or (isinstance(exc, WebitelAPIError) and exc.status in GATEWAY_STATUSES):
        return UpstreamError(f"Webitel is unavailable; failed while {action}", status=503,
                             code="webitel_unavailable", webitel=webitel, **details)
    detail = exc.detail if isinstance(exc, WebitelAPIError) else str(exc)
    return UpstreamError(f"Webitel refused {action}: {detail}", status=502, code="webitel_error", webitel=webitel,
                         **details)
