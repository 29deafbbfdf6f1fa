"""The call-center side of a Webitel user, as steps: the agent (in its team, with the counters Webitel
requires), its skills one row at a time, its status; and the agent part of a record's convergence.

An agent's skills live on the record too, so that deactivating an agent (its Webitel agent is
deleted) and ticking "Agent" again brings back the same skills, capacities and active flags.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable

from ...errors import BusinessRuleError, Conflict, ConnectorError, field_error
from ...models import WebitelUser, WebitelUserSkill
from ...webitel import WebitelAPIError, WebitelBadRequest, WebitelClient, WebitelNotFound
from ..steps import Plan, Step

E_AGENT_EXISTS = "store.sql_agent.save.app_error"  # the user is an agent already
E_AGENT_DELETE = "store.sql_agent.delete.app_error"
E_NO_CC_LICENSE = "app.license.cc"
E_PHONE_NOT_REGISTERED = "store.sql_agent.set_online.app_error"
E_ROW_EXISTS = "store.sql_skill_in_agent.create.app_error"
E_TEAM_NOT_FOUND = "store.sql_agent_team.get.app_error"
E_SKILL_NOT_FOUND = "store.sql_skill.get.app_error"
CALL_CENTER = "CALL_CENTER"
# The states of an agent's call channel in which it holds a call (Webitel refuses to delete it then:
# the call's attempt references the agent).
ON_CALL = frozenset({"offering", "bridged"})
AGENT_ON_CALL = "agent_on_call"
# Webitel refuses an agent whose task, chat or progressive count is below 1.
COUNTERS = {"progressive_count": 1, "chat_count": 1, "task_count": 1}


def has_call_center_license(record: WebitelUser) -> bool:
    return any(row.product == CALL_CENTER for row in record.licenses)


def refusal(name: str) -> Callable[[WebitelAPIError], ConnectorError | None]:
    """Webitel's refusals of call-center changes, in the contract's words."""

    def refuse(exc: WebitelAPIError) -> ConnectorError | None:
        envelope = exc.envelope()
        if exc.error_id == E_NO_CC_LICENSE:
            return BusinessRuleError(f"{name} has no CALL_CENTER license in Webitel", webitel=envelope,
                                     code="call_center_license_required")
        if exc.error_id == E_PHONE_NOT_REGISTERED:
            return Conflict(f"{name} cannot go online: no SIP phone or web client of the user is registered",
                            code="phone_not_registered", webitel=envelope)
        if exc.error_id == E_TEAM_NOT_FOUND:
            return _with(field_error("team_id", "Webitel has no such team"), envelope)
        if exc.error_id == E_SKILL_NOT_FOUND:
            return _with(field_error("skill_id", "Webitel has no such skill"), envelope)
        if exc.error_id == E_AGENT_DELETE and "foreign key" in exc.detail:
            return _with(on_call(name), envelope)
        return None

    return refuse


def on_call(name: str) -> Conflict:
    return Conflict(f"{name} holds a call in Webitel (offered or in progress), and an agent cannot be removed "
                    f"while it does; nothing was changed: try again when the call ends", code=AGENT_ON_CALL)


def holds_a_call(agent: dict) -> bool:
    return any(str(channel.get("state") or "") in ON_CALL for channel in agent.get("channel") or [])


def _with(error: ConnectorError, webitel: dict) -> ConnectorError:
    error.webitel = webitel
    return error


# -- the agent ---------------------------------------------------------------------------------------
def ensure_agent(webitel: WebitelClient, record: WebitelUser, uid: str) -> Step:
    """Make the user an agent in the record's team. Safe to repeat: an agent the user already has (an
    earlier attempt's, or one made in Webitel directly) is taken and put in the team."""

    def action() -> dict:
        try:
            return webitel.create_agent({"user": {"id": uid}, "team": {"id": record.team_id}, **COUNTERS})
        except WebitelBadRequest as exc:
            agent = webitel.find_agent_of(uid) if exc.error_id == E_AGENT_EXISTS else None
            if agent is None:
                raise
        if _team_of(agent) != record.team_id:
            agent = webitel.patch_agent(str(agent["id"]), {"team": {"id": record.team_id}})
        return agent

    undo = Step("webitel.delete_agent", lambda: _delete_agent_of(webitel, uid),
                confirm=lambda: True if webitel.find_agent_of(uid) is None else None)
    return Step("webitel.create_agent", action, confirm=lambda: webitel.find_agent_of(uid),
                refusal=refusal(record.webitel_username), undo=undo)


