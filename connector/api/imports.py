"""GetWebitelUsers: start an import, follow it, read what it did for each Webitel user."""

from __future__ import annotations

import uuid
from typing import Any

from ..core.paging import Page
from ..imports_runner import start_in_background
from ..models import ImportJob
from ..services import imports as service
from ..services.imports.jobs import JobReport
from . import schemas as s
from .context import caller, connector, db
from .routing import Answer, ApiBlueprint

bp = ApiBlueprint("imports", __name__, tag="GetWebitelUsers", url_prefix="/api/v1/imports")
FINISHES_FIRST_S = 1.0  # a small import that finishes within this answers 200 with the final job


@bp.operation("POST", "", summary="Import every Webitel user into Creatio (GetWebitelUsers)", status=202,
              body=s.ImportStartSchema, response=s.ImportJobSchema, errors=(200, 409, 422))
def start(body: dict[str, Any]) -> ImportJob | Answer:
    """202 with the running job (follow it with GET /imports/{id}), or 200 with the final job when it
    finished at once. 409 ``import_running`` while another import runs (in any connector process)."""
    app = connector()
    job = service.start_job(db(), dry_run=body["dry_run"], actor=caller())
    options = service.ImportOptions(dry_run=body["dry_run"], with_stun=body["stun"],
                                    page_size=app.config.import_page_size, concurrency=app.config.import_concurrency,
                                    account_name=app.config.import_account_name or None)
    worker = start_in_background(app.sessions, app.webitel, app.creatio, app.config.sync_settings, job.id, options,
                                 actor=caller())
    worker.join(FINISHES_FIRST_S)
    db().expire_all()
    job = service.get_job(db(), job.id)
    return job if job.status == "running" else Answer(job, 200)


@bp.operation("GET", "", summary="Recent imports, newest first", query=s.PageQuerySchema, response=s.ImportJobPage,
              errors=(422,))
def recent(query: dict[str, Any]) -> Page[ImportJob]:
    return service.list_jobs(db(), **query)


@bp.operation("GET", "/<uuid:job_id>", summary="An import: its progress, summary and items",
              query=s.ImportItemsQuerySchema, response=s.ImportJobWithItemsSchema, errors=(404, 422))
def read(job_id: uuid.UUID, query: dict[str, Any]) -> JobReport:
    """``items`` is one page of what the import did with each Webitel user (``?page&size&outcome``)."""
    return service.report(db(), job_id, **query)
