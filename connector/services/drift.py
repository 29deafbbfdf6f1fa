"""Drift: where Webitel and the records differ, and repairing it.

The report compares every record with Webitel's user (extension, licenses, roles, STUN) and lists
Webitel users no record links. Repair converges chosen records ``to_webitel`` (Webitel is made what the
record says, a vanished user created again) or ``to_record`` (the record takes what Webitel holds). It
never deletes or adopts a Webitel user that has no record: those are left to the import.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from .. import deadline, metrics
from ..core.paging import Page
from ..errors import ConnectorError
from ..models import WebitelUser, WebitelUserState
from ..webitel import WebitelError
from . import drift_report
from .context import Context
from .drift_report import MISSING_IN_WEBITEL, DriftOptions
from .reconcile import converge_claimed
from .upstream import upstream_error
from .webitel_users import claims, lifecycle, remote, rules, stun, sync, token_sweeps
from .webitel_users.desired import Desired

TO_WEBITEL, TO_RECORD = "to_webitel", "to_record"


def report(ctx: Context, *, page: int, size: int, with_stun: bool = True, concurrency: int = 4) -> Page:
    """The whole report computed while the caller waits (a drift check, ``drift_checks``, computes it
    in the background for many users)."""
    items = differences(ctx, with_stun=with_stun, concurrency=concurrency)
    return Page(items=items[(page - 1) * size: page * size], page=page, size=size, total=len(items))


def differences(ctx: Context, *, with_stun: bool = True, concurrency: int = 4) -> list[dict[str, Any]]:
    options = DriftOptions(with_stun=with_stun, concurrency=concurrency)
    items: list[dict[str, Any]] = []
    try:
        for found in drift_report.check(ctx, options):
            items += found.items
            token_sweeps.note(ctx, found.calls)
        ctx.session.commit()
    except WebitelError as exc:
        ctx.session.rollback()
        raise upstream_error(exc, "reading Webitel's users for the drift report") from exc
    return drift_report.ordered(items)


def repair(ctx: Context, *, ids: list[uuid.UUID] | None, direction: str) -> list[dict[str, Any]]:
    """Repair each record (every record when ``ids`` is None), within the request's time budget: what
    is not reached in time is marked pending and the reconciler finishes it."""
    targets = ids if ids is not None else list(ctx.session.scalars(select(WebitelUser.id)
                                                                   .order_by(WebitelUser.webitel_username_key)))
    ctx.session.commit()
    results = []
    for record_id in targets:
        if deadline.expired():
            results.append(_postponed(record_id, direction))
            continue
        results.append({"record_id": str(record_id), **_repair_one(ctx, record_id, direction)})
        if results[-1]["outcome"] == "repaired":
            metrics.drift_repaired.labels(kind=direction).inc()
    return results


def _repair_one(ctx: Context, record_id: uuid.UUID, direction: str) -> dict[str, Any]:
    try:
        record = claims.claim(ctx, record_id, allow_deleting=True)
    except ConnectorError as exc:
        return {"outcome": "skipped", "code": exc.code, "message": exc.message}
    claim_id = record.claim_id
    assert claim_id is not None
    if direction == TO_WEBITEL:
        ctx.session.commit()  # the claim, so that it holds while Webitel is called
        state = converge_claimed(ctx, record_id, claim_id, recreate=True)
        return {"outcome": {"in_sync": "repaired", "removed": "repaired"}.get(state, state), "sync_state": state}
    with token_sweeps.noted(ctx):
        return _take_from_webitel(ctx, record)


def _take_from_webitel(ctx: Context, record: WebitelUser) -> dict[str, Any]:
    session = ctx.session
    try:
        user = ctx.webitel.find_user(record.webitel_user_id) if record.webitel_user_id else None
        found = stun.read(ctx.webitel, str(user["id"])) if user is not None else None
        agent = ctx.webitel.find_agent_of(str(user["id"])) if user is not None else None
        rows = ctx.webitel.agent_skills(str(agent["id"])) if agent is not None else []
    except WebitelError as exc:
        session.rollback()
        failure = upstream_error(exc, f"reading the Webitel user {record.webitel_username}")
        return {"outcome": "failed", "code": failure.code, "message": failure.message}
    if user is None or found is None or record.state != WebitelUserState.ACTIVE:
        session.rollback()
        return {"outcome": "skipped", "code": MISSING_IN_WEBITEL,
                "message": "Webitel has no user for this record (or it is being created or deleted): repair it "
                           "to_webitel, or delete the record"}
    before = Desired.capture(record)
    return lifecycle.finish(ctx, record, before, _TakeFromWebitel(record, user, found, agent, rows))


@dataclass(frozen=True)
class _TakeFromWebitel:
    """``to_record`` repair's policy: the record takes what Webitel holds and is in sync; the value is
    the repair's item."""

    record: WebitelUser
    user: dict
    stun: bool
    agent: dict | None
    skill_rows: list[dict]

    @property
    def action(self) -> str:
        return f"repair {self.record.webitel_username} to_record"

    def settle(self, ctx: Context, record: WebitelUser) -> lifecycle.Settled[dict[str, Any]]:
        remote.take(record, self.user, stun=self.stun, agent=self.agent, skill_rows=self.skill_rows)
        sync.mark_in_sync(ctx, record)
        return lifecycle.Settled({"outcome": "repaired", "sync_state": record.sync_state}, "done",
                                 after=Desired.capture(record))

    def taken_over(self) -> dict[str, Any]:
        return {"outcome": "lost", "code": "operation_in_progress", "message": "another unit of work took the record"}

    def refused(self, ctx: Context) -> dict[str, Any]:
        """A uniqueness rule refused what Webitel holds (another record has the extension)."""
        error = rules.local_conflict(ctx.session, record_id=self.record.id, system_user_id=None, user_name=None,
                                     webitel_username=self.record.webitel_username,
                                     extension=remote.extension_of(self.user))
        return {"outcome": "failed", "code": error.code, "message": error.message}

    def failed(self) -> dict[str, Any]:
        return {"outcome": "failed", "code": "database_error", "message": "The connector's database failed"}


def _postponed(record_id: uuid.UUID, direction: str) -> dict[str, Any]:
    return {"record_id": str(record_id), "outcome": "not_reached",
            "message": f"the request's time ran out before this record: repair it {direction} again"}
