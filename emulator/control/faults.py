"""Fault rules: make chosen Webitel API requests fail the way real networks and servers fail.

A rule matches by method and a path pattern (``fnmatch``: ``/api/users*``) and acts:
- ``error``: answer ``status`` (default 503) in Webitel's envelope;
- ``timeout``: never answer in time (in process: the client's read timeout fires at once);
- ``delay``: answer normally after ``delay_ms``;
- ``reset``: drop the connection without an answer.
``times`` limits how often it fires (default: every time), ``probability`` makes it random (seeded,
so a run is repeatable). ``when: "after"`` lets the request change the state first and then loses
the answer, which is how a client learns the hardest case: "it may have happened".
"""

from __future__ import annotations

import random
import re
import secrets
import threading
from dataclasses import asdict, dataclass
from fnmatch import fnmatchcase
from http import HTTPStatus
from typing import Any

from ..errors import WebitelError, bad_request

ACTIONS = ("error", "timeout", "delay", "reset")
API_PREFIX = "/api"
_ERROR_STATUSES = {int(s) for s in HTTPStatus if 400 <= s < 600}
E_INVALID = "emulator.fault.invalid"


@dataclass
class FaultRule:
    id: str
    path: str
    action: str
    method: str | None = None
    status: int = 503
    delay_ms: int = 0
    times: int | None = None
    probability: float = 1.0
    when: str = "before"
    error_id: str = "emulator.fault"
    detail: str = "fault injected by the emulator"
    hits: int = 0

    def matches(self, method: str, path: str, when: str) -> bool:
        return (self.when == when and (self.method is None or self.method == method)
                and fnmatchcase(path, self.path) and (self.times is None or self.hits < self.times))

    def error(self) -> WebitelError:
        return WebitelError(self.status, self.error_id, self.detail)

    def to_dict(self) -> dict:
        return asdict(self)


def _number(spec: dict, key: str, kind: type, default: Any, lo: float, hi: float) -> Any:
    value = spec.get(key, default)
    if value is None and default is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or (kind is int and value != int(value)):
        raise bad_request(E_INVALID, f"fault: {key} must be a number")
    if not lo <= value <= hi:
        raise bad_request(E_INVALID, f"fault: {key} must be between {lo} and {hi}")
    return kind(value)


class Faults:
    def __init__(self, seed: int = 0) -> None:
        self._lock = threading.Lock()
        self._rules: dict[str, FaultRule] = {}
        self._seed = seed
        self._random = random.Random(seed)

    def add(self, spec: Any) -> FaultRule:
        if not isinstance(spec, dict):
            raise bad_request(E_INVALID, "fault: the body must be a JSON object")
        unknown = set(spec) - {"method", "path", "action", "status", "delay_ms", "times", "probability", "when",
                               "error_id", "detail"}
        if unknown:
            raise bad_request(E_INVALID, f"fault: unknown attributes {sorted(unknown)}")
        path, action = spec.get("path"), spec.get("action")
        if not isinstance(path, str) or not path.startswith("/"):
            raise bad_request(E_INVALID, "fault: path is required and must start with '/' (e.g. /api/users*)")
        literal = re.split(r"[*?\[]", path, maxsplit=1)[0]
        if not (literal.startswith(API_PREFIX) or API_PREFIX.startswith(literal)):
            # Only the Webitel API is faulted: the control plane must stay usable to clear the rules.
            raise bad_request(E_INVALID, f"fault: path {path!r} can never match: rules apply to paths under /api")
        if action not in ACTIONS:
            raise bad_request(E_INVALID, f"fault: action must be one of {', '.join(ACTIONS)}")
        when = spec.get("when", "before")
        if when not in ("before", "after"):
            raise bad_request(E_INVALID, "fault: when must be 'before' or 'after'")
        method = spec.get("method")
        if method is not None and (not isinstance(method, str) or not method.isalpha()):
            raise bad_request(E_INVALID, "fault: method must be an HTTP method such as POST")
        rule = FaultRule(
            id=secrets.token_hex(4), path=path, action=action, method=method.upper() if method else None,
            status=_number(spec, "status", int, 503, 400, 599),
            delay_ms=_number(spec, "delay_ms", int, 30000 if action == "timeout" else 0, 0, 600000),
            times=_number(spec, "times", int, None, 1, 10**9),
            probability=_number(spec, "probability", float, 1.0, 0.0, 1.0), when=when,
            error_id=str(spec.get("error_id") or "emulator.fault"), detail=str(spec.get("detail") or FaultRule.detail))
        if rule.status not in _ERROR_STATUSES:
            raise bad_request(E_INVALID, f"fault: status {rule.status} is not an HTTP error status")
        if action == "delay" and not rule.delay_ms:
            raise bad_request(E_INVALID, "fault: a delay needs delay_ms")
        with self._lock:
            self._rules[rule.id] = rule
        return rule

    def pick(self, method: str, path: str, when: str) -> FaultRule | None:
        """The first rule that fires for this request (counted as a hit), if any."""
        if not self._rules:  # no rules: no lock to take (a dict's emptiness is read atomically)
            return None
        with self._lock:
            for rule in self._rules.values():
                if rule.matches(method, path, when) and (
                        rule.probability >= 1.0 or self._random.random() < rule.probability):
                    rule.hits += 1
                    return rule
        return None

    def list(self) -> list[dict]:
        with self._lock:
            return [r.to_dict() for r in self._rules.values()]

    def remove(self, rule_id: str) -> bool:
        with self._lock:
            return self._rules.pop(rule_id, None) is not None

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()
            self._random = random.Random(self._seed)
