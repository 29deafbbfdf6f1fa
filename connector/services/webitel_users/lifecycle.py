"""The one lifecycle of a unit of work on a Webitel user record, whoever runs it (an API request, the
reconciler, a drift repair): claim -> intent -> plan -> settle -> audit -> commit.

The claim (:mod:`.claims`) and the intent are the runner's; the plan runs through the step runner
(:func:`converge`); this module is the one home of the end: the claim is let go with the result, a
*policy* decides what the record is now (:meth:`Policy.settle`), the audit event tells it, and the one
commit writes both (a result that is the record's own columns as its row, :mod:`.record_rows`: on
PostgreSQL one statement; any other through the ORM's flush). Every way that commit can fail has one
place here, and the policy says what each means to its caller: the claim lapsed and another unit of
work took the record (``taken_over``: it decides, nothing was written), the database refused the record
(``refused``: a uniqueness rule), or the database failed (``failed``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Generic, Protocol, TypeVar

from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm.exc import StaleDataError

from ... import deadline
from ...db import statements_commit_alone
from ...models import WebitelUser
from ...webitel.calls import Call
from .. import audit, steps
from ..context import Context
from ..steps import Outcome, Plan
from . import claims, record_rows
from .desired import Desired

log = logging.getLogger("connector.webitel_users")

T = TypeVar("T")


@dataclass
class Settled(Generic[T]):
    """What a policy decided: the audit event's outcome (and error code, calls, the state asked for)
    and the value the unit of work gives its caller once committed."""

    value: T
    outcome: str
    after: Desired | None = None
    error_code: str | None = None
    calls: list[Call] = field(default_factory=list)


class Policy(Protocol[T]):
    @property
    def action(self) -> str:
        """What the audit event calls the unit of work."""

    def settle(self, ctx: Context, record: WebitelUser) -> Settled[T]: ...

    def taken_over(self) -> T: ...

    def refused(self, ctx: Context) -> T: ...

    def failed(self) -> T: ...


def converge(name: str, plan: Plan, *, action: str, budget_s: float | None = None) -> Outcome:
    """Run ``plan`` through the step runner (within ``budget_s``, when the unit of work has its own)."""
    with deadline.budget(budget_s):
        return steps.run(name, plan, action=action)


def finish(ctx: Context, record: WebitelUser, before: Desired | None, policy: Policy[T]) -> T:
    """Let go of the claim with the result the policy settles, audited, in one commit."""
    session = ctx.session
    failure: Callable[[], T] | None = None
    try:
        claims.release(record)
        settled = policy.settle(ctx, record)
        event = audit.event_row(ctx, action=policy.action, record_id=record.id, username=record.webitel_username,
                                outcome=settled.outcome, before=before, after=settled.after,
                                error_code=settled.error_code, calls=settled.calls)
        if record_rows.only_columns_changed(session, record):
            with statements_commit_alone(session):  # on PostgreSQL, its one statement is its transaction
                record_rows.update_record(session, record, event)
                session.commit()
        else:
            audit.add_row(session, event)
            session.commit()
    except StaleDataError:  # the claim lapsed and another unit of work took the record: it decides
        session.rollback()
        failure = policy.taken_over
    except IntegrityError as exc:
        session.rollback()
        log.info("the database refused the result of %s: %s", policy.action, exc.orig)
        failure = partial(policy.refused, ctx)
    except SQLAlchemyError:
        session.rollback()
        log.exception("could not save the result of %s", policy.action)
        failure = policy.failed
    if failure is not None:  # outside the handlers: what the policy raises is its own error, not theirs
        return failure()
    return settled.value
