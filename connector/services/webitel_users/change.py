"""Changing a Webitel user: its extension (in Webitel's user), STUN (the user's phone setting), and
whether it is a call-center agent, in which team."""

from __future__ import annotations

import uuid
from typing import Any

from ...errors import BusinessRuleError, field_error
from ...models import WebitelUser, WebitelUserState
from ..context import Context
from ..steps import Plan
from . import agents, claims, operation, plans, remote, rules, stun
from .desired import Desired


def change_webitel_user(ctx: Context, record_id: uuid.UUID, changes: dict[str, Any]) -> WebitelUser:
    team = rules.must_exist(lambda: ctx.webitel.find_team(changes["team_id"]), field="team_id", noun="team",
                            item=changes["team_id"]) if changes.get("team_id") else None
    record = claims.claim(ctx, record_id)
    before = Desired.capture(record)
    try:
        wanted = _wanted(ctx, record, changes, team)
    except Exception:
        ctx.session.rollback()
        raise
    if not wanted:
        ctx.session.rollback()  # nothing to change: the claim was never committed
        return record
    if record.state == WebitelUserState.CREATING:  # not linked to a Webitel user yet: converge the whole record
        plan: Plan = plans.converge(ctx.webitel, record)
    else:
        plan = _plan(ctx, record, before, wanted)
    result = operation.apply(ctx, record, before, plan, kind=operation.Kind.CHANGE,
                             operation=f"change {record.webitel_username}",
                             action=f"changing the Webitel user {record.webitel_username}")
    assert result is not None
    return result


def _wanted(ctx: Context, record: WebitelUser, changes: dict[str, Any], team: dict | None) -> dict[str, Any]:
    """The changes that change something, checked and applied to the record (the desired state)."""
    wanted: dict[str, Any] = {}
    if "extension" in changes and (changes["extension"] or None) != record.extension:
        wanted["extension"] = changes["extension"] or None
        rules.check_extension_free(ctx.session, wanted["extension"], other_than=record.id)
    if "stun_enabled" in changes and changes["stun_enabled"] != record.stun_enabled:
        wanted["stun_enabled"] = changes["stun_enabled"]
    if "is_agent" in changes and changes["is_agent"] != record.is_agent:
        wanted["is_agent"] = changes["is_agent"]
    if "team_id" in changes and (changes["team_id"] or None) != record.team_id:
        wanted["team_id"] = changes["team_id"] or None
        wanted["team_name"] = str(team.get("name") or "") if team is not None else None
    for key, value in wanted.items():
        setattr(record, key, value)
    if record.is_agent:
        if not record.team_id:
            raise field_error("team_id", f"A team is needed to make {record.webitel_username} an agent")
        if wanted.get("is_agent") and not agents.has_call_center_license(record):
            raise BusinessRuleError(f"{record.webitel_username} needs a CALL_CENTER license to be an agent",
                                    code="call_center_license_required",
                                    fields={"is_agent": ["grant a CALL_CENTER license first"]})
    return wanted


def _plan(ctx: Context, record: WebitelUser, before: Desired, wanted: dict[str, Any]) -> Plan:
    webitel, uid = ctx.webitel, record.webitel_user_id
    assert uid is not None
    if "extension" in wanted:
        new, old = wanted["extension"], before.columns["extension"]
        yield plans.update_user(webitel, record, uid, {"extension": new or ""},
                                holds=lambda user: remote.extension_of(user) == new, undo={"extension": old or ""},
                                undone=lambda user: remote.extension_of(user) == old)
    if "stun_enabled" in wanted:
        yield stun.step(webitel, uid, wanted["stun_enabled"], undo_to=before.columns["stun_enabled"])
    was_agent = before.columns["is_agent"]
    if record.is_agent and not was_agent:
        yield from agents.activate(webitel, record, uid)
    elif was_agent and not record.is_agent:
        agent = yield agents.find_agent(webitel, record, uid)
        if agent is not None:
            yield from agents.remove_agent(webitel, record, agent)
        record.webitel_agent_id = None
        agents.note_status(record, None)
    elif record.is_agent and "team_id" in wanted:
        agent = yield agents.find_agent(webitel, record, uid)
        if agent is None:  # gone from Webitel: make it again, in the new team
            yield from agents.activate(webitel, record, uid)
        else:
            yield agents.set_team(webitel, record, str(agent["id"]), record.team_id,
                                  undo_to=before.columns["team_id"])
