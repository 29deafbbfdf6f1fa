"""The reconciler: brings Webitel to the records whose last unit of work did not end cleanly (a lost
answer, a timeout, a refused undo, a process that died) and checks again the records a late write may
still reach. It is level-triggered: it reads what Webitel holds, compares it with the record, and
acts on the difference, whatever happened before.

Records are claimed one at a time (:func:`claims.claim_due`, ``SKIP LOCKED`` on PostgreSQL), so any
number of connector processes can run passes side by side and never work on one record together.
"""

from __future__ import annotations

import logging
import uuid
from collections import Counter
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm.exc import StaleDataError

from .. import deadline
from ..models import SyncState, WebitelUser, WebitelUserState
from . import steps
from .context import Context
from .webitel_users import claims, plans, sync

log = logging.getLogger("connector.reconcile")

IN_SYNC, PENDING, CONFLICT, REMOVED, LOST, FAILED = "in_sync", "pending", "conflict", "removed", "lost", "failed"


def reconcile_pass(ctx: Context, *, due_only: bool = True, limit: int | None = None) -> Counter[str]:
    """Work through the pending records (the due ones, unless ``due_only`` is off), each once; returns
    how many ended in each state."""
    results: Counter[str] = Counter()
    seen: set[uuid.UUID] = set()
    while limit is None or len(seen) < limit:
        batch = claims.claim_due(ctx, limit=1, due_only=due_only, exclude=seen)
        if not batch.record_ids:
            break
        record_id = batch.record_ids[0]
        seen.add(record_id)
        results[converge_claimed(ctx, record_id, batch.claim_id)] += 1
    if results:
        log.info("reconcile pass: %s", dict(results))
    return results


def converge_claimed(ctx: Context, record_id: uuid.UUID, claim_id: str, *, recreate: bool = False) -> str:
    """Converge one claimed record and write what it is now; returns its resulting state."""
    session = ctx.session
    record = claims.load_claimed(session, record_id, claim_id)
    if record is None:
        session.rollback()
        return LOST
    name = record.webitel_username
    with deadline.budget(ctx.settings.request_deadline_s):
        outcome = steps.run(f"reconcile {name}", plans.converge(ctx.webitel, record, recreate=recreate),
                            action=f"reconciling the Webitel user {name}")
    try:
        claims.release(record)
        result = _settle(ctx, record, outcome)
        session.commit()
    except StaleDataError:  # the claim lapsed and another unit of work took the record: it decides
        session.rollback()
        return LOST
    except SQLAlchemyError:
        session.rollback()
        log.exception("could not save the reconciled record %s", name)
        return FAILED
    log.log(logging.INFO if result in (IN_SYNC, REMOVED) else logging.WARNING, "reconciled %s: %s%s", name, result,
            f" ({record.sync_error})" if result in (PENDING, CONFLICT) and record.sync_error else "")
    return result


def _settle(ctx: Context, record: WebitelUser, outcome: steps.Outcome) -> str:
    if outcome.uncertain:
        sync.note_uncertain(ctx, record)
    if outcome.ok:
        if record.state == WebitelUserState.DELETING:
            ctx.session.delete(record)
            return REMOVED
        record.state = WebitelUserState.ACTIVE
        sync.mark_in_sync(ctx, record)
        return record.sync_state
    if outcome.failure is not None:
        sync.mark_conflict(ctx, record, outcome.failure.message)
        return CONFLICT
    sync.mark_pending(ctx, record, str(outcome.pending))
    return PENDING


def next_due(ctx: Context) -> datetime | None:
    """When the next pending record is due (None: none is pending)."""
    return ctx.session.scalar(select(func.min(WebitelUser.next_attempt_at))
                              .where(WebitelUser.sync_state == SyncState.PENDING))
