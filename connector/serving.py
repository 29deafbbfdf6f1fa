"""The connector under gunicorn, its production server.

gthread workers (processes x threads), each building its own app, database pool and Webitel client
after the fork. SIGTERM (what ``docker stop`` and orchestrators send) is a graceful shutdown: the
master stops accepting, the workers finish the requests they hold (up to ``graceful_timeout_s``),
then exit. Put a buffering proxy in front (the compose file's nginx): a gthread worker holds a
thread while a client sends its request, so slow clients could otherwise take every thread.
"""

from __future__ import annotations

import gc
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gunicorn.app.base import BaseApplication

from . import logs
from .api.admission import Admission
from .config import Config


@dataclass(frozen=True)
class ServerSettings:
    host: str = "127.0.0.1"
    port: int = 8080
    workers: int = 2
    threads: int = 4
    # Longer than the slowest operation (Webitel timeouts x retries), so a worker is never killed
    # in the middle of one.
    timeout_s: int = 120
    graceful_timeout_s: int = 30
    keepalive_s: int = 5


class ConnectorServer(BaseApplication):
    def __init__(self, config: Config, settings: ServerSettings) -> None:
        self.config = config
        self.settings = settings
        super().__init__()

    def load_config(self) -> None:
        s = self.settings
        # More threads than the requests a worker admits: the liveness probe's (connector.api.admission).
        for key, value in {"bind": f"{s.host}:{s.port}", "workers": s.workers, "worker_class": "gthread",
                           "threads": Admission.threads(s.threads), "timeout": s.timeout_s,
                           "graceful_timeout": s.graceful_timeout_s,
                           "keepalive": s.keepalive_s, "accesslog": None,
                           "loglevel": self.config.log_level.lower(),
                           "logconfig_dict": logs.logging_dict(self.config.log_level, self.config.token_set().redact),
                           # gunicorn 27's control socket: a file in the home folder, shared by every
                           # instance and unwritable in a read-only container.
                           "control_socket_disable": True, "child_exit": _child_exit}.items():
            if key in self.cfg.settings:
                self.cfg.set(key, value)

    def load(self) -> Any:
        from .app import create_app

        # In each worker: its own database pool and Webitel client, and its admitted requests.
        app = create_app(self.config, worker_threads=self.settings.threads)
        freeze_startup_heap()
        return app


def freeze_startup_heap() -> None:
    """What a worker builds to serve (the modules, the app, its mappers and schemas: about 110,000
    objects) lives as long as the worker. Out of the cyclic collector's reach (``gc.freeze``), a full
    collection walks only what requests left behind: without it, one every thousand or so requests
    walked them all, a pause of about 70 ms in which every thread of the worker waited
    (``python -m bench connector-gc``). The garbage goes first, so none of it is kept for good."""
    gc.collect()
    gc.freeze()


def _child_exit(_server: Any, worker: Any) -> None:
    from . import metrics

    metrics.worker_exited(worker.pid)


MULTIPROC_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"


@contextmanager
def metrics_folder() -> Iterator[Path]:
    """The folder where every worker writes its metrics, set in the environment before any worker
    (or prometheus-client) starts: ``PROMETHEUS_MULTIPROC_DIR`` when given, emptied of the last
    run's samples, else a temporary folder removed when the server stops."""
    given = os.environ.get(MULTIPROC_VARIABLE)
    if given:
        folder = Path(given)
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob("*.db"):
            stale.unlink()
        yield folder
        return
    folder = Path(tempfile.mkdtemp(prefix="webitel-connector-metrics-"))
    os.environ[MULTIPROC_VARIABLE] = str(folder)
    master = os.getpid()
    try:
        yield folder
    finally:
        if os.getpid() == master:  # a worker leaves through here too when it exits
            shutil.rmtree(folder, ignore_errors=True)
            del os.environ[MULTIPROC_VARIABLE]


def serve(config: Config, settings: ServerSettings) -> None:
    with metrics_folder() as folder:
        logging.getLogger("connector").info("metrics of every worker in %s", folder)
        ConnectorServer(config, settings).run()
