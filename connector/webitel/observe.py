"""Each request to Webitel (each attempt, retries included) as a log line and in the metrics:
method, path, status or failure, duration, and the request id it was made for. The path carries no
query and no header is logged, so neither the token nor a password can reach the log."""

from __future__ import annotations

import logging
import re

from .. import metrics

log = logging.getLogger("connector.webitel.calls")

_ID_SEGMENT = re.compile(r"/(?:\d+|[0-9a-fA-F-]{32,36})(?=/|$)")
_TOKEN_KEY = re.compile(r"(?<=/tokens/)[^/]+")  # an access token's id is a key, not a number


def operation(method: str, path: str) -> str:
    """``GET /users/{id}`` for ``GET /users/42``: one name per kind of call, whatever the ids (a
    metric's labels must not grow with them: one series per STUN token read was a leak)."""
    return f"{method} {_ID_SEGMENT.sub('/{id}', _TOKEN_KEY.sub('{id}', path))}"


def outcome_of(status: int | None, failure: str | None = None) -> str:
    """``ok``, ``client_error`` (4xx), ``server_error`` (5xx), or the failure (``timeout``, ``unreachable``)."""
    if status is None:
        return failure or "unreachable"
    return "ok" if status < 400 else "client_error" if status < 500 else "server_error"


def record_call(method: str, path: str, *, status: int | None, duration_s: float, attempt: int,
                failure: str | None = None) -> None:
    outcome = outcome_of(status, failure)
    name = operation(method, path)
    metrics.webitel_calls.labels(operation=name, outcome=outcome).inc()
    metrics.webitel_call_duration.labels(operation=name).observe(duration_s)
    level = logging.INFO if outcome in ("ok", "client_error") else logging.WARNING
    log.log(level, "webitel %s %s -> %s in %.1f ms", method, path, status if status is not None else outcome,
            duration_s * 1000, extra={"method": method, "path": path, "status": status, "outcome": outcome,
                                      "duration_ms": round(duration_s * 1000, 2), "attempt": attempt})
