"""One unit of work on a Webitel user record — the only code that commits, rolls back and decides what
a record is after its Webitel steps ran.

1. The record is claimed and changed to what it should be (the desired state); the database's
   constraints check it; this *intent* is committed, marked pending, with the claim.
2. The step runner converges Webitel to it (:mod:`connector.services.steps`).
3. The result is committed with the claim released:
   - every step done: the record is in sync (or pending one more check, when a request whose fate was
     unknown may still land); a delete removes the record (or keeps it, deleting and pending, while a
     create whose fate is unknown may still land);
   - a step refused: the record is put back as it was (Webitel's steps were undone; if an undo could
     not be confirmed, the record is pending and the reconciler brings Webitel back to it); a create
     Webitel refused leaves no record;
   - a step's fate unknown, or the time budget spent: the record keeps what was asked, pending, and
     the reconciler finishes it.
If the process dies between 1 and 3, the committed intent says what to finish once the claim lapses.
Steps 2 and 3 are the one lifecycle's (:mod:`.lifecycle`); this module is the API request's policy.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass, replace

from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from ...errors import ConnectorError, DatabaseUnavailable, UpstreamError
from ...models import SyncState, WebitelUser, WebitelUserState
from ...webitel.errors import WebitelDeadlineExceeded
from ..context import Context
from ..steps import Outcome, Plan
from ..upstream import upstream_error
from . import lifecycle, record_rows, rules, sync
from .desired import Desired

log = logging.getLogger("connector.webitel_users")


class Kind(enum.Enum):
    CREATE = "created"
    CHANGE = "changed"
    DELETE = "deleted"

    @property
    def not_done(self) -> str:
        return f"not_{self.value}"


def apply(ctx: Context, record: WebitelUser, before: Desired | None, plan: Plan, *, kind: Kind, operation: str,
          action: str) -> WebitelUser | None:
    """Commit ``record`` (claimed, changed) as the intent, converge Webitel with ``plan``, commit the
    result; returns the record (None after a delete; the record when it stays until a create whose
    fate is unknown can no longer land) or raises the error to answer."""
    was_in_sync = record.sync_state == SyncState.IN_SYNC
    commit_intent(ctx, record, kind)
    return carry_out(ctx, record, before, plan, kind=kind, operation=operation, action=action,
                     was_in_sync=was_in_sync)


def carry_out(ctx: Context, record: WebitelUser, before: Desired | None, plan: Plan, *, kind: Kind, operation: str,
              action: str, was_in_sync: bool) -> WebitelUser | None:
    """Steps 2 and 3 for a record whose intent is committed (:func:`apply` without step 1)."""
    outcome = lifecycle.converge(operation, plan, action=action)  # within the request's own budget
    _log(outcome, record)
    return _finish(ctx, record, before, outcome, kind, action, was_in_sync)


def end_read(session: Session, kind: Kind) -> None:
    """End the reads that checked the rules, so that the intent's write starts a transaction of its own
    (SQLite cannot turn a read that another writer overtook into a write)."""
    try:
        session.commit()
    except SQLAlchemyError:
        session.rollback()
        raise DatabaseUnavailable(f"The connector's database failed; nothing was {kind.value}",
                                  outcome=kind.not_done) from None


def commit_intent(ctx: Context, record: WebitelUser, kind: Kind) -> None:
    """Step 1: commit the claimed record, changed (a new one: reserved), as pending; raises the
    error to answer when the database refuses it."""
    assert record.claim_id is not None, "a unit of work runs on a claimed record"
    # The record's values, for the message if the database refuses them (a rollback forgets them).
    facts = (record.id, record.system_user_id, record.user_name, record.webitel_username, record.extension)
    record.sync_state = SyncState.PENDING
    record.next_attempt_at = record.claimed_until  # a unit of work that dies is finished once its claim lapses
    session = ctx.session
    try:
        if kind is Kind.CREATE:  # a new record: its reservation's INSERT checks the uniqueness rules
            record_rows.insert_record(session, record)
        session.commit()
    except IntegrityError:
        session.rollback()
        record_id, system_user_id, user_name, webitel_username, extension = facts
        raise rules.local_conflict(session, record_id=record_id, system_user_id=system_user_id, user_name=user_name,
                                   webitel_username=webitel_username, extension=extension) from None
    except SQLAlchemyError:
        session.rollback()
        log.exception("could not save the intent of %s", facts[3])
        raise DatabaseUnavailable(f"The connector's database failed; nothing was {kind.value}",
                                  outcome=kind.not_done) from None


def _finish(ctx: Context, record: WebitelUser, before: Desired | None, outcome: Outcome, kind: Kind,
            action: str, was_in_sync: bool) -> WebitelUser | None:
    policy = _Request(outcome, kind, action, before, was_in_sync, str(record.id), record.webitel_username)
    error = lifecycle.finish(ctx, record, before, policy)
    if record.sync_state == SyncState.PENDING and record.next_attempt_at is not None:
        ctx.pending_at(record.next_attempt_at)  # now that it is committed, the reconciler can see it
    if error is not None:
        raise error
    return None if kind is Kind.DELETE and inspect(record).was_deleted else record


@dataclass
class _Request:
    """An API request's policy: the record is what the steps made it (or put back after a refusal),
    and the error to answer is the value; a commit that fails is an error to answer too."""

    outcome: Outcome
    kind: Kind
    what: str  # what the request was doing, for the messages
    before: Desired | None
    was_in_sync: bool
    record_id: str
    username: str

    @property
    def action(self) -> str:
        return self.outcome.operation

    def settle(self, ctx: Context, record: WebitelUser) -> lifecycle.Settled[ConnectorError | None]:
        asked = _asked(record, self.kind)  # before the result may put the record back
        error = _settle(ctx, record, self.before, self.outcome, self.kind, self.what, self.was_in_sync)
        result = "done" if error is None else str(error.details.get("outcome") or "refused")
        return lifecycle.Settled(error, result, after=asked, error_code=error.code if error is not None else None,
                                 calls=self.outcome.calls)

    def taken_over(self) -> ConnectorError | None:
        raise UpstreamError(f"The work on {self.username} outlived its time and was taken over; the connector "
                            f"finishes it in the background", status=504, code="webitel_timeout",
                            steps=self.outcome.steps, outcome="pending", record_id=self.record_id)

    def refused(self, _ctx: Context) -> ConnectorError | None:
        return self.failed()

    def failed(self) -> ConnectorError | None:
        raise DatabaseUnavailable(f"The connector's database failed after Webitel was changed "
                                  f"({self.outcome.operation}); the connector finishes it in the background",
                                  steps=self.outcome.steps, outcome="pending", record_id=self.record_id)


def _settle(ctx: Context, record: WebitelUser, before: Desired | None, outcome: Outcome, kind: Kind,
            action: str, was_in_sync: bool) -> ConnectorError | None:
    """What the record is after the steps, and the error to answer (None: success)."""
    if outcome.uncertain:
        sync.note_uncertain(ctx, record, outcome.calls)
    if outcome.ok:
        if kind is Kind.DELETE:
            sync.remove(ctx, record)
            return None
        record.state = WebitelUserState.ACTIVE
        if was_in_sync or kind is Kind.CREATE:
            sync.mark_in_sync(ctx, record)
        else:  # this change's steps are done, an earlier one's may not be
            sync.mark_unverified(ctx, record)
        return None
    if outcome.failure is not None and not (kind is Kind.CREATE and outcome.uncertain):
        return _refused(ctx, record, before, outcome, kind, was_in_sync)
    cause = outcome.pending
    message = str(cause) if cause is not None else str(outcome.failure)
    sync.mark_pending(ctx, record, message)
    if isinstance(cause, WebitelDeadlineExceeded) or cause is None:
        error: ConnectorError = UpstreamError(f"The time for this request ran out while {action}; the connector "
                                              f"finishes it in the background", status=504, code="webitel_timeout")
    else:
        error = upstream_error(cause, action)
    return error.add(steps=outcome.steps, outcome="pending", record_id=str(record.id))


def _refused(ctx: Context, record: WebitelUser, before: Desired | None, outcome: Outcome, kind: Kind,
             was_in_sync: bool) -> ConnectorError:
    error = outcome.failure
    assert error is not None
    if kind is Kind.CREATE:
        ctx.session.delete(record)  # nothing was created: the reservation goes
    else:
        assert before is not None
        before.restore(record)
        if outcome.compensated is False:
            sync.mark_pending(ctx, record, f"undoing a refused change: {error.message}")
        elif was_in_sync:
            sync.mark_in_sync(ctx, record)
        else:
            sync.mark_unverified(ctx, record)
    return error.add(steps=outcome.steps, compensated=outcome.compensated,
                     outcome=kind.not_done if outcome.webitel_unchanged else "pending")


def _asked(record: WebitelUser, kind: Kind) -> Desired | None:
    """What the unit of work asked for: no user for a delete, an active one for a create ("creating" and
    "deleting" only mark the work under way), the record's desired state for a change."""
    if kind is Kind.DELETE:
        return None
    wanted = Desired.capture(record)
    if kind is Kind.CREATE:
        return replace(wanted, columns={**wanted.columns, "state": WebitelUserState.ACTIVE})
    return wanted


def _log(outcome: Outcome, record: WebitelUser) -> None:
    if outcome.ok:
        log.info("%s: done (Webitel user id %s)", outcome.operation, record.webitel_user_id)
    elif outcome.failure is not None:
        log.info("%s: refused: %s", outcome.operation, outcome.failure.message)
    else:
        log.warning("%s: pending: %s", outcome.operation, outcome.pending)
