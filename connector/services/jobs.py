"""Background jobs (imports and drift checks) live in the database, so that any connector process
answers for them: one job of a kind runs at a time (the database's partial unique index decides
between processes), and a job whose process died (its heartbeat stopped) is marked failed by the
next process that looks."""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from prometheus_client import Counter
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from .. import metrics
from ..core.paging import Page
from ..errors import Conflict, ConnectorError, NotFound
from ..models import DriftItem, ImportItem, ImportJob, ImportStatus, JobKind, utcnow
from ..webitel import WebitelError

log = logging.getLogger("connector.jobs")

STALE_AFTER_S = 120.0  # a running job whose heartbeat is older than this lost its process
KEEP_JOBS = 50  # older finished jobs of a kind (and their items) are removed when a new one starts


@dataclass(frozen=True)
class Kind:
    """What differs between the kinds of job: their names in messages, and their items."""

    kind: JobKind
    name: str  # "import", "drift check"
    one: str  # with its article: "An import"
    running_code: str  # the 409's code while one runs
    item: type[ImportItem] | type[DriftItem]
    finished: Counter  # the metric of finished jobs, by outcome


IMPORT = Kind(JobKind.IMPORT, "import", "An import", "import_running", ImportItem, metrics.import_jobs)
DRIFT = Kind(JobKind.DRIFT, "drift check", "A drift check", "drift_check_running", DriftItem, metrics.drift_checks)


def owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def start_job(session: Session, kind: Kind, *, actor: str, dry_run: bool = False) -> ImportJob:
    """A new running job; 409 (``kind.running_code``, with the running job) when one of its kind runs."""
    fail_stale(session)
    job = ImportJob(id=uuid.uuid4(), kind=kind.kind, status=ImportStatus.RUNNING, dry_run=dry_run, actor=actor,
                    owner=owner(), summary={}, done=0)
    session.add(job)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        running = session.scalar(select(ImportJob).where(ImportJob.kind == kind.kind,
                                                         ImportJob.status == ImportStatus.RUNNING))
        raise Conflict(f"{kind.one} is running already; wait for it to finish", code=kind.running_code,
                       existing={"id": str(running.id)} if running is not None else None) from None
    _forget_old(session, kind)
    return job


def run(session: Session, kind: Kind, job: ImportJob, work: Callable[[], None]) -> ImportJob:
    """Run ``work`` (which commits its progress as it goes) and end ``job`` succeeded, or failed
    with what stopped it."""
    try:
        work()
        job.status, job.finished_at = ImportStatus.SUCCEEDED, utcnow()
        session.commit()
    except (ConnectorError, WebitelError, SQLAlchemyError) as exc:
        session.rollback()
        message = exc.message if isinstance(exc, ConnectorError) else str(exc).splitlines()[0]
        log.warning("%s %s failed: %s", kind.name, job.id, message)
        session.refresh(job)
        job.status, job.finished_at, job.error = ImportStatus.FAILED, utcnow(), message[:1000]
        session.commit()
    log.info("%s %s %s: %s", kind.name, job.id, job.status, job.summary)
    kind.finished.labels(outcome=job.status).inc()
    return job


def beat(session: Session, job: ImportJob, summary: dict[str, int]) -> None:
    """Commit the job's progress so far, with its heartbeat."""
    job.summary = {**job.summary, **summary}
    job.heartbeat_at = utcnow()
    session.commit()


def fail_stale(session: Session) -> None:
    """Mark failed the running jobs whose process stopped beating."""
    stale = utcnow() - timedelta(seconds=STALE_AFTER_S)
    for kind in (IMPORT, DRIFT):
        session.execute(update(ImportJob).where(ImportJob.kind == kind.kind, ImportJob.status == ImportStatus.RUNNING,
                                                ImportJob.heartbeat_at < stale)
                        .values(status=ImportStatus.FAILED, finished_at=utcnow(),
                                error=f"the process running the {kind.name} stopped; run the {kind.name} again to "
                                      f"complete the work"))
    session.commit()


def get_job(session: Session, kind: Kind, job_id: uuid.UUID) -> ImportJob:
    fail_stale(session)
    job = session.get(ImportJob, job_id)
    if job is None or job.kind != kind.kind:
        raise NotFound(f"No {kind.name} {job_id}")
    return job


def latest(session: Session, kind: Kind) -> ImportJob | None:
    """The newest job of the kind that finished well."""
    return session.scalar(select(ImportJob)
                          .where(ImportJob.kind == kind.kind, ImportJob.status == ImportStatus.SUCCEEDED)
                          .order_by(ImportJob.started_at.desc()).limit(1))


def list_jobs(session: Session, kind: Kind, *, page: int, size: int) -> Page:
    fail_stale(session)
    total = session.scalar(select(func.count()).select_from(ImportJob).where(ImportJob.kind == kind.kind)) or 0
    jobs = list(session.scalars(select(ImportJob).where(ImportJob.kind == kind.kind)
                                .order_by(ImportJob.started_at.desc(), ImportJob.id)
                                .limit(size).offset((page - 1) * size)))
    return Page(items=jobs, page=page, size=size, total=total)


@dataclass(frozen=True)
class JobReport:
    """A job with one page of its items (the job's own attributes read through)."""

    job: ImportJob
    items: Page

    def __getattr__(self, name: str) -> Any:
        return getattr(self.job, name)


def report(session: Session, kind: Kind, job_id: uuid.UUID, /, *, page: int, size: int,
           **where: str | None) -> JobReport:
    """The job and one page of its items, in the order found, filtered on the ``where`` columns given."""
    job = get_job(session, kind, job_id)
    return JobReport(job, job_items(session, kind, job_id, page=page, size=size, **where))


def job_items(session: Session, kind: Kind, job_id: uuid.UUID, /, *, page: int, size: int, **where: str | None) -> Page:
    model = kind.item
    stmt = select(model).where(model.job_id == job_id)
    for column, value in where.items():
        if value:
            stmt = stmt.where(getattr(model, column) == value)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    items = list(session.scalars(stmt.order_by(model.seq).limit(size).offset((page - 1) * size)))
    return Page(items=items, page=page, size=size, total=total)


def _forget_old(session: Session, kind: Kind) -> None:
    keep = select(ImportJob.id).where(ImportJob.kind == kind.kind).order_by(ImportJob.started_at.desc()) \
        .limit(KEEP_JOBS).scalar_subquery()
    old = select(ImportJob.id).where(ImportJob.kind == kind.kind, ImportJob.id.not_in(keep),
                                     ImportJob.status != ImportStatus.RUNNING).scalar_subquery()
    session.execute(delete(kind.item).where(kind.item.job_id.in_(old)))
    session.execute(delete(ImportJob).where(ImportJob.id.in_(old)))
    session.commit()
