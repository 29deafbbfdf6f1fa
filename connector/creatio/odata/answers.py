"""What Creatio's HTTP answers mean: a transport failure or an error status becomes the contract's
Creatio error; an OData error body ``{"error": {"code", "message"}}`` is passed on as ``creatio``."""

from __future__ import annotations

from typing import Any

import httpx

from ...core.call_policy import GATEWAY_STATUSES, was_sent
from ..errors import CreatioAuthFailed, CreatioError, CreatioTimeout, CreatioUnavailable

DETAIL_LIMIT = 500


def transport_error(exc: httpx.HTTPError, action: str) -> CreatioError:
    sent = was_sent(exc)
    if isinstance(exc, httpx.TimeoutException):
        return CreatioTimeout(f"Creatio did not answer in time while {action}", outcome_unknown=sent)
    return CreatioUnavailable(f"Creatio could not be reached while {action} ({type(exc).__name__})",
                              outcome_unknown=sent)


def answer_error(response: httpx.Response, action: str) -> CreatioError:
    status = response.status_code
    creatio = {"status": status, "message": odata_message(response)}
    if status == 401:
        return CreatioAuthFailed(f"Creatio refused the integration user's credentials while {action}",
                                 creatio=creatio)
    if status in GATEWAY_STATUSES:
        return CreatioUnavailable(f"Creatio is unavailable ({status}) while {action}", outcome_unknown=True,
                                  creatio=creatio)
    if status == 403:
        return CreatioError(f"Creatio does not allow the integration user {action} (403): grant it the permission "
                            f"(see docs/creatio.md)", creatio=creatio)
    detail = f": {creatio['message']}" if creatio["message"] else ""
    return CreatioError(f"Creatio refused {action} ({status}){detail}", outcome_unknown=status >= 500,
                        creatio=creatio)


def odata_message(response: httpx.Response) -> str:
    """The message of an OData error body, or the start of a body that is not one."""
    try:
        body: Any = response.json()
    except ValueError:
        return response.text[:DETAIL_LIMIT].strip()
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict) and isinstance(error.get("message"), str):
        return error["message"][:DETAIL_LIMIT]
    return ""


def json_of(response: httpx.Response, action: str) -> Any:
    try:
        return response.json()
    except ValueError:
        raise CreatioError(f"Creatio answered {response.status_code} with a body that is not JSON while {action}",
                           creatio={"status": response.status_code}) from None


def unexpected(action: str, what: str) -> CreatioError:
    """Creatio answered, but not with what OData promises (a missing or malformed field)."""
    return CreatioError(f"Creatio's answer is not the expected OData while {action}: {what}")
