"""Each request to Webitel (each attempt, retries included) as a log line and in the metrics:
method, path, status or failure, duration, and the request id it was made for. The path carries no
query and no header is logged, so neither the token nor a password can reach the log."""

from __future__ import annotations

import logging
import re

from .. import metrics

log = logging.getLogger("connector.webitel.calls")

# A segment of a route is a word (``users``, ``call_center``, ``AuthService.svc``); anything with a
# digit, and any run of 8 or more hex digits (a token id such as ``deadbeefcafebabe``), is an id.
_WORD = re.compile(r"[A-Za-z_.-]+")
_HEX = re.compile(r"[0-9a-fA-F-]{8,}")


def _segment(segment: str) -> str:
    return segment if not segment or (_WORD.fullmatch(segment) and not _HEX.fullmatch(segment)) else "{id}"


def operation(method: str, path: str) -> str:
    """``GET /users/{id}`` for ``GET /users/42``, ``DELETE /users/{id}/tokens/{id}`` for a token's
    key: the route template, one name per kind of call whatever the ids, so that the series stay
    as many as the routes the connector calls."""
    return f"{method} {'/'.join(_segment(s) for s in path.split('/'))}"


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
