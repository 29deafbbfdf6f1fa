"""Linking a record to a Creatio system user by hand: an imported Webitel user whose username matched
no Creatio login (or matched a contact without a user) gets its User and Contact from the user chosen.
Only the record changes: Webitel knows nothing of Creatio's users, and the Webitel username stays."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ...core.names import name_key
from ...models import WebitelUser
from .. import audit
from ..context import Context
from . import claims, rules
from .desired import Desired
from .rules import SystemUserLike


def link_creatio_user(ctx: Context, record_id: uuid.UUID, user: SystemUserLike | None, *,
                      user_id: uuid.UUID) -> WebitelUser:
    """``user`` is the Creatio system user ``user_id`` with its contact (None when Creatio has none)."""
    user = rules.check_active_user(user, user_id)
    session = ctx.session
    record = claims.claim(ctx, record_id)
    if record.system_user_id == user.id:
        session.rollback()  # linked already: nothing to write (the claim was never committed)
        return record
    holder = session.scalar(select(WebitelUser.id).where(WebitelUser.system_user_id == user.id,
                                                         WebitelUser.id != record.id))
    if holder is not None:
        session.rollback()
        raise rules.already_exists(user.name, holder)
    was = record.user_name or "no Creatio user"
    contact = user.contact
    record.system_user_id, record.user_name = user.id, user.name
    record.contact_id = contact.id if contact is not None else None
    record.contact_name = contact.name if contact is not None else None
    record.contact_name_key = name_key(contact.name) if contact is not None else None
    claims.release(record)
    state = Desired.capture(record)
    audit.add_event(ctx, action=f"link {record.webitel_username} to the Creatio user {user.name} (was {was})",
                    record=record, outcome="done", before=state, after=state)
    try:
        session.commit()
    except IntegrityError:  # another request linked the user in between: the unique constraint decides
        session.rollback()
        holder = session.scalar(select(WebitelUser.id).where(WebitelUser.system_user_id == user.id))
        raise rules.already_exists(user.name, holder or record_id) from None
    return record
