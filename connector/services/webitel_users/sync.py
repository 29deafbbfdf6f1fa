"""How a record stands with Webitel after a unit of work: in sync, pending (the reconciler finishes it,
with backoff) or in conflict (Webitel refuses it; a person decides). One home for these marks."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from ...models import SyncState, WebitelUser
from ...webitel.calls import Call
from ..context import Context
from . import token_sweeps

ERROR_LIMIT = 1000


def note_uncertain(ctx: Context, record: WebitelUser, calls: Iterable[Call]) -> None:
    """A request whose fate was unknown went out: check the record again once it can no longer land
    (and sweep the STUN tokens whose creation it may have been)."""
    until = ctx.now() + timedelta(seconds=ctx.settings.late_write_horizon_s)
    record.recheck_at = until if record.recheck_at is None else max(record.recheck_at, until)
    token_sweeps.note(ctx, calls)


def mark_in_sync(ctx: Context, record: WebitelUser) -> None:
    """Webitel was seen to match the record. Until a late write can no longer land, it stays pending
    for one more check."""
    now = ctx.now()
    record.checked_at, record.sync_error, record.attempts = now, None, 0
    if record.recheck_at is not None and record.recheck_at > now:
        record.sync_state, record.next_attempt_at = SyncState.PENDING, record.recheck_at
    else:
        record.sync_state, record.next_attempt_at, record.recheck_at = SyncState.IN_SYNC, None, None


def remove(ctx: Context, record: WebitelUser) -> bool:
    """Webitel holds no user for a record being deleted: the record goes (True). Unless the create of
    its user may still land (the record was never linked to a Webitel user, and a request whose fate
    was unknown went out before the late-write horizon): then it stays, deleting and pending, until the
    horizon, and the reconciler removes whatever landed (False). Removing it now would leave that
    user in Webitel for good, with no record to say it is the connector's."""
    now = ctx.now()
    if record.webitel_user_id is None and record.recheck_at is not None and record.recheck_at > now:
        record.sync_state, record.next_attempt_at, record.checked_at = SyncState.PENDING, record.recheck_at, now
        record.attempts = 0
        record.sync_error = (f"deleting: the Webitel user's create may still land until "
                             f"{record.recheck_at:%Y-%m-%d %H:%M:%S} UTC; the connector removes it then")
        return False
    ctx.session.delete(record)
    return True


def mark_pending(ctx: Context, record: WebitelUser, error: str) -> None:
    """Not finished: the reconciler tries again after a backoff that grows with each failed attempt."""
    now = ctx.now()
    record.attempts += 1
    record.sync_state, record.sync_error, record.checked_at = SyncState.PENDING, error[:ERROR_LIMIT], now
    record.next_attempt_at = now + ctx.settings.backoff(record.attempts)


def mark_conflict(ctx: Context, record: WebitelUser, error: str) -> None:
    """Webitel refuses what the record says: nothing retries it until the record changes or a repair."""
    record.sync_state, record.sync_error, record.checked_at = SyncState.CONFLICT, error[:ERROR_LIMIT], ctx.now()
    record.next_attempt_at, record.attempts = None, 0



def mark_unverified(ctx: Context, record: WebitelUser) -> None:
    """The steps of a change went through, but the record was not in sync before it (an earlier change
    is pending, or Webitel refused one): the reconciler checks the whole record now."""
    now = ctx.now()
    record.sync_state, record.checked_at, record.next_attempt_at = SyncState.PENDING, now, now
