"""Room for the liveness probe, whatever the upstreams do.

A gthread worker has a fixed number of threads, and a request waiting on a hung Webitel or Creatio
holds one until its deadline: with every thread held, ``/health/live`` would wait in the queue behind
them, and an orchestrator would restart a connector that is not stuck. So a worker admits
``CONNECTOR_THREADS`` requests at once, and runs twice as many threads and one more: a request that
finds every place taken waits for one (as many such requests as there are places), as long as the
requests holding them make progress (the latest admitted has run less than ``STUCK_S``); otherwise it
is answered at once, 503 ``server_busy`` with ``Retry-After: 1``. Whatever happens, one thread is
never taken by a request that waits, and the liveness probe and ``/metrics``, which wait on nothing,
are always admitted. Threads belong to one process, so the count is the process's own.
"""

from __future__ import annotations

import threading
import time

from flask import Flask, g, request

from .. import deadline
from ..errors import ConnectorError

# The endpoints that never wait on anything but this process: always admitted.
ALWAYS_ADMITTED = frozenset({"service.live", "metrics"})
STUCK_S = 1.0  # a request running this long is taken to wait on an upstream
WAIT_STEP_S = 0.05


class ServerBusy(ConnectorError):
    status = 503
    code = "server_busy"


class Admission:
    def __init__(self, places: int, *, stuck_s: float = STUCK_S) -> None:
        self.places = max(places, 1)
        self.stuck_s = stuck_s
        self._started: dict[int, float] = {}  # thread id -> when its request was admitted
        self._waiting = 0
        self._changed = threading.Condition()

    @staticmethod
    def threads(places: int) -> int:
        """The threads a worker runs for ``places``: the admitted, as many waiting, and the spare one."""
        return 2 * max(places, 1) + 1

    def admit(self) -> None:
        if request.endpoint in ALWAYS_ADMITTED:
            return
        with self._changed:
            if len(self._started) >= self.places:
                self._wait_for_a_place()
            self._started[threading.get_ident()] = time.monotonic()
        g.admitted = True

    def _wait_for_a_place(self) -> None:
        if self._waiting >= self.places:
            raise self._busy()
        self._waiting += 1
        try:
            while len(self._started) >= self.places:
                if max(self._started.values()) <= time.monotonic() - self.stuck_s or deadline.expired():
                    raise self._busy()
                self._changed.wait(WAIT_STEP_S)
        finally:
            self._waiting -= 1

    def _busy(self) -> ServerBusy:
        return ServerBusy(f"Every thread of this connector process ({self.places}) is busy, most likely waiting "
                          f"for Webitel or Creatio; try again in a moment")

    def release(self, _exc: BaseException | None = None) -> None:
        if g.pop("admitted", False):
            with self._changed:
                self._started.pop(threading.get_ident(), None)
                self._changed.notify()


def register(app: Flask, places: int) -> None:
    """Admit at most ``places`` requests at once (the worker's threads, one fewer than it runs)."""
    admission = Admission(places)
    app.before_request(admission.admit)
    app.teardown_request(admission.release)
    app.extensions["connector_admission"] = admission
