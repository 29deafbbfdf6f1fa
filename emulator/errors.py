"""Webitel's error envelope: ``{"id", "code", "status", "detail"}`` with the HTTP status = ``code``.

Every refusal the emulator makes is a :class:`WebitelError` carrying one of Webitel's real error ids
(see ``docs/emulator.md`` for where each id comes from, and which ones are the emulator's choice
because Webitel's own is not public).
"""

from __future__ import annotations

from http import HTTPStatus


class WebitelError(Exception):
    """An error answered in Webitel's envelope."""

    def __init__(self, code: int, id: str, detail: str = "") -> None:
        super().__init__(f"{code} {id}: {detail}")
        self.code = code
        self.id = id
        self.detail = detail

    def envelope(self) -> dict:
        return {"id": self.id, "code": self.code, "status": HTTPStatus(self.code).phrase, "detail": self.detail}


def bad_request(id: str, detail: str = "") -> WebitelError:
    return WebitelError(400, id, detail)


def not_found(id: str, detail: str = "") -> WebitelError:
    return WebitelError(404, id, detail)


def conflict(id: str, detail: str = "") -> WebitelError:
    return WebitelError(409, id, detail)


def forbidden(id: str, detail: str = "") -> WebitelError:
    return WebitelError(403, id, detail)


def internal(id: str, detail: str = "") -> WebitelError:
    return WebitelError(500, id, detail)


# Generic ids of Webitel's Go services (webitel/webitel-go-kit: pkg/interceptors/error.go).
BAD_ARGS = "api.process.bad_args"
UNAUTHENTICATED = "app.session.unauthenticated"
PERMISSION_DENIED = "api.context.permissions.app_error"
NOT_IMPLEMENTED = "emulator.not_implemented"


def bad_args(detail: str) -> WebitelError:
    return bad_request(BAD_ARGS, detail)


def unauthenticated(detail: str = "token is not valid or expired") -> WebitelError:
    return WebitelError(401, UNAUTHENTICATED, detail)
