"""Import jobs: the background jobs' machinery (``services.jobs``) for GetWebitelUsers."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from ...core.paging import Page
from ...models import ImportJob
from ..jobs import IMPORT, JobReport
from ..jobs import get_job as _get_job
from ..jobs import job_items as _job_items
from ..jobs import list_jobs as _list_jobs
from ..jobs import report as _report
from ..jobs import start_job as _start_job


def start_job(session: Session, *, dry_run: bool, actor: str) -> ImportJob:
    """A new running import; 409 ``import_running`` (with the running job) when one is running."""
    return _start_job(session, IMPORT, dry_run=dry_run, actor=actor)


def get_job(session: Session, job_id: uuid.UUID) -> ImportJob:
    return _get_job(session, IMPORT, job_id)


def list_jobs(session: Session, *, page: int, size: int) -> Page:
    return _list_jobs(session, IMPORT, page=page, size=size)


def report(session: Session, job_id: uuid.UUID, *, page: int, size: int, outcome: str | None = None) -> JobReport:
    return _report(session, IMPORT, job_id, page=page, size=size, outcome=outcome)


def job_items(session: Session, job_id: uuid.UUID, *, page: int, size: int, outcome: str | None = None) -> Page:
    return _job_items(session, IMPORT, job_id, page=page, size=size, outcome=outcome)
