"""``Idempotency-Key`` on every POST operation: the HTTP side of ``services/idempotency.py`` (read
the header, hash the body, run the view once, keep and replay its answer)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable

from flask import Response, request

from ..errors import ValidationFailed
from ..services import idempotency
from . import errors
from .context import caller, connector

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
KEY = re.compile(r"^[\x21-\x7e]{1,200}$")  # printable ASCII, no spaces, as the IETF draft's examples


def guard(run: Callable[[], Response]) -> Response:
    """Run a POST view under its ``Idempotency-Key`` (when the caller sent one)."""
    key = request.headers.get(HEADER)
    if key is None:
        return run()
    if not KEY.match(key):
        raise ValidationFailed(f"{HEADER} must be 1 to 200 printable characters without spaces",
                               fields={HEADER: ["1 to 200 printable characters"]})
    app = connector()
    settings = app.config
    who = caller()
    body_hash = hashlib.sha256(request.get_data(cache=True)).hexdigest()
    with app.sessions() as session:
        replay = idempotency.begin(session, actor=who, key=key, method=request.method, path=request.path,
                                   body_hash=body_hash, ttl_s=settings.idempotency_ttl_s,
                                   running_for_s=settings.request_deadline_s * 2)
        if replay is not None:
            status, answer = replay
            return Response(answer, status=status, mimetype="application/json", headers={REPLAYED: "true"})
        try:
            response = run()
        except Exception as exc:  # the error answer is the request's answer, kept like any other
            response = errors.handle(exc)
        idempotency.finish(session, actor=who, key=key, status=response.status_code,
                           answer=response.get_data(as_text=True))
        return response