def set_team(webitel: WebitelClient, record: WebitelUser, agent_id: str, team_id: str | None,
             *, undo_to: str | None = None) -> Step:
    def confirm() -> dict | None:
        agent = webitel.get_agent(agent_id)
        return agent if _team_of(agent) == team_id else None

    back = set_team(webitel, record, agent_id, undo_to) if undo_to is not None else None
    return Step("webitel.update_agent", lambda: webitel.patch_agent(agent_id, {"team": {"id": team_id}}),
                confirm=confirm, undo=back, refusal=refusal(record.webitel_username))


def find_agent(webitel: WebitelClient, record: WebitelUser, uid: str) -> Step:
    """The user's agent (the record's, or found by the user when the record does not know it)."""
    agent_id = record.webitel_agent_id

    def action() -> dict | None:
        agent = _find_agent(webitel, agent_id) if agent_id else None
        if agent is None or str((agent.get("user") or {}).get("id")) != uid:
            agent = webitel.find_agent_of(uid)
        return agent

    return Step("webitel.find_agent", action)


def remove_agent(webitel: WebitelClient, record: WebitelUser, agent: dict) -> Plan:
    """The agent goes offline, then it is removed from Webitel's call center (its skill rows go with
    it; the record keeps its skills). Not while it holds a call: Webitel would refuse the delete after
    the agent was taken offline, so the refusal comes first, with nothing changed."""
    if holds_a_call(agent):
        raise on_call(record.webitel_username)
    agent_id = str(agent["id"])
    yield Step("webitel.agent_offline", lambda: _offline(webitel, agent_id),
               confirm=lambda: True if _status_of(webitel, agent_id) in (None, "offline") else None)
    yield Step("webitel.delete_agent", lambda: _done(webitel.delete_agent, agent_id),
               confirm=lambda: True if _find_agent(webitel, agent_id) is None else None,
               refusal=refusal(record.webitel_username))


def activate(webitel: WebitelClient, record: WebitelUser, uid: str) -> Plan:
    """Make the user an agent with every skill the record keeps."""
    agent = yield ensure_agent(webitel, record, uid)
    record.webitel_agent_id = str(agent["id"])
    note_status(record, agent)
    rows = yield read_skills(webitel, record.webitel_agent_id)
    yield from converge_skills(webitel, record, record.webitel_agent_id, rows)


def converge_agent(webitel: WebitelClient, record: WebitelUser, uid: str) -> Plan:
    """Make Webitel's agent what the record says: none, or one in its team with exactly its skills."""
    agent = yield find_agent(webitel, record, uid)
    if not record.is_agent:
        if agent is not None:
            yield from remove_agent(webitel, record, agent)
        record.webitel_agent_id = None
        note_status(record, None)
        return
    if agent is None:
        agent = yield ensure_agent(webitel, record, uid)
    elif _team_of(agent) != record.team_id:
        yield set_team(webitel, record, str(agent["id"]), record.team_id)
    record.webitel_agent_id = str(agent["id"])
    note_status(record, agent)
    rows = yield read_skills(webitel, record.webitel_agent_id)
    yield from converge_skills(webitel, record, record.webitel_agent_id, rows)


# -- the agent's skills --------------------------------------------------------------------------------
def read_skills(webitel: WebitelClient, agent_id: str) -> Step:
    return Step("webitel.read_agent_skills", lambda: webitel.agent_skills(agent_id))


def converge_skills(webitel: WebitelClient, record: WebitelUser, agent_id: str, rows: list[dict]) -> Plan:
    """Add, change and remove rows one at a time until the agent has exactly the record's skills."""
    held = {_skill_of(row): row for row in rows}
    for skill in record.skills:
        row = held.pop(skill.skill_id, None)
        if row is None:
            yield add_skill(webitel, record, agent_id, skill)
        elif (row.get("capacity"), bool(row.get("enabled"))) != (skill.capacity, skill.active):
            yield change_skill(webitel, record, agent_id, skill.skill_id, skill.capacity, skill.active)
    for skill_id in held:
        yield remove_skill(webitel, agent_id, skill_id)


def add_skill(webitel: WebitelClient, record: WebitelUser, agent_id: str, skill: WebitelUserSkill) -> Step:
    skill_id, capacity, active = skill.skill_id, skill.capacity, skill.active

    def action() -> dict:
        try:
            return webitel.add_agent_skill(agent_id, skill_id, capacity=capacity, enabled=active)
        except WebitelBadRequest as exc:  # the row is there already (an earlier attempt's): set its values
            row = _row(webitel, agent_id, skill_id) if exc.error_id == E_ROW_EXISTS else None
            if row is None:
                raise
        return webitel.patch_agent_skill(agent_id, str(row["id"]), capacity=capacity, enabled=active)

    return Step("webitel.add_agent_skill", action, confirm=_holds(webitel, agent_id, skill_id, capacity, active),
                undo=remove_skill(webitel, agent_id, skill_id), refusal=refusal(record.webitel_username))


