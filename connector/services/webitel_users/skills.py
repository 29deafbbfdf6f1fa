"""An agent's skills, one at a time (never by replacing the whole list): each has a capacity of 1..100
and an active flag (only active skills route calls; Webitel calls it ``enabled``). The record keeps
them whether or not it is an agent now, so that they come back when it becomes one."""

from __future__ import annotations

import uuid
from typing import Any

from ...errors import Conflict, NotFound
from ...models import WebitelUser, WebitelUserSkill, WebitelUserState
from ..context import Context
from ..steps import Plan
from . import agents, claims, operation, plans, rules
from .desired import Desired


def add_skill(ctx: Context, record_id: uuid.UUID, skill_id: str, *, capacity: int, active: bool) -> WebitelUser:
    skill = rules.must_exist(lambda: ctx.webitel.find_skill(skill_id), field="skill_id", noun="skill", item=skill_id)
    record = claims.claim(ctx, record_id)
    if _row(record, skill_id) is not None:
        ctx.session.rollback()
        raise Conflict(f"{record.webitel_username} has the skill {skill.get('name') or skill_id} already",
                       code="already_exists", fields={"skill_id": ["already given"]})
    before = Desired.capture(record)
    row = WebitelUserSkill(skill_id=skill_id, skill_name=str(skill.get("name") or ""), capacity=capacity,
                           active=active)
    record.skills.append(row)
    return _apply(ctx, record, before, f"giving {record.webitel_username} the skill {row.skill_name}",
                  lambda agent_id: _one(agents.add_skill(ctx.webitel, record, agent_id, row)))


def change_skill(ctx: Context, record_id: uuid.UUID, skill_id: str, changes: dict[str, Any]) -> WebitelUser:
    record = claims.claim(ctx, record_id)
    row = _row(record, skill_id)
    if row is None:
        ctx.session.rollback()
        raise NotFound(f"{record.webitel_username} has no skill {skill_id}")
    old = (row.capacity, row.active)
    new = (changes.get("capacity", row.capacity), changes.get("active", row.active))
    if new == old:
        ctx.session.rollback()
        return record
    before = Desired.capture(record)
    row.capacity, row.active = new
    return _apply(ctx, record, before, f"changing the skill {row.skill_name} of {record.webitel_username}",
                  lambda agent_id: _one(agents.change_skill(ctx.webitel, record, agent_id, skill_id, *new,
                                                            undo_to=old)))


def remove_skill(ctx: Context, record_id: uuid.UUID, skill_id: str) -> None:
    record = claims.claim(ctx, record_id)
    row = _row(record, skill_id)
    if row is None:
        ctx.session.rollback()
        raise NotFound(f"{record.webitel_username} has no skill {skill_id}")
    before = Desired.capture(record)
    record.skills.remove(row)
    _apply(ctx, record, before, f"taking the skill {row.skill_name} from {record.webitel_username}",
           lambda agent_id: _one(agents.remove_skill(ctx.webitel, agent_id, skill_id)))


def _apply(ctx: Context, record: WebitelUser, before: Desired, action: str, steps: Any) -> WebitelUser:
    """The change on the record, and in Webitel when the record is an agent there."""
    plan: Plan
    if record.state == WebitelUserState.CREATING:
        plan = plans.converge(ctx.webitel, record)
    elif record.is_agent and record.webitel_user_id:
        plan = _on_agent(ctx, record, steps)
    else:
        plan = plans.sequence()  # not an agent: the record keeps it for when it becomes one
    result = operation.apply(ctx, record, before, plan, kind=operation.Kind.CHANGE, operation=action, action=action)
    assert result is not None
    return result


def _on_agent(ctx: Context, record: WebitelUser, steps: Any) -> Plan:
    uid = record.webitel_user_id
    assert uid is not None
    agent = yield agents.find_agent(ctx.webitel, record, uid)
    if agent is None:  # the agent is gone from Webitel: make it again, with every skill of the record
        yield from agents.activate(ctx.webitel, record, uid)
        return
    record.webitel_agent_id = str(agent["id"])
    yield from steps(record.webitel_agent_id)


def _one(step: Any) -> Plan:
    yield step


def _row(record: WebitelUser, skill_id: str) -> WebitelUserSkill | None:
    return next((row for row in record.skills if row.skill_id == skill_id), None)
