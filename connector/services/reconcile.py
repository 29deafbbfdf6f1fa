"""The reconciler: brings Webitel to the records whose last unit of work did not end cleanly (a lost
answer, a timeout, a refused undo, a process that died) and checks again the records a late write may
still reach. It is level-triggered: it reads what Webitel holds, compares it with the record, and
acts on the difference, whatever happened before.

Records are claimed one at a time (:func:`claims.claim_due`, ``SKIP LOCKED`` on PostgreSQL), so any
number of connector processes can run passes side by side and never work on one record together.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from .. import metrics
from ..core.names import name_key
from ..errors import ConnectorError
from ..models import SyncState, WebitelUser, WebitelUserState
from . import steps
from .context import Context
from .webitel_users import claims, lifecycle, plans, sync, token_sweeps
from .webitel_users.agents import AGENT_ON_CALL
from .webitel_users.desired import Desired

log = logging.getLogger("connector.reconcile")

IN_SYNC, PENDING, CONFLICT, REMOVED, LOST, FAILED = "in_sync", "pending", "conflict", "removed", "lost", "failed"


MAX_ROUNDS = 5


def reconcile_pass(ctx: Context, *, due_only: bool = True, limit: int | None = None) -> Counter[str]:
    """Work through the pending records (the due ones, unless ``due_only`` is off); returns how many
    ended in each state. A record that waits for another one (an extension the other is giving up) is
    tried again in the same pass once the other got through, for a few rounds."""
    results: Counter[str] = Counter()
    retry: set[uuid.UUID] | None = None
    started = time.perf_counter()
    _sweep_tokens(ctx, due_only=due_only)
    for _round in range(MAX_ROUNDS):
        ended = _round_of(ctx, due_only=due_only, limit=limit, only=retry)
        for state in ended.values():
            results[state] += 1
        waiting = {record_id for record_id, state in ended.items() if state == PENDING}
        if not waiting or not any(state in (IN_SYNC, REMOVED) for state in ended.values()):
            break
        results[PENDING] -= len(waiting)  # counted again by the next round
        retry, due_only = waiting, False
    results = +results
    if results:
        log.info("reconcile pass: %s", dict(results))
    metrics.reconciler_runs.labels(outcome="ok").inc()
    metrics.reconciler_run_duration.observe(time.perf_counter() - started)
    count_records(ctx)
    return results


def _sweep_tokens(ctx: Context, *, due_only: bool) -> None:
    """The STUN tokens whose creation's answer was lost, once no late request can add one any more."""
    try:
        token_sweeps.sweep_due(ctx, due_only=due_only)
    except SQLAlchemyError:
        ctx.session.rollback()
        log.exception("could not sweep the STUN tokens left in Webitel; the next pass tries again")


def count_records(ctx: Context) -> None:
    """The records by sync state, for the gauge dashboards watch."""
    rows = ctx.session.execute(select(WebitelUser.sync_state, func.count())
                               .group_by(WebitelUser.sync_state)).all()
    counts = {state: count for state, count in rows}
    ctx.session.rollback()
    for state in SyncState:
        metrics.webitel_user_records.labels(state=state.value).set(counts.get(state, 0))


def _round_of(ctx: Context, *, due_only: bool, limit: int | None, only: set[uuid.UUID] | None) -> dict[uuid.UUID, str]:
    ended: dict[uuid.UUID, str] = {}
    while limit is None or len(ended) < limit:
        batch = claims.claim_due(ctx, limit=1, due_only=due_only, exclude=set(ended),
                                 ids=sorted(only - set(ended)) if only is not None else None)
        if not batch.record_ids:
            break
        record_id = batch.record_ids[0]
        ended[record_id] = converge_claimed(ctx, record_id, batch.claim_id)
    return ended


def converge_claimed(ctx: Context, record_id: uuid.UUID, claim_id: str, *, recreate: bool = False) -> str:
    """Converge one claimed record and write what it is now; returns its resulting state."""
    session = ctx.session
    record = claims.load_claimed(session, record_id, claim_id)
    if record is None:
        session.rollback()
        return LOST
    name = record.webitel_username
    before = Desired.capture(record)
    outcome = lifecycle.converge(f"reconcile {name}", plans.converge(ctx.webitel, record, recreate=recreate),
                                 action=f"reconciling the Webitel user {name}",
                                 budget_s=ctx.settings.request_deadline_s)
    action = f"reconcile {name}" + (" (recreate)" if recreate else "")
    result = lifecycle.finish(ctx, record, before, _Reconcile(action, outcome))
    if result not in (LOST, FAILED):
        log.log(logging.INFO if result in (IN_SYNC, REMOVED) else logging.WARNING, "reconciled %s: %s%s", name,
                result, f" ({record.sync_error})" if result in (PENDING, CONFLICT) and record.sync_error else "")
    return result


@dataclass(frozen=True)
class _Reconcile:
    """The reconciler's policy: the record is what converging it made it (in sync, removed, pending
    for another try, or in conflict); the value is that state."""

    action: str
    outcome: steps.Outcome

    def settle(self, ctx: Context, record: WebitelUser) -> lifecycle.Settled[str]:
        result = _settle(ctx, record, self.outcome)
        failure = self.outcome.failure
        return lifecycle.Settled(result, result, after=None if result == REMOVED else Desired.capture(record),
                                 error_code=failure.code if failure is not None else None, calls=self.outcome.calls)

    def taken_over(self) -> str:
        return LOST

    def refused(self, _ctx: Context) -> str:
        return FAILED

    def failed(self) -> str:
        return FAILED


def _settle(ctx: Context, record: WebitelUser, outcome: steps.Outcome) -> str:
    if outcome.uncertain:
        sync.note_uncertain(ctx, record, outcome.calls)
    if outcome.ok:
        if record.state == WebitelUserState.DELETING:
            return REMOVED if sync.remove(ctx, record) else PENDING
        record.state = WebitelUserState.ACTIVE
        sync.mark_in_sync(ctx, record)
        return str(record.sync_state)
    if outcome.failure is not None:
        if _waits_for_another_record(ctx, outcome.failure):
            sync.mark_pending(ctx, record, outcome.failure.message)
            return PENDING
        sync.mark_conflict(ctx, record, outcome.failure.message)
        return CONFLICT
    sync.mark_pending(ctx, record, str(outcome.pending))
    return PENDING


def _waits_for_another_record(ctx: Context, failure: ConnectorError) -> bool:
    """Webitel refused the record's extension because one of the connector's own records still holds
    it there while it moves to another (pending too), or refused to remove an agent while it holds a
    call: not a conflict, only a matter of waiting."""
    if failure.code == AGENT_ON_CALL:  # Webitel refuses it only until the agent's call ends
        return True
    holder = failure.details.get("holder")
    if failure.code != "extension_taken" or not holder:
        return False
    record = ctx.session.scalar(select(WebitelUser).where(WebitelUser.webitel_username_key == name_key(holder)))
    return record is not None and record.sync_state == SyncState.PENDING


def next_due(ctx: Context) -> datetime | None:
    """When the next pending record is due (None: none is pending)."""
    return ctx.session.scalar(select(func.min(WebitelUser.next_attempt_at))
                              .where(WebitelUser.sync_state == SyncState.PENDING))
