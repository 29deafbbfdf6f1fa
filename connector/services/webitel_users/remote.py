"""What a Webitel user holds, in the record's terms, and how the two compare: one home for reading
Webitel's user JSON (licenses, roles, extension, device) and for the rule "what differs"."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...models import WebitelUser, WebitelUserLicense, WebitelUserRole, WebitelUserSkill

# Marks the Webitel users the connector creates with the record's id, so that a user whose create
# answer was lost is found and linked, and never mistaken for someone else's user with the username.
RECORD_MARK = "creatio_record_id"


def licenses_of(remote: dict) -> dict[str, str]:
    """License serial -> product."""
    return {str(g["id"]): str(g.get("prod") or "") for g in remote.get("license") or [] if g.get("id")}


def roles_of(remote: dict) -> dict[str, str]:
    """Role id -> name."""
    return {str(r["id"]): str(r.get("name") or "") for r in remote.get("roles") or [] if r.get("id")}


def extension_of(remote: dict) -> str | None:
    return remote.get("extension") or None


def is_own(remote: dict | None, record: WebitelUser) -> bool:
    return remote is not None and (remote.get("profile") or {}).get(RECORD_MARK) == str(record.id)


def link(record: WebitelUser, remote: dict) -> None:
    """Copy what Webitel decided about the user (its id, the default device) onto the record."""
    device = remote.get("device") or {}
    record.webitel_user_id = str(remote["id"])
    record.default_device_id = str(device["id"]) if device.get("id") else None
    record.default_device_name = device.get("name") or None


def set_licenses(record: WebitelUser, licenses: dict[str, str]) -> None:
    """Make the record's licenses exactly ``licenses`` (serial -> product), touching only what differs."""
    for row in list(record.licenses):
        if row.license_id not in licenses:
            record.licenses.remove(row)
        elif licenses[row.license_id] and row.product != licenses[row.license_id]:
            row.product = licenses[row.license_id]
    have = {row.license_id for row in record.licenses}
    record.licenses.extend(WebitelUserLicense(license_id=serial, product=product)
                           for serial, product in sorted(licenses.items()) if serial not in have)


def set_roles(record: WebitelUser, roles: dict[str, str]) -> None:
    for row in list(record.roles):
        if row.role_id not in roles:
            record.roles.remove(row)
        elif roles[row.role_id] and row.name != roles[row.role_id]:
            row.name = roles[row.role_id]
    have = {row.role_id for row in record.roles}
    record.roles.extend(WebitelUserRole(role_id=role_id, name=name)
                        for role_id, name in sorted(roles.items()) if role_id not in have)


@dataclass(frozen=True)
class HeldAgent:
    """A Webitel agent as the comparison sees it: its team and its skills (skill id -> [capacity, enabled])."""

    team_id: str | None
    skills: dict[str, list]


def held_agent(agent: dict, skill_rows: list[dict]) -> HeldAgent:
    team = agent.get("team") or {}
    return HeldAgent(team_id=str(team["id"]) if team.get("id") else None,
                     skills={str((row.get("skill") or {}).get("id")): [row.get("capacity", 0), bool(row.get("enabled"))]
                             for row in skill_rows})


def wanted(record: WebitelUser) -> dict[str, Any]:
    """The record's side of the comparison (a team and skills count only for an agent)."""
    values: dict[str, Any] = {
        "extension": record.extension, "licenses": sorted(row.license_id for row in record.licenses),
        "roles": sorted(row.role_id for row in record.roles), "stun_enabled": record.stun_enabled,
        "is_agent": record.is_agent}
    if record.is_agent:
        values["team_id"] = record.team_id
        values["skills"] = {row.skill_id: [row.capacity, row.active] for row in record.skills}
    return values


def held(remote: dict, *, stun: bool | None = None, agent: HeldAgent | None = None,
         agent_read: bool = False) -> dict[str, Any]:
    """Webitel's side of the comparison (``stun`` None: not read; ``agent_read``: whether the user's
    agent was looked at, and ``agent`` is it, or None for no agent)."""
    values: dict[str, Any] = {"extension": extension_of(remote), "licenses": sorted(licenses_of(remote)),
                              "roles": sorted(roles_of(remote))}
    if stun is not None:
        values["stun_enabled"] = stun
    if agent_read:
        values["is_agent"] = agent is not None
        if agent is not None:
            values["team_id"], values["skills"] = agent.team_id, agent.skills
    return values


def differences(record: WebitelUser, remote: dict, *, stun: bool | None = None, agent: HeldAgent | None = None,
                agent_read: bool = False) -> dict[str, dict[str, Any]]:
    """Each field on which the record and Webitel's user differ, with both values."""
    mine, theirs = wanted(record), held(remote, stun=stun, agent=agent, agent_read=agent_read)
    return {key: {"record": mine[key], "webitel": theirs[key]} for key in theirs
            if key in mine and mine[key] != theirs[key]}


def user_patch(record: WebitelUser, remote: dict) -> dict[str, Any]:
    """The ``PATCH /users/{id}`` body that makes Webitel's user what the record says (whole sets:
    Webitel takes licenses and roles only as a whole)."""
    diff = differences(record, remote)
    patch: dict[str, Any] = {}
    if "extension" in diff:
        patch["extension"] = record.extension or ""
    if "licenses" in diff:
        patch["license"] = [{"id": row.license_id} for row in record.licenses]
    if "roles" in diff:
        patch["roles"] = [{"id": row.role_id} for row in record.roles]
    return patch


def matches(record: WebitelUser, remote: dict) -> bool:
    return not differences(record, remote)


def set_agent(record: WebitelUser, agent: dict | None, skill_rows: list[dict]) -> None:
    """Make the record's agent part what Webitel holds: the flag, the team, the skills and the status.
    A user who is no agent keeps the record's skills (for when it becomes one again)."""
    record.is_agent = agent is not None
    if agent is None:
        record.webitel_agent_id, record.agent_status = None, None
        return
    team = agent.get("team") or {}
    record.webitel_agent_id = str(agent["id"])
    record.team_id = str(team["id"]) if team.get("id") else None
    record.team_name = str(team.get("name") or "") or None
    record.agent_status = str(agent.get("status") or "offline")
    skills = {str((row.get("skill") or {}).get("id")): row for row in skill_rows}
    for row in list(record.skills):
        if row.skill_id not in skills:
            record.skills.remove(row)
    have = {row.skill_id: row for row in record.skills}
    for skill_id, held_row in skills.items():
        capacity, active = int(held_row.get("capacity") or 0), bool(held_row.get("enabled"))
        name = str((held_row.get("skill") or {}).get("name") or "")
        mine = have.get(skill_id)
        if mine is None:
            record.skills.append(WebitelUserSkill(skill_id=skill_id, skill_name=name, capacity=capacity,
                                                  active=active))
        else:
            mine.capacity, mine.active = capacity, active


def take(record: WebitelUser, user: dict, *, stun: bool | None, agent: dict | None, skill_rows: list[dict]) -> None:
    """Make the record hold what Webitel holds for the user (the import, and the repair ``to_record``):
    its link and device, extension, licenses, roles, STUN (when read) and agent part."""
    link(record, user)
    record.extension = extension_of(user)
    if stun is not None:
        record.stun_enabled = stun
    set_licenses(record, licenses_of(user))
    set_roles(record, roles_of(user))
    set_agent(record, agent, skill_rows)


def device_differs(record: WebitelUser, user: dict) -> bool:
    device = user.get("device") or {}
    return (record.default_device_id, record.default_device_name) != \
        (str(device["id"]) if device.get("id") else None, device.get("name") or None)
