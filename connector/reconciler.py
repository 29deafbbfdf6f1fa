"""The server's reconciler: reconcile passes in a background thread of each connector process.

Every process runs one; they never work on the same record (records are claimed through the
database), so several processes behind a load balancer simply share the work. The thread wakes when
the next pending record is due (shortly after an uncertain answer, with backoff), and at least every
``CONNECTOR_RECONCILE_INTERVAL_S`` seconds.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from . import metrics
from .models import utcnow
from .services.context import Context, SyncSettings
from .services.reconcile import next_due, reconcile_pass
from .webitel import WebitelClient

log = logging.getLogger("connector.reconcile")
SHORTEST_SLEEP_S = 0.5  # a due record another unit of work holds is looked at again this often


class Reconciler:
    def __init__(self, sessions: sessionmaker[Session], webitel: WebitelClient, settings: SyncSettings, *,
                 interval_s: float) -> None:
        self.sessions, self.webitel, self.settings, self.interval_s = sessions, webitel, settings, interval_s
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self, *, due_only: bool = True) -> Counter[str]:
        with self.sessions() as session:
            return reconcile_pass(Context(session, self.webitel, self.settings, actor="reconciler"), due_only=due_only)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="reconciler", daemon=True)
        self._thread.start()

    def stop(self, timeout_s: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout_s)

    def wake(self, _due: datetime | None = None) -> None:
        """A record became pending in this process: look again when the next one is due."""
        self._wake.set()

    def _loop(self) -> None:
        pause = self.interval_s  # the first look waits: a new process does no database work before a request
        while not self._stop.is_set():
            woken = self._wake.wait(pause)
            self._wake.clear()
            if self._stop.is_set():
                return
            if not woken:
                try:
                    self.run_once()
                except Exception:  # a failed pass (database down) must not end the thread: the next one retries
                    metrics.reconciler_runs.labels(outcome="failed").inc()
                    log.exception("reconcile pass failed")
            pause = self._pause()  # woken: the next due time may be sooner now

    def _pause(self) -> float:
        try:
            with self.sessions() as session:
                due = next_due(Context(session, self.webitel, self.settings))
        except Exception:
            log.exception("could not read when the next record is due")
            return self.interval_s
        if due is None:
            return self.interval_s
        return min(self.interval_s, max(SHORTEST_SLEEP_S, (due - utcnow()).total_seconds()))
