"""Drift checks: the drift report (``drift_report``) computed by a background job, its differences
kept in the database and served from there a page at a time. A check is a job like an import
(``jobs``): one runs at a time across the connector's processes, its progress and heartbeat are in
its row, and a check whose process died is marked failed."""

from __future__ import annotations

import uuid
from collections import Counter
from typing import cast

from sqlalchemy import Table, insert

from ..core.paging import Page
from ..models import DriftItem, ImportJob
from . import jobs
from .context import Context
from .drift_report import KINDS, DriftOptions, check
from .imports.collector import fewer_collections
from .webitel_reading import count_users
from .webitel_users import token_sweeps

DRIFT_ITEM = cast(Table, DriftItem.__table__)


def start(ctx: Context) -> ImportJob:
    """A new running check; 409 ``drift_check_running`` (with the running one) when one runs."""
    return jobs.start_job(ctx.session, jobs.DRIFT, actor=ctx.actor)


def run(ctx: Context, job: ImportJob, options: DriftOptions) -> ImportJob:
    """Run the check ``job`` to its end (succeeded or failed) and return it."""
    session = ctx.session
    found: Counter[str] = Counter(dict.fromkeys(KINDS, 0))

    def work() -> None:
        with fewer_collections():
            job.total = count_users(ctx.webitel)
            jobs.beat(session, job, dict(found))
            seq = 0
            for step in check(ctx, options):
                rows = []
                for item in step.items:
                    seq += 1
                    sync = item.get("sync") or {}
                    rows.append({"job_id": job.id, "seq": seq, "kind": item["kind"], "record_id": item["record_id"],
                                 "webitel_user_id": item["webitel_user_id"],
                                 "webitel_username": item["webitel_username"], "fields": item["fields"],
                                 "sync_state": sync.get("state"), "sync_error": sync.get("last_error"),
                                 "sync_checked_at": sync.get("checked_at")})
                if rows:
                    session.execute(insert(DRIFT_ITEM), rows)
                found.update(item["kind"] for item in step.items)
                job.done += step.users
                token_sweeps.note(ctx, step.calls)
                jobs.beat(session, job, dict(found))

    return jobs.run(session, jobs.DRIFT, job, work)


def get(ctx: Context, job_id: uuid.UUID) -> ImportJob:
    return jobs.get_job(ctx.session, jobs.DRIFT, job_id)


def recent(ctx: Context, *, page: int, size: int) -> Page:
    return jobs.list_jobs(ctx.session, jobs.DRIFT, page=page, size=size)


def report(ctx: Context, job_id: uuid.UUID, *, page: int, size: int, kind: str | None = None) -> jobs.JobReport:
    return jobs.report(ctx.session, jobs.DRIFT, job_id, page=page, size=size, kind=kind)
