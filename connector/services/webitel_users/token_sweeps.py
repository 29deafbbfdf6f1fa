"""STUN tokens the connector never learned the id of.

A STUN call mints a token for the user and deletes it afterwards. When the answer to the token's
creation is lost (a timeout, a dropped connection), the request may still land in Webitel later,
after the connector gave up or retried: a token nobody deletes, until the next STUN call for that
user, which may never come. So whoever made such a call notes the user here, in the database, and
the next reconcile pass after the late-write horizon (in whichever connector process runs it)
deletes the user's connector tokens. Rows are taken with ``SKIP LOCKED``: one process sweeps a user.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from ...models import StunTokenSweep
from ...webitel import WebitelError
from ...webitel.calls import FAILED, UNCERTAIN, Call, recording
from ...webitel.errors import WebitelAPIError
from ..context import Context
from . import stun

log = logging.getLogger("connector.stun")

_TOKENS = re.compile(r"^/users/(?P<uid>[^/]+)/tokens$")
_TOKEN = re.compile(r"^/users/(?P<uid>[^/]+)/tokens/[^/]+$")
SWEEPS_PER_PASS = 100


def users_with_lost_tokens(calls: Iterable[Call]) -> set[str]:
    """The users for whom a token's creation went out and its answer was lost, or a token's delete
    did not go through (a bulk STUN read does not sweep before each mint: this is its sweep)."""
    return {found["uid"] for call in calls
            if (call.method == "POST" and call.outcome == UNCERTAIN and (found := _TOKENS.match(call.path)))
            or (call.method == "DELETE" and call.outcome in (UNCERTAIN, FAILED) and (found := _TOKEN.match(call.path)))}


def note(ctx: Context, calls: Iterable[Call]) -> bool:
    """Note, in the caller's transaction, the users of ``calls`` whose token creation was lost;
    whether there were any."""
    uids = users_with_lost_tokens(calls)
    due = ctx.now() + timedelta(seconds=ctx.settings.late_write_horizon_s)
    for uid in sorted(uids):
        if _later(ctx, uid, due):
            continue
        try:
            with ctx.session.begin_nested():
                ctx.session.add(StunTokenSweep(webitel_user_id=uid, due_at=due))
        except IntegrityError:  # another process noted the user meanwhile: its row, due no earlier
            _later(ctx, uid, due)
    return bool(uids)


@contextmanager
def noted(ctx: Context) -> Iterator[None]:
    """Run the block (which ends its own transaction), then note and commit the users whose token
    creation in it was lost."""
    with recording() as calls:
        mark = calls.mark()
        try:
            yield
        finally:
            if note(ctx, calls.calls[mark:]):
                try:
                    ctx.session.commit()
                except SQLAlchemyError:
                    ctx.session.rollback()
                    log.exception("could not note the users whose STUN token may be left in Webitel")


def sweep_due(ctx: Context, *, due_only: bool = True, limit: int = SWEEPS_PER_PASS) -> int:
    """Delete the connector's tokens of the noted users that are due; how many users were swept. A
    user whose sweep fails stays noted and is tried again after the horizon."""
    session, now = ctx.session, ctx.now()
    stmt = select(StunTokenSweep).order_by(StunTokenSweep.due_at).limit(limit).with_for_update(skip_locked=True)
    if due_only:
        stmt = stmt.where(StunTokenSweep.due_at <= now)
    swept = 0
    for row in list(session.scalars(stmt)):
        try:
            left = stun.sweep(ctx.webitel, row.webitel_user_id, quiet=False)
        except WebitelError as exc:
            if isinstance(exc, WebitelAPIError) and exc.status == 404:
                session.delete(row)  # the user is gone, and its tokens with it
                continue
            log.warning("could not sweep the STUN tokens of Webitel user %s: %s", row.webitel_user_id, exc)
            row.due_at = now + timedelta(seconds=ctx.settings.late_write_horizon_s)
            continue
        if left:
            log.info("swept %d STUN token(s) left in Webitel for user %s", left, row.webitel_user_id)
        session.delete(row)
        swept += 1
    session.commit()
    return swept


def _later(ctx: Context, uid: str, due: datetime) -> bool:
    """Move an existing note's due time to ``due`` if that is later; whether the user was noted."""
    noted_already = ctx.session.get(StunTokenSweep, uid) is not None
    if noted_already:
        ctx.session.execute(update(StunTokenSweep).where(StunTokenSweep.webitel_user_id == uid,
                                                         StunTokenSweep.due_at < due).values(due_at=due))
    return noted_already
