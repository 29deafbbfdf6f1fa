"""The time budget of one unit of work (an API request, one record of a reconcile pass).

No request may wait longer than ``CONNECTOR_REQUEST_DEADLINE_S`` whatever the retries and
read-backs: the budget is set once when the work starts, and everything that waits (a Webitel call
and its retries, waiting for a record another request holds) asks how much is left. The budget
travels in a context variable, so that the Webitel client deep down needs no extra argument.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_deadline: ContextVar[float | None] = ContextVar("connector_deadline", default=None)


def remaining() -> float | None:
    """Seconds left (never below 0), or None when no deadline is set."""
    end = _deadline.get()
    return None if end is None else max(0.0, end - time.monotonic())


def expired() -> bool:
    left = remaining()
    return left is not None and left <= 0


def cap(seconds: float) -> float:
    """``seconds``, or less when the budget ends sooner."""
    left = remaining()
    return seconds if left is None else min(seconds, left)


@contextmanager
def budget(seconds: float | None) -> Iterator[None]:
    """Run the block with ``seconds`` to spend (None: no limit). A budget inside another one never
    extends it."""
    if seconds is None:
        yield
        return
    end = time.monotonic() + seconds
    outer = _deadline.get()
    token = _deadline.set(end if outer is None else min(end, outer))
    try:
        yield
    finally:
        _deadline.reset(token)


def start(seconds: float | None) -> object:
    """Set a budget without a block (a request's before-hook); :func:`stop` takes it back."""
    return _deadline.set(None if seconds is None else time.monotonic() + seconds)


def stop(token: object) -> None:
    _deadline.reset(token)  # type: ignore[arg-type]
