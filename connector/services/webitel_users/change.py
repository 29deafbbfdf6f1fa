"""Changing a Webitel user: its extension (in Webitel's user) and STUN (the user's phone setting)."""

from __future__ import annotations

import uuid
from typing import Any

from ...models import WebitelUser, WebitelUserState
from ..context import Context
from ..steps import Plan, Step
from . import claims, operation, plans, remote, rules, stun
from .desired import Desired


def change_webitel_user(ctx: Context, record_id: uuid.UUID, changes: dict[str, Any]) -> WebitelUser:
    record = claims.claim(ctx, record_id)
    before = Desired.capture(record)
    try:
        wanted = _wanted(ctx, record, changes)
    except Exception:
        ctx.session.rollback()
        raise
    if not wanted:
        ctx.session.rollback()  # nothing to change: the claim was never committed
        return record
    if record.state == WebitelUserState.CREATING:  # not linked to a Webitel user yet: converge the whole record
        plan: Plan = plans.converge(ctx.webitel, record)
    else:
        plan = plans.sequence(*_steps(ctx, record, before, wanted))
    result = operation.apply(ctx, record, before, plan, kind=operation.Kind.CHANGE,
                             operation=f"change {record.webitel_username}",
                             action=f"changing the Webitel user {record.webitel_username}")
    assert result is not None
    return result


def _wanted(ctx: Context, record: WebitelUser, changes: dict[str, Any]) -> dict[str, Any]:
    """The changes that change something, applied to the record (the desired state)."""
    wanted: dict[str, Any] = {}
    if "extension" in changes and (changes["extension"] or None) != record.extension:
        wanted["extension"] = changes["extension"] or None
        rules.check_extension_free(ctx.session, wanted["extension"], other_than=record.id)
    if "stun_enabled" in changes and changes["stun_enabled"] != record.stun_enabled:
        wanted["stun_enabled"] = changes["stun_enabled"]
    for key, value in wanted.items():
        setattr(record, key, value)
    return wanted


def _steps(ctx: Context, record: WebitelUser, before: Desired, wanted: dict[str, Any]) -> list[Step]:
    uid = record.webitel_user_id
    assert uid is not None
    steps = []
    if "extension" in wanted:
        new, old = wanted["extension"], before.columns["extension"]
        steps.append(plans.update_user(ctx.webitel, record, uid, {"extension": new or ""},
                                       holds=lambda user: remote.extension_of(user) == new,
                                       undo={"extension": old or ""},
                                       undone=lambda user: remote.extension_of(user) == old))
    if "stun_enabled" in wanted:
        steps.append(stun.step(ctx.webitel, uid, wanted["stun_enabled"], undo_to=before.columns["stun_enabled"]))
    return steps
