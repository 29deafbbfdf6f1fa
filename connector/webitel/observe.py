"""Each request to Webitel (each attempt, retries included) as a log line and in the metrics:
method, path, status or failure, duration, and the request id it was made for. The path carries no
query and no header is logged, so neither the token nor a password can reach the log."""

from __future__ import annotations

import logging

from .. import metrics
from ..core.call_policy import operation, outcome_of

__all__ = ["operation", "outcome_of", "record_call"]

log = logging.getLogger("connector.webitel.calls")


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
