"""The drift report: every record compared with its Webitel user (extension, licenses, roles, STUN,
agent, team, skills), and the Webitel users no record links.

Webitel is read the way the import reads it (``webitel_reading``): users a page at a time with
their STUN, the call center once. Each page is compared with its records, read in one query per
kind, so that memory holds a page and the ids seen, whatever the number of users. The records no
page named (their Webitel user is gone, or they have none yet) come last. A drift check runs this
as a background job (``drift_checks``); ``GET /api/v1/drift`` runs it while the caller waits.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from .. import metrics
from ..core.names import name_key
from ..db import one_of
from ..models import WebitelUser, WebitelUserState, utcnow
from ..webitel.calls import Call
from .call_center import CallCenter, read_call_center
from .context import Context
from .imports.known import record_views
from .webitel_reading import user_pages
from .webitel_users import remote

MISSING_IN_WEBITEL, MISSING_RECORD, DIFFERS = "missing_in_webitel", "missing_record", "differs"
KINDS = (DIFFERS, MISSING_IN_WEBITEL, MISSING_RECORD)
TAIL_CHUNK = 2000  # records read at a time when looking for those no page named


@dataclass(frozen=True)
class DriftOptions:
    with_stun: bool = True  # compare STUN too (three Webitel calls a user)
    page_size: int = 500
    concurrency: int = 4  # STUN reads at a time


@dataclass
class Found:
    """What one step of the check found: differences, how many Webitel users it read, and the STUN
    reads' Webitel calls (for the sweep of lost tokens)."""

    items: list[dict[str, Any]]
    users: int = 0
    calls: list[Call] = field(default_factory=list)


def check(ctx: Context, options: DriftOptions) -> Iterator[Found]:
    """The differences, a page of Webitel users at a time, then the records no page named."""
    started, seen = utcnow(), set[str]()
    center = read_call_center(ctx.webitel)
    for page in user_pages(ctx.webitel, page_size=options.page_size, with_stun=options.with_stun,
                           concurrency=options.concurrency, stun_of=_linked(ctx)):
        uids = [str(user["id"]) for user in page.users]
        seen.update(uids)
        items = _compare_page(ctx, page.users, page.stuns, center)
        _count(items)
        yield Found(items, len(uids), page.calls)
    for items in _unseen(ctx, seen, started):
        _count(items)
        yield Found(items)


def _linked(ctx: Context) -> Callable[[list[str]], list[str]]:
    """Which of some Webitel users have a record: only theirs is STUN compared. It runs in the
    reading thread, so with a session of its own."""
    engine = ctx.session.get_bind()

    def linked(uids: list[str]) -> list[str]:
        with Session(engine) as session:
            held = set(session.scalars(select(WebitelUser.webitel_user_id)
                                       .where(one_of(session, WebitelUser.webitel_user_id, uids))))
        return [uid for uid in uids if uid in held]

    return linked


def _compare_page(ctx: Context, users: list[dict], stuns: dict[str, bool | None],
                  center: CallCenter) -> list[dict[str, Any]]:
    session = ctx.session
    uids = [str(user["id"]) for user in users]
    views = {view.webitel_user_id: view for view in record_views(session, one_of(session, WebitelUser.webitel_user_id,
                                                                                 uids))}
    states = {row.id: row for row in session.execute(
        select(WebitelUser.id, WebitelUser.state, WebitelUser.sync_state, WebitelUser.sync_error,
               WebitelUser.checked_at).where(one_of(session, WebitelUser.id, [view.id for view in views.values()])))
    } if views else {}
    items: list[dict[str, Any]] = []
    for user in users:
        uid = str(user["id"])
        view = views.get(uid)
        if view is None:
            items.append({"kind": MISSING_RECORD, "record_id": None, "webitel_user_id": uid,
                          "webitel_username": user.get("username"), "fields": {}})
            continue
        row = states.get(view.id)
        if row is None:  # removed between the two reads: nothing to compare
            continue
        item = {"record_id": view.id, "webitel_user_id": uid, "webitel_username": view.webitel_username,
                "sync": {"state": row.sync_state, "last_error": row.sync_error, "checked_at": row.checked_at}}
        if row.state == WebitelUserState.DELETING:
            items.append({**item, "kind": DIFFERS, "fields": {"exists": {"record": False, "webitel": True}}})
            continue
        fields = remote.differences(view, user, stun=stuns.get(uid), agent=center.held(uid), agent_read=True)
        if fields:
            items.append({**item, "kind": DIFFERS, "fields": fields})
    return items


def _unseen(ctx: Context, seen: set[str], started: datetime) -> Iterator[list[dict[str, Any]]]:
    """The records whose Webitel user no page named, a chunk at a time in username order (a record
    made after the check began is left out: its user may be on a page read before it existed)."""
    columns = (WebitelUser.id, WebitelUser.webitel_user_id, WebitelUser.webitel_username,
               WebitelUser.webitel_username_key, WebitelUser.state, WebitelUser.sync_state, WebitelUser.sync_error,
               WebitelUser.checked_at)
    after: tuple[str, Any] | None = None
    while True:  # keyset pages: each its own query, so the caller may commit between chunks
        stmt = select(*columns).where(WebitelUser.created_at <= started)
        if after is not None:
            stmt = stmt.where(tuple_(WebitelUser.webitel_username_key, WebitelUser.id) > after)
        chunk = ctx.session.execute(stmt.order_by(WebitelUser.webitel_username_key, WebitelUser.id)
                                    .limit(TAIL_CHUNK)).all()
        if not chunk:
            return
        after = (chunk[-1].webitel_username_key, chunk[-1].id)
        items = [{"kind": MISSING_IN_WEBITEL, "record_id": row.id, "webitel_user_id": row.webitel_user_id,
                  "webitel_username": row.webitel_username, "fields": {},
                  "sync": {"state": row.sync_state, "last_error": row.sync_error, "checked_at": row.checked_at}}
                 for row in chunk
                 if (row.webitel_user_id is None or row.webitel_user_id not in seen)
                 and row.state != WebitelUserState.DELETING]
        if items:
            yield items


def _count(items: list[dict[str, Any]]) -> None:
    for item in items:
        for kind in item["fields"] or [item["kind"]]:
            metrics.drift_found.labels(kind=kind).inc()


def ordered(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The report's order when read at once: records by username, then Webitel users without a record by id."""
    return sorted(items, key=lambda item: (0, name_key(str(item["webitel_username"] or "")), "") if item["record_id"]
                  else (1, "", str(item["webitel_user_id"]).zfill(20)))
