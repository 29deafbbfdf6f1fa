"""Bearer-token authentication: every endpoint but the public ones needs one of the configured
tokens (``connector.tokens``); the token's name is the request's caller (``flask.g.caller``)."""

from __future__ import annotations

from flask import current_app, g, request

from ..errors import Unauthorized
from .context import connector


def require_token() -> None:
    if request.method == "OPTIONS":
        return  # CORS preflights carry no credentials
    view = current_app.view_functions.get(request.endpoint or "")
    if view is not None and getattr(view, "public", False):
        return
    scheme, _, presented = request.headers.get("Authorization", "").partition(" ")
    name = connector().tokens.check(presented.strip()) if scheme.lower() == "bearer" else None
    if name is None:
        raise Unauthorized("Send one of the connector's API tokens as 'Authorization: Bearer <token>'")
    g.caller = name
