"""Deleting a Webitel user: the record says it should not exist, Webitel's user is deleted for good,
then the record goes."""

from __future__ import annotations

import uuid

from ...models import WebitelUserState
from ..context import Context
from . import claims, operation, plans
from .desired import Desired


def delete_webitel_user(ctx: Context, record_id: uuid.UUID) -> bool:
    """True: gone, here and in Webitel. False: accepted, and the record stays (deleting, pending)
    until a create of its Webitel user whose answer was lost can no longer land; the reconciler then
    removes what landed, and the record."""
    # A delete that is already under way (pending) may be asked again: it is finished.
    record = claims.claim(ctx, record_id, allow_deleting=True)
    before = Desired.capture(record)
    record.state = WebitelUserState.DELETING
    return None is operation.apply(ctx, record, before, plans.remove(ctx.webitel, record), kind=operation.Kind.DELETE,
                    operation=f"delete {record.webitel_username}",
                    action=f"deleting the Webitel user {record.webitel_username}")
