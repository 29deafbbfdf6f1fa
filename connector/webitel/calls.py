"""The Webitel calls made by one unit of work, attempt by attempt.

The HTTP layer records every attempt here; the step runner reads it to learn whether an attempt
whose fate is unknown went out (a timeout or dropped connection after sending, a 5xx): such a
request may still be applied later, after a retry or a newer change ("a late duplicate"), so the
record must be checked again after the late-write horizon. The same list is what an error answer
and the audit trail say about the calls made.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace

OK, REFUSED, FAILED, UNCERTAIN = "ok", "refused", "failed", "uncertain"
READS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    status: int | None  # None: no answer
    outcome: str  # ok | refused (a 4xx: not applied) | failed (not sent) | uncertain (may be applied)
    duration_ms: float

    def as_dict(self) -> dict:
        return {"method": self.method, "path": self.path, "status": self.status, "outcome": self.outcome,
                "duration_ms": self.duration_ms}


@dataclass
class CallLog:
    calls: list[Call] = field(default_factory=list)

    def mark(self) -> int:
        return len(self.calls)

    def uncertain_since(self, mark: int) -> bool:
        """Whether a write whose fate is unknown went out since ``mark`` (a read cannot land late)."""
        return any(call.outcome == UNCERTAIN and call.method not in READS for call in self.calls[mark:])


_current: ContextVar[CallLog | None] = ContextVar("webitel_calls", default=None)


@contextmanager
def recording() -> Iterator[CallLog]:
    """Record the Webitel calls made in the block (nested blocks share the outer log)."""
    outer = _current.get()
    if outer is not None:
        yield outer
        return
    log = CallLog()
    token = _current.set(log)
    try:
        yield log
    finally:
        _current.reset(token)


def record(call: Call) -> None:
    log = _current.get()
    if log is not None:
        log.calls.append(call)


def last_was_refused() -> None:
    """The last call's answer, a 5xx, is one Webitel gives for a refusal (its error id says so): it was
    not applied, and cannot land later."""
    log = _current.get()
    if log is not None and log.calls and log.calls[-1].outcome == UNCERTAIN:
        log.calls[-1] = replace(log.calls[-1], outcome=REFUSED)
