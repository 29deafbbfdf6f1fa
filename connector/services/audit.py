"""The audit trail: every change the connector makes (through the API, the reconciler, a repair or an
import), with who, when, what (the record before and after: its desired state, never a secret), the
outcome and the Webitel calls made. An event is written in the transaction of the change it tells."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from ..core.paging import Page, paginate
from ..logs import current_request_id
from ..models import AuditEvent, Base, WebitelUser, utcnow
from ..webitel.calls import Call
from .context import Context
from .webitel_users.desired import Desired

# Built once (every change writes an event), into the table itself: one row needs none of the ORM's
# bulk-insert machinery.
_INSERT_EVENT = insert(Base.metadata.tables[AuditEvent.__tablename__])


def state_of(desired: Desired | None) -> dict[str, Any] | None:
    """A record's desired state as the trail keeps it (JSON)."""
    if desired is None:
        return None
    return {**desired.columns, "licenses": sorted(desired.licenses), "roles": sorted(desired.roles),
            "skills": {skill_id: {"capacity": capacity, "active": active}
                       for skill_id, (_name, capacity, active) in sorted(desired.skills.items())}}


def add_event(ctx: Context, *, action: str, record: WebitelUser | None, outcome: str,
              before: Desired | None = None, after: Desired | None = None, error_code: str | None = None,
              calls: list[Call] | None = None) -> None:
    """Write the event in the session's transaction (it commits with the change). One INSERT, no
    object: the trail is only appended to, and every change writes an event."""
    add_row(ctx.session, event_row(ctx, action=action, record_id=record.id if record else None,
                                   username=record.webitel_username if record else None, outcome=outcome,
                                   before=before, after=after, error_code=error_code, calls=calls))


def add_row(session: Session, row: dict[str, Any]) -> None:
    """Write an event's row (:func:`event_row`) in the session's transaction."""
    # On the session's connection: no autoflush (the change's own writes are flushed when it commits)
    # and none of the session's ORM handling, which a Core INSERT does not need.
    session.connection().execute(_INSERT_EVENT, row)


def event_row(ctx: Context, *, action: str, record_id: uuid.UUID | None, username: str | None, outcome: str,
              before: Desired | None = None, after: Desired | None = None, error_code: str | None = None,
              calls: list[Call] | None = None) -> dict[str, Any]:
    """An event's columns (for a bulk insert of many, as the import writes them)."""
    return {"at": utcnow(), "actor": ctx.actor, "action": action[:200], "outcome": outcome, "error_code": error_code,
            "record_id": record_id, "webitel_username": username, "before": state_of(before),
            "after": state_of(after), "webitel_calls": [call.as_dict() for call in calls] if calls else None,
            "request_id": current_request_id()}


def list_events(session: Session, *, page: int, size: int, record_id: uuid.UUID | None = None,
                actor: str | None = None, since: datetime | None = None, until: datetime | None = None) -> Page:
    stmt = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    if record_id is not None:
        stmt = stmt.where(AuditEvent.record_id == record_id)
    if actor:
        stmt = stmt.where(AuditEvent.actor == actor)
    if since is not None:
        stmt = stmt.where(AuditEvent.at >= since)
    if until is not None:
        stmt = stmt.where(AuditEvent.at < until)
    return paginate(session, stmt, page=page, size=size)
