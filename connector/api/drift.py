"""Drift between the records and Webitel, and its repair; drift checks, the report computed in the
background and read from the database."""

from __future__ import annotations

import uuid
from typing import Any

from ..core.paging import Page
from ..imports_runner import check_in_background
from ..models import ImportJob
from ..services import drift, drift_checks
from ..services.drift_report import DriftOptions
from ..services.jobs import JobReport
from . import schemas as s
from .context import connector, db, services
from .routing import UPSTREAM, Answer, ApiBlueprint

bp = ApiBlueprint("drift", __name__, tag="Drift", url_prefix="/api/v1/drift")
FINISHES_FIRST_S = 1.0  # a small check that finishes within this answers 200 with the final check


@bp.operation("GET", "", summary="Where the records and Webitel differ", query=s.DriftQuerySchema,
              response=s.DriftPage, errors=(422, *UPSTREAM))
def report(query: dict[str, Any]) -> Page[dict[str, Any]]:
    """Every record compared with its Webitel user (extension, licenses, roles, STUN, agent), and the
    Webitel users no record links, computed while the request waits (within the request deadline: for
    many users start a drift check instead). ``stun=false`` skips reading STUN (three Webitel calls a user)."""
    return drift.report(services(), page=query["page"], size=query["size"], with_stun=query["stun"],
                        concurrency=connector().config.import_concurrency)


@bp.operation("POST", "/checks", summary="Start a drift check (the drift report computed in the background)",
              status=202, body=s.DriftCheckStartSchema, response=s.DriftCheckSchema, errors=(200, 409, 422))
def start_check(body: dict[str, Any]) -> ImportJob | Answer:
    """202 with the running check (follow it with GET /drift/checks/{id}), or 200 with the finished
    check when it finished at once. 409 ``drift_check_running`` while another check runs (in any
    connector process)."""
    app, ctx = connector(), services()
    job = drift_checks.start(ctx)
    options = DriftOptions(with_stun=body["stun"], page_size=app.config.import_page_size,
                           concurrency=app.config.import_concurrency)
    worker = check_in_background(app.sessions, app.webitel, app.config.sync_settings, job.id, options,
                                 actor=ctx.actor)
    worker.join(FINISHES_FIRST_S)
    db().expire_all()
    job = drift_checks.get(services(), job.id)
    return job if job.status == "running" else Answer(job, 200)


@bp.operation("GET", "/checks", summary="Recent drift checks, newest first", query=s.PageQuerySchema,
              response=s.DriftCheckPage, errors=(422,))
def recent_checks(query: dict[str, Any]) -> Page[ImportJob]:
    return drift_checks.recent(services(), **query)


@bp.operation("GET", "/checks/<uuid:check_id>", summary="A drift check: its progress, summary and differences",
              query=s.DriftCheckItemsQuerySchema, response=s.DriftCheckWithItemsSchema, errors=(404, 422))
def read_check(check_id: uuid.UUID, query: dict[str, Any]) -> JobReport:
    """``items`` is one page of the differences the check found (``?page&size&kind``), read from the
    database: what Webitel and the records held when the check read them."""
    return drift_checks.report(services(), check_id, **query)


@bp.operation("POST", "/repair", summary="Converge records to Webitel or Webitel to records",
              body=s.DriftRepairSchema, response=s.DriftRepairAnswer, errors=(422,))
def repair(body: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """``to_webitel``: Webitel is made what each record says (a vanished user is created again);
    ``to_record``: each record takes what Webitel holds. Every record when ``ids`` is left out. A Webitel
    user without a record is never deleted or adopted: the import links those."""
    return {"items": drift.repair(services(), ids=body.get("ids"), direction=body["direction"])}
