"""Jobs started over the API (an import, a drift check) run in a background thread of the process
that took the request (they never hold an HTTP request open for minutes); their progress is in the
database for every process."""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker

from .creatio import CreatioSide
from .models import ImportJob
from .services import drift_checks
from .services.context import Context, SyncSettings
from .services.drift_report import DriftOptions
from .services.imports import ImportOptions, run_import
from .webitel import WebitelClient

log = logging.getLogger("connector.jobs")


def run_in_background(sessions: sessionmaker[Session], webitel: WebitelClient, settings: SyncSettings,
                      job_id: uuid.UUID, work: Callable[[Context, ImportJob], object], *, actor: str,
                      name: str) -> threading.Thread:
    def run() -> None:
        try:
            with sessions() as session:
                job = session.get(ImportJob, job_id)
                assert job is not None
                work(Context(session, webitel, settings, actor=actor), job)
        except Exception:  # the thread has no caller: say it in the log; the heartbeat marks the job failed
            log.exception("%s %s stopped", name, job_id)

    thread = threading.Thread(target=run, name=f"{name}-{job_id}", daemon=True)
    thread.start()
    return thread


def start_in_background(sessions: sessionmaker[Session], webitel: WebitelClient, creatio: CreatioSide,
                        settings: SyncSettings, job_id: uuid.UUID, options: ImportOptions, *,
                        actor: str) -> threading.Thread:
    return run_in_background(sessions, webitel, settings, job_id,
                             lambda ctx, job: run_import(ctx, creatio, job, options), actor=actor, name="import")


def check_in_background(sessions: sessionmaker[Session], webitel: WebitelClient, settings: SyncSettings,
                        job_id: uuid.UUID, options: DriftOptions, *, actor: str) -> threading.Thread:
    return run_in_background(sessions, webitel, settings, job_id,
                             lambda ctx, job: drift_checks.run(ctx, job, options), actor=actor, name="drift-check")
