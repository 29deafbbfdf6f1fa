"""An import started over the API runs in a background thread of the process that took the request
(it never holds an HTTP request open for minutes); its progress is in the database for every process."""

from __future__ import annotations

import logging
import threading
import uuid

from sqlalchemy.orm import Session, sessionmaker

from .creatio import CreatioSide
from .models import ImportJob
from .services.context import Context, SyncSettings
from .services.imports import ImportOptions, run_import
from .webitel import WebitelClient

log = logging.getLogger("connector.imports")


def start_in_background(sessions: sessionmaker[Session], webitel: WebitelClient, creatio: CreatioSide,
                        settings: SyncSettings, job_id: uuid.UUID, options: ImportOptions, *,
                        actor: str) -> threading.Thread:
    def run() -> None:
        try:
            with sessions() as session:
                job = session.get(ImportJob, job_id)
                assert job is not None
                run_import(Context(session, webitel, settings, actor=actor), creatio, job, options)
        except Exception:  # the thread has no caller: say it in the log; the heartbeat marks the job failed
            log.exception("import %s stopped", job_id)

    thread = threading.Thread(target=run, name=f"import-{job_id}", daemon=True)
    thread.start()
    return thread
