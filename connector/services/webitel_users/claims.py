"""Claims: which unit of work (an API request, a reconciler, a repair) holds a record.

A claim is a compare-and-set on the record's row (``claim_id``, ``claimed_until``), committed with the
unit of work's intent, so it holds across that unit's commits and across processes: every connector
process behind a load balancer sees the same row, and PostgreSQL's row lock orders two claimers of
one record. A claim lapses at ``claimed_until`` (its holder died). Taking a claim bumps the row's
version counter, and every ORM write checks it: a holder whose claim lapsed and was taken over writes
nothing.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, Result, or_, select, update
from sqlalchemy.orm import Session

from ... import deadline
from ...errors import Conflict, NotFound
from ...models import SyncState, WebitelUser, WebitelUserState
from ..context import Context

FIRST_WAIT_S, LONGEST_WAIT_S = 0.02, 0.25


def new_claim() -> str:
    return uuid.uuid4().hex


def claim(ctx: Context, record_id: uuid.UUID, *, allow_deleting: bool = False) -> WebitelUser:
    """The record, claimed by this unit of work (not committed yet: the intent's commit commits it).
    Waits while another unit of work holds it, within the time budget; then 409."""
    session, claim_id = ctx.session, new_claim()
    left = deadline.remaining()
    give_up = time.monotonic() + (left if left is not None else ctx.settings.request_deadline_s)
    wait = FIRST_WAIT_S
    while True:
        now = ctx.now()
        taken = _rows(session.execute(
            update(WebitelUser).where(WebitelUser.id == record_id, _free(now))
            .values(claim_id=claim_id, claimed_until=now + timedelta(seconds=ctx.settings.claim_s),
                    version=WebitelUser.version + 1)
            .execution_options(synchronize_session=False)))
        if taken:
            record = session.execute(select(WebitelUser).where(WebitelUser.id == record_id)
                                     .execution_options(populate_existing=True)).scalar_one()
            if record.state == WebitelUserState.DELETING and not allow_deleting:
                session.rollback()
                raise _busy(record.webitel_username, "being deleted")
            return record
        holder = session.scalar(select(WebitelUser.webitel_username).where(WebitelUser.id == record_id))
        session.rollback()
        if holder is None:
            raise NotFound(f"No Webitel user record with id {record_id}")
        if time.monotonic() + wait > give_up:
            raise _busy(holder, "being changed by another request")
        time.sleep(wait)
        wait = min(wait * 2, LONGEST_WAIT_S)


@dataclass(frozen=True)
class Batch:
    claim_id: str
    record_ids: list[uuid.UUID]


def claim_due(ctx: Context, *, limit: int, due_only: bool = True, ids: list[uuid.UUID] | None = None,
              exclude: set[uuid.UUID] | None = None) -> Batch:
    """Claim up to ``limit`` pending records nobody holds (due ones only, unless ``due_only`` is off;
    or the records ``ids``, whatever their state) and commit the claims. Other processes skip the rows
    this one is claiming (``SKIP LOCKED``), so two reconcilers never work on one record."""
    session, now, claim_id = ctx.session, ctx.now(), new_claim()
    stmt = select(WebitelUser.id).where(_free(now))
    if ids is None:
        stmt = stmt.where(WebitelUser.sync_state == SyncState.PENDING)
        if due_only:
            stmt = stmt.where(WebitelUser.next_attempt_at <= now)
    else:
        stmt = stmt.where(WebitelUser.id.in_(ids))
    if exclude:
        stmt = stmt.where(WebitelUser.id.not_in(exclude))
    chosen = list(session.scalars(stmt.order_by(WebitelUser.next_attempt_at).limit(limit)
                                  .with_for_update(skip_locked=True)))
    if chosen:
        session.execute(update(WebitelUser).where(WebitelUser.id.in_(chosen), _free(now))
                        .values(claim_id=claim_id, claimed_until=now + timedelta(seconds=ctx.settings.claim_s),
                                version=WebitelUser.version + 1)
                        .execution_options(synchronize_session=False))
    session.commit()
    return Batch(claim_id, chosen)


def load_claimed(session: Session, record_id: uuid.UUID, claim_id: str) -> WebitelUser | None:
    return session.execute(select(WebitelUser).where(WebitelUser.id == record_id, WebitelUser.claim_id == claim_id)
                           .execution_options(populate_existing=True)).scalar_one_or_none()


def release(record: WebitelUser) -> None:
    """Let go of the claim with the unit of work's result (the same UPDATE, fenced by the version
    counter: if the claim lapsed and another unit of work took the record, the write fails with
    StaleDataError and nothing is written)."""
    record.claim_id, record.claimed_until = None, None


def _rows(result: Result[Any]) -> int:
    """The rows an UPDATE matched."""
    return cast(CursorResult[Any], result).rowcount


def _free(now: datetime) -> ColumnElement[bool]:
    return or_(WebitelUser.claim_id.is_(None), WebitelUser.claimed_until < now)


def _busy(username: str, why: str) -> Conflict:
    return Conflict(f"The Webitel user {username} is {why}; try again in a moment", code="operation_in_progress")
