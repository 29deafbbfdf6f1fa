"""Creating a Webitel user for a Creatio system user: the record is reserved (its uniqueness rules
checked by the database), then the Webitel user is created with a default SIP device."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import timedelta

from ...core.names import name_key
from ...db import statements_commit_alone
from ...models import SyncState, WebitelUser, WebitelUserState
from ..context import Context
from . import claims, operation, plans, rules
from .rules import SystemUserLike

log = logging.getLogger("connector.webitel_users")


def create_webitel_user(ctx: Context, find_user: Callable[[uuid.UUID], SystemUserLike | None], *, user_id: uuid.UUID,
                        extension: str | None = None) -> WebitelUser:
    """``find_user`` looks up the Creatio system user with its contact (None when Creatio has none)."""
    # The look-up only reads and the intent is one INSERT: neither needs a transaction around it.
    with statements_commit_alone(ctx.session):
        user = rules.check_system_user(find_user(user_id), user_id)
        contact_id, contact_name = (user.contact.id, user.contact.name) if user.contact is not None else (None, None)
        # The reservation's INSERT is the check of the rules (one Creatio user, one username, a free
        # extension): the database's constraints refuse it, and the refusal names the rule broken.
        now = ctx.now()
        record = WebitelUser(id=uuid.uuid4(), system_user_id=user.id, user_name=user.name, contact_id=contact_id,
                             contact_name=contact_name,
                             contact_name_key=name_key(contact_name) if contact_name else None,
                             webitel_username=user.name, webitel_username_key=name_key(user.name),
                             extension=extension or None, stun_enabled=False, is_agent=False,
                             state=WebitelUserState.CREATING, sync_state=SyncState.PENDING, attempts=0,
                             claim_id=claims.new_claim(),
                             claimed_until=now + timedelta(seconds=ctx.settings.claim_s),
                             created_at=now, updated_at=now)
        operation.commit_intent(ctx, record, operation.Kind.CREATE)
    result = operation.carry_out(ctx, record, None, plans.create(ctx.webitel, record), kind=operation.Kind.CREATE,
                                 operation=f"create {record.webitel_username}",
                                 action=f"creating the Webitel user {record.webitel_username}", was_in_sync=False)
    assert result is not None
    return result
