"""Bearer-token authentication: every endpoint but the public ones needs the configured token."""

from __future__ import annotations

import hmac

from flask import current_app, request

from ..errors import Unauthorized
from .context import connector


def require_token() -> None:
    if request.method == "OPTIONS":
        return  # CORS preflights carry no credentials
    view = current_app.view_functions.get(request.endpoint or "")
    if view is not None and getattr(view, "public", False):
        return
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    expected = connector().config.api_token
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), expected.encode()):
        raise Unauthorized("Send the connector's API token as 'Authorization: Bearer <token>'")
