"""Import jobs live in the database, so that any connector process answers for them: one runs at a
time (the database's partial unique index decides between processes), and a job whose process died
(its heartbeat stopped) is marked failed by the next process that looks."""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ...errors import Conflict, NotFound
from ...models import ImportItem, ImportJob, ImportStatus, utcnow
from ..paging import Page

STALE_AFTER_S = 120.0  # a running job whose heartbeat is older than this lost its process
KEEP_JOBS = 50  # older finished jobs (and their items) are removed when a new one starts


def owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def start_job(session: Session, *, dry_run: bool, actor: str) -> ImportJob:
    """A new running job; 409 ``import_running`` (with the running job) when one is running."""
    fail_stale(session)
    job = ImportJob(id=uuid.uuid4(), status=ImportStatus.RUNNING, dry_run=dry_run, actor=actor, owner=owner(),
                    summary={}, done=0)
    session.add(job)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        running = session.scalar(select(ImportJob).where(ImportJob.status == ImportStatus.RUNNING))
        raise Conflict("An import is running already; wait for it to finish", code="import_running",
                       existing={"id": str(running.id)} if running is not None else None) from None
    _forget_old(session)
    return job


def fail_stale(session: Session) -> None:
    """Mark failed the running job whose process stopped beating."""
    stale = utcnow() - timedelta(seconds=STALE_AFTER_S)
    session.execute(update(ImportJob).where(ImportJob.status == ImportStatus.RUNNING, ImportJob.heartbeat_at < stale)
                    .values(status=ImportStatus.FAILED, finished_at=utcnow(),
                            error="the process running the import stopped; run the import again to complete the work"))
    session.commit()


def get_job(session: Session, job_id: uuid.UUID) -> ImportJob:
    fail_stale(session)
    job = session.get(ImportJob, job_id)
    if job is None:
        raise NotFound(f"No import job {job_id}")
    return job


def list_jobs(session: Session, *, page: int, size: int) -> Page:
    fail_stale(session)
    total = session.scalar(select(func.count()).select_from(ImportJob)) or 0
    jobs = list(session.scalars(select(ImportJob).order_by(ImportJob.started_at.desc(), ImportJob.id)
                                .limit(size).offset((page - 1) * size)))
    return Page(items=jobs, page=page, size=size, total=total)


@dataclass(frozen=True)
class JobReport:
    """A job with one page of its items (the job's own attributes read through)."""

    job: ImportJob
    items: Page

    def __getattr__(self, name: str) -> Any:
        return getattr(self.job, name)


def report(session: Session, job_id: uuid.UUID, *, page: int, size: int, outcome: str | None = None) -> JobReport:
    job = get_job(session, job_id)
    return JobReport(job, job_items(session, job_id, page=page, size=size, outcome=outcome))


def job_items(session: Session, job_id: uuid.UUID, *, page: int, size: int, outcome: str | None = None) -> Page:
    stmt = select(ImportItem).where(ImportItem.job_id == job_id)
    if outcome:
        stmt = stmt.where(ImportItem.outcome == outcome)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    items = list(session.scalars(stmt.order_by(ImportItem.seq).limit(size).offset((page - 1) * size)))
    return Page(items=items, page=page, size=size, total=total)


def _forget_old(session: Session) -> None:
    keep = select(ImportJob.id).order_by(ImportJob.started_at.desc()).limit(KEEP_JOBS).scalar_subquery()
    session.execute(delete(ImportItem).where(ImportItem.job_id.not_in(keep)))
    session.execute(delete(ImportJob).where(ImportJob.id.not_in(keep), ImportJob.status != ImportStatus.RUNNING))
    session.commit()