def change_skill(webitel: WebitelClient, record: WebitelUser, agent_id: str, skill_id: str, capacity: int,
                 active: bool, *, undo_to: tuple[int, bool] | None = None) -> Step:
    def action() -> dict:
        row = _row(webitel, agent_id, skill_id)
        if row is None:  # gone from Webitel meanwhile: put it back
            return webitel.add_agent_skill(agent_id, skill_id, capacity=capacity, enabled=active)
        return webitel.patch_agent_skill(agent_id, str(row["id"]), capacity=capacity, enabled=active)

    back = change_skill(webitel, record, agent_id, skill_id, *undo_to) if undo_to is not None else None
    return Step("webitel.update_agent_skill", action, confirm=_holds(webitel, agent_id, skill_id, capacity, active),
                undo=back, refusal=refusal(record.webitel_username))


def remove_skill(webitel: WebitelClient, agent_id: str, skill_id: str) -> Step:
    def action() -> bool:
        row = _row(webitel, agent_id, skill_id)
        if row is not None:
            webitel.delete_agent_skill(agent_id, str(row["id"]))
        return True

    return Step("webitel.delete_agent_skill", action,
                confirm=lambda: True if _row(webitel, agent_id, skill_id) is None else None)


# -- the agent's status --------------------------------------------------------------------------------
def set_status(webitel: WebitelClient, record: WebitelUser, agent_id: str, status: str,
               pause_cause: str | None) -> Plan:
    def refuse(exc: WebitelAPIError) -> ConnectorError | None:
        known = refusal(record.webitel_username)(exc)
        if known is not None or exc.status != 400:
            return known
        field = "pause_cause" if pause_cause else "status"
        return _with(field_error(field, f"Webitel refused the status {status}: {exc.detail}"), exc.envelope())

    yield Step("webitel.agent_status", lambda: _done(webitel.set_agent_status, agent_id, status, pause_cause),
               confirm=lambda: True if _status_of(webitel, agent_id) == status else None, refusal=refuse)
    # {} when the agent is gone (a step's None would mean "not applied")
    agent = yield Step("webitel.read_agent", lambda: _find_agent(webitel, agent_id) or {})
    note_status(record, agent or None, pause_cause)


def note_status(record: WebitelUser, agent: dict | None, pause_cause: str | None = None) -> None:
    """Show on the record the agent's status as Webitel has it, and the cause of a break: ``pause_cause``
    when known (Webitel's agent does not carry it; its status report does), else the one last seen."""
    record.agent_status = str(agent.get("status") or "offline") if agent is not None else None
    if record.agent_status != "pause":
        record.agent_pause_cause = None
    elif pause_cause:
        record.agent_pause_cause = pause_cause[:100]


def _done(call: Callable[..., None], *args: object) -> bool:
    """A call that answers nothing, as a step's result (None would mean "not applied")."""
    call(*args)
    return True


# -- reading Webitel's answers ---------------------------------------------------------------------------
def _team_of(agent: dict) -> str | None:
    team = agent.get("team") or {}
    return str(team["id"]) if team.get("id") else None


def _skill_of(row: dict) -> str:
    return str((row.get("skill") or {}).get("id"))


def _row(webitel: WebitelClient, agent_id: str, skill_id: str) -> dict | None:
    return next((row for row in webitel.agent_skills(agent_id) if _skill_of(row) == skill_id), None)


def _holds(webitel: WebitelClient, agent_id: str, skill_id: str, capacity: int,
           active: bool) -> Callable[[], dict | None]:
    def confirm() -> dict | None:
        row = _row(webitel, agent_id, skill_id)
        return row if row is not None and (row.get("capacity"), bool(row.get("enabled"))) == (capacity, active) \
            else None

    return confirm


def _find_agent(webitel: WebitelClient, agent_id: str) -> dict | None:
    try:
        return webitel.get_agent(agent_id)
    except WebitelNotFound:
        return None


def _status_of(webitel: WebitelClient, agent_id: str) -> str | None:
    agent = _find_agent(webitel, agent_id)
    return None if agent is None else str(agent.get("status") or "offline")


def _offline(webitel: WebitelClient, agent_id: str) -> bool:
    with contextlib.suppress(WebitelNotFound):  # no agent any more: nothing to take offline
        webitel.set_agent_status(agent_id, "offline")
    return True


def _delete_agent_of(webitel: WebitelClient, uid: str) -> bool:
    agent = webitel.find_agent_of(uid)
    if agent is not None:
        webitel.delete_agent(str(agent["id"]))
    return True
