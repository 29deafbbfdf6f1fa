"""Reading Webitel user records (reads never call Webitel: the reconciler keeps records in step)."""

from __future__ import annotations

import uuid

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ...errors import NotFound
from ...models import WebitelUser
from ..names import like_pattern
from ..paging import Page, paginate


def get_record(session: Session, record_id: uuid.UUID) -> WebitelUser:
    record = session.get(WebitelUser, record_id)
    if record is None:
        raise NotFound(f"No Webitel user record with id {record_id}")
    return record


def list_records(session: Session, *, page: int, size: int, q: str | None = None) -> Page:
    stmt = select(WebitelUser).order_by(WebitelUser.webitel_username_key)
    if q:
        pattern = like_pattern(q)
        stmt = stmt.where(or_(WebitelUser.webitel_username_key.like(pattern, escape="\\"),
                              WebitelUser.contact_name_key.like(pattern, escape="\\"),
                              WebitelUser.extension.like(f"%{q.strip()}%")))
    return paginate(session, stmt, page=page, size=size)
