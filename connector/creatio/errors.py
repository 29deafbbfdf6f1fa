"""Creatio's failures in the contract's shape, raised by the Creatio side and passed on as they are.

| status | code | when |
|---|---|---|
| 502 | ``creatio_auth_failed`` | the login or the token request is refused, or Creatio answers 401 after a renewal |
| 502 | ``creatio_error`` | Creatio refused a request (4xx, 500), or answered something that is not OData |
| 503 | ``creatio_unavailable`` | no connection, a dropped one, or 502/503/504 from Creatio or its proxy |
| 504 | ``creatio_timeout`` | Creatio did not answer in time |

Credentials never appear in a message: a refused login says which settings to check, not their values.
"""

from __future__ import annotations

from typing import Any

from ..errors import Conflict, ConnectorError


class CreatioError(ConnectorError):
    status = 502
    code = "creatio_error"
    # The request may have been applied although it failed (a timeout or a dropped connection
    # after it was sent, a 5xx): a write must then be looked up before it is repeated.
    outcome_unknown = False

    def __init__(self, message: str, *, outcome_unknown: bool = False, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.outcome_unknown = outcome_unknown


class CreatioUnavailable(CreatioError):
    status = 503
    code = "creatio_unavailable"


class CreatioTimeout(CreatioError):
    status = 504
    code = "creatio_timeout"


class CreatioAuthFailed(CreatioError):
    code = "creatio_auth_failed"


class MethodNotAllowed(ConnectorError):
    """405: the operation exists, but not with this configuration."""

    status = 405
    code = "method_not_allowed"


class AmbiguousName(Conflict):
    """409: more than one Creatio record has this normalised name; the connector never guesses."""

    code = "ambiguous_name"
