"""Domain errors: each carries the contract's stable ``code``, its HTTP status and an English message.

Services raise these; the one error handler (``connector.api.errors``) writes them in the contract's
shape ``{"error": {"code", "message", "fields"?, "webitel"?, ...}}``. Nothing here knows about Flask.
"""

from __future__ import annotations

from typing import Any


class ConnectorError(Exception):
    status = 500
    code = "internal_error"

    def __init__(self, message: str, *, code: str | None = None, fields: dict[str, list[str]] | None = None,
                 webitel: dict[str, Any] | None = None, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.fields = fields
        self.webitel = webitel
        # Extra keys of the error object, e.g. "steps", "compensated", "outcome", "existing".
        self.details = {k: v for k, v in details.items() if v is not None}

    def add(self, **details: Any) -> ConnectorError:
        """More keys for the error object (None values are left out)."""
        self.details.update((k, v) for k, v in details.items() if v is not None)
        return self

    def to_dict(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.fields:
            error["fields"] = self.fields
        if self.webitel:
            error["webitel"] = self.webitel
        error.update(self.details)
        return {"error": error}


class ValidationFailed(ConnectorError):
    status = 422
    code = "validation_error"


class Unauthorized(ConnectorError):
    status = 401
    code = "unauthorized"


class NotFound(ConnectorError):
    status = 404
    code = "not_found"


class Conflict(ConnectorError):
    """409: ``already_exists``, ``extension_taken``, ``username_taken``, ``license_exhausted``, ..."""

    status = 409
    code = "conflict"


class BusinessRuleError(ConnectorError):
    """400: the request is well formed but a rule forbids it (``not_a_creatio_user``, ...)."""

    status = 400
    code = "business_rule"


class UpstreamError(ConnectorError):
    """Webitel failed: 502 ``webitel_error``, 503 ``webitel_unavailable`` or 504 ``webitel_timeout``."""

    status = 502
    code = "webitel_error"

    def __init__(self, message: str, *, status: int = 502, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.status = status


class DatabaseUnavailable(ConnectorError):
    """The connector's own database failed (a commit, a lost connection)."""

    status = 503
    code = "database_error"


def field_error(field: str, message: str, *, code: str = "validation_error") -> ValidationFailed:
    return ValidationFailed(message, code=code, fields={field: [message]})
