"""One pooled ``httpx.Client`` per process, for the connector's clients of remote services.

The client is made on first use: a gunicorn worker forked from a master that already had one must
not share its sockets, so a new process makes its own (and is told, through ``on_new``, so that it
can drop what belonged to the old one, e.g. a session).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable

import httpx


class ProcessClient:
    def __init__(self, base_url: str, *, connect_timeout_s: float, read_timeout_s: float, pool_size: int,
                 transport: httpx.BaseTransport | None = None, on_new: Callable[[], None] | None = None) -> None:
        self.base_url = base_url
        self.timeout = httpx.Timeout(connect=connect_timeout_s, read=read_timeout_s, write=read_timeout_s,
                                     pool=connect_timeout_s)
        self._limits = httpx.Limits(max_connections=pool_size, max_keepalive_connections=pool_size)
        self._transport = transport
        self._on_new = on_new
        self._lock = threading.Lock()
        self._client: httpx.Client | None = None
        self._pid = 0

    def get(self) -> httpx.Client:
        pid = os.getpid()
        if self._client is None or self._pid != pid:
            with self._lock:
                if self._client is None or self._pid != pid:
                    self._client = httpx.Client(base_url=self.base_url, timeout=self.timeout, limits=self._limits,
                                                transport=self._transport, headers={"Accept": "application/json"})
                    self._pid = pid
                    if self._on_new is not None:
                        self._on_new()
        return self._client

    def close(self) -> None:
        with self._lock:
            if self._client is not None and self._pid == os.getpid():
                self._client.close()
            self._client = None
