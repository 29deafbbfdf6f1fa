"""A bounded journal of the Webitel API requests served, newest last, with secrets masked."""

from __future__ import annotations

import json
import threading
from collections import deque
from typing import Any
from urllib.parse import parse_qsl, urlencode

SECRET_WORDS = ("password", "token", "secret")
MASK = "***"
BODY_LIMIT = 4096


def is_secret(key: str) -> bool:
    key = key.lower()
    return any(word in key for word in SECRET_WORDS)


def redact(value: Any) -> Any:
    """The value with every secret-named attribute masked, at any depth."""
    if isinstance(value, dict):
        return {k: (MASK if is_secret(str(k)) and v not in (None, "") else redact(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v) for v in value]
    return value


def redact_query(query: str) -> str:
    if not query or not any(word in query.lower() for word in SECRET_WORDS):
        return query
    return urlencode([(k, MASK if is_secret(k) else v) for k, v in parse_qsl(query, keep_blank_values=True)],
                     safe="*,[]")


def redact_body(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return redact(json.loads(raw))
    except ValueError:
        return f"<{len(raw)} bytes, not JSON>"


class Journal:
    """The last ``size`` requests served, and how many are being served now (a late request, held by
    a delay fault, counts until its answer is written: a test waits for that, not for a guessed time)."""

    def __init__(self, size: int = 500) -> None:
        self._lock = threading.Lock()
        self._entries: deque[dict] = deque(maxlen=size)
        self._in_flight = 0

    def begin(self) -> None:
        """A request has come in; :meth:`record` ends it."""
        with self._lock:
            self._in_flight += 1

    def record(self, entry: dict) -> None:
        with self._lock:
            self._entries.append(entry)
            self._in_flight = max(0, self._in_flight - 1)

    @property
    def in_flight(self) -> int:
        with self._lock:
            return self._in_flight

    def entries(self, limit: int | None = None) -> list[dict]:
        with self._lock:
            items = list(self._entries)
        return items[-limit:] if limit else items

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
