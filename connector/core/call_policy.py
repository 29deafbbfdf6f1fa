"""The one call policy of the connector's upstream HTTP clients (Webitel's and Creatio's): which
requests are safe to repeat, whether a failed request left at all, which answers are worth another
attempt, and the unit of work's time budget (:mod:`connector.deadline`) over every attempt, timeout
and pause. Each client keeps only what is its own: its errors, its sign-in, its metrics' names.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from .. import deadline

# Repeating one of these cannot do the change twice (a PATCH of absolute values is marked by its caller).
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
# A gateway's answers: the server may not have seen the request, or may come back; worth a retry if safe.
GATEWAY_STATUSES = frozenset({502, 503, 504})
# Raised before the request left: repeating it cannot do anything twice, whatever its method.
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


def is_safe(method: str, marked: bool | None = None) -> bool:
    """Whether ``method`` may be repeated (``marked``: the caller knows better, e.g. an absolute PATCH)."""
    return method.upper() in SAFE_METHODS if marked is None else marked


def was_sent(exc: httpx.HTTPError) -> bool:
    """Whether a failed request may have reached the server (its fate is then unknown)."""
    return not isinstance(exc, NOT_SENT)


def capped(timeout: httpx.Timeout) -> httpx.Timeout:
    """``timeout``, each part shortened to what is left of the unit of work's budget."""
    left = deadline.remaining()
    if left is None:
        return timeout
    left = max(left, 0.001)
    return httpx.Timeout(connect=_min(timeout.connect, left), read=_min(timeout.read, left),
                         write=_min(timeout.write, left), pool=_min(timeout.pool, left))


def _min(value: float | None, left: float) -> float:
    return left if value is None else min(value, left)


def backoff_s(first_s: float, attempt: int) -> float:
    """The pause before retry ``attempt + 1``: doubling from ``first_s``, with jitter, so that
    workers do not retry in step."""
    delay = first_s * (2 ** attempt)
    return random.uniform(delay / 2, delay)


@dataclass
class Retries:
    """How often, and after which pause, a client repeats a request it may repeat."""

    retries: int = 2
    first_backoff_s: float = 0.2
    sleep: Callable[[float], None] = field(default=time.sleep)

    def attempts(self, retries: int | None = None) -> int:
        return 1 + (self.retries if retries is None else retries)

    def pause(self, attempt: int) -> bool:
        """Wait before the next attempt; False (no wait) when the budget has no room for the pause
        and another attempt: the caller gives up with the last error."""
        pause = backoff_s(self.first_backoff_s, attempt)
        if deadline.cap(pause) < pause:
            return False
        self.sleep(pause)
        return True


# -- naming calls in the metrics and the log -------------------------------------------------------------
# A segment of a route is a word (``users``, ``call_center``, ``AuthService.svc``); anything with a
# digit, and any run of 8 or more hex digits (a token id such as ``deadbeefcafebabe``), is an id.
_WORD = re.compile(r"[A-Za-z_.-]+")
_HEX = re.compile(r"[0-9a-fA-F-]{8,}")


def _segment(segment: str) -> str:
    return segment if not segment or (_WORD.fullmatch(segment) and not _HEX.fullmatch(segment)) else "{id}"


def operation(method: str, path: str) -> str:
    """``GET /users/{id}`` for ``GET /users/42``, ``DELETE /users/{id}/tokens/{id}`` for a token's
    key (whatever its letters): the route template, one name per kind of call whatever the ids, so
    that the series stay as many as the routes the connector calls."""
    segments = path.split("/")
    named = ("{id}" if i and segments[i - 1] == "tokens" and s else _segment(s) for i, s in enumerate(segments))
    return f"{method} {'/'.join(named)}"


def outcome_of(status: int | None, failure: str | None = None) -> str:
    """``ok``, ``client_error`` (4xx), ``server_error`` (5xx), or the failure (``timeout``, ``unreachable``)."""
    if status is None:
        return failure or "unreachable"
    return "ok" if status < 400 else "client_error" if status < 500 else "server_error"
