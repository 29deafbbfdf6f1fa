"""What a Webitel user holds, in the record's terms, and how the two compare: one home for reading
Webitel's user JSON (licenses, roles, extension, device) and for the rule "what differs"."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

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


def is_deleted(remote: dict) -> bool:
    """Webitel deletes a user softly unless asked otherwise: it stays readable, with ``deleted_at``
    (and keeps its username and extension). For the connector it is gone."""
    return bool(remote.get("deleted_at"))


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
    _set_items(record.licenses, licenses, "license_id", "product",
               lambda serial, product: WebitelUserLicense(license_id=serial, product=product))


def set_roles(record: WebitelUser, roles: dict[str, str]) -> None:
    """Make the record's roles exactly ``roles`` (id -> name), touching only what differs."""
    _set_items(record.roles, roles, "role_id", "name",
               lambda role_id, name: WebitelUserRole(role_id=role_id, name=name))


def _set_items(rows: list, wanted: dict[str, str], key: str, label: str, make: Callable[[str, str], Any]) -> None:
    """Remove the rows not wanted, relabel the kept ones, add the missing ones (never a delete and an
    insert of the same row)."""
    for row in list(rows):
        if getattr(row, key) not in wanted:
            rows.remove(row)
        elif wanted[getattr(row, key)] and getattr(row, label) != wanted[getattr(row, key)]:
            setattr(row, label, wanted[getattr(row, key)])
    have = {getattr(row, key) for row in rows}
    rows.extend(make(item, text) for item, text in sorted(wanted.items()) if item not in have)


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


class LicenseRow(NamedTuple):
    license_id: str
    product: str


class RoleRow(NamedTuple):
    role_id: str
    name: str


class SkillRow(NamedTuple):
    skill_id: str
    skill_name: str
    capacity: int
    active: bool


@dataclass
class RecordView:
    """A record read as plain values (the import compares thousands: no ORM objects for them)."""

    id: uuid.UUID
    webitel_user_id: str | None
    webitel_username: str
    webitel_username_key: str
    system_user_id: uuid.UUID | None
    contact_id: uuid.UUID | None
    extension: str | None
    stun_enabled: bool
    is_agent: bool
    team_id: str | None
    default_device_id: str | None
    default_device_name: str | None
    sync_state: str
    claim_id: str | None
    claimed_until: datetime | None
    updated_at: datetime
    licenses: list[LicenseRow]
    roles: list[RoleRow]
    skills: list[SkillRow]

    @property
    def default_device(self) -> dict | None:
        return {"id": self.default_device_id, "name": self.default_device_name} if self.default_device_id else None


Comparable = WebitelUser | RecordView


def wanted(record: Comparable) -> dict[str, Any]:
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


def differences(record: Comparable, remote: dict, *, stun: bool | None = None, agent: HeldAgent | None = None,
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


@dataclass(frozen=True)
class Held:
    """What Webitel holds for a user, in the record's terms: its columns, and its licenses, roles and
    (for an agent) skills. A user who is no agent keeps the record's skills and team (for when it
    becomes one again): ``skills`` is None then."""

    columns: dict[str, Any]
    licenses: dict[str, str]
    roles: dict[str, str]
    skills: dict[str, tuple[str, int, bool]] | None


def held_values(user: dict, *, stun: bool | None, agent: dict | None, skill_rows: list[dict]) -> Held:
    """The one mapping of Webitel's user (and agent) to a record (the import, ``to_record`` repair)."""
    device = user.get("device") or {}
    columns: dict[str, Any] = {
        "webitel_user_id": str(user["id"]), "default_device_id": str(device["id"]) if device.get("id") else None,
        "default_device_name": device.get("name") or None, "extension": extension_of(user),
        "is_agent": agent is not None}
    if stun is not None:
        columns["stun_enabled"] = stun
    skills = None
    if agent is None:
        columns.update(webitel_agent_id=None, agent_status=None)
    else:
        team = agent.get("team") or {}
        columns.update(webitel_agent_id=str(agent["id"]), agent_status=str(agent.get("status") or "offline"),
                       team_id=str(team["id"]) if team.get("id") else None,
                       team_name=str(team.get("name") or "") or None)
        skills = {str((row.get("skill") or {}).get("id")): (str((row.get("skill") or {}).get("name") or ""),
                                                             int(row.get("capacity") or 0), bool(row.get("enabled")))
                  for row in skill_rows}
    return Held(columns, licenses_of(user), roles_of(user), skills)


def set_skills(record: WebitelUser, skills: dict[str, tuple[str, int, bool]]) -> None:
    for row in list(record.skills):
        if row.skill_id not in skills:
            record.skills.remove(row)
    have = {row.skill_id: row for row in record.skills}
    for skill_id, (name, capacity, active) in skills.items():
        mine = have.get(skill_id)
        if mine is None:
            record.skills.append(WebitelUserSkill(skill_id=skill_id, skill_name=name, capacity=capacity,
                                                  active=active))
        else:
            mine.capacity, mine.active = capacity, active


def take(record: WebitelUser, user: dict, *, stun: bool | None, agent: dict | None, skill_rows: list[dict]) -> None:
    """Make the record hold what Webitel holds for the user (``to_record`` repair, an import's update)."""
    held = held_values(user, stun=stun, agent=agent, skill_rows=skill_rows)
    for name, value in held.columns.items():
        if getattr(record, name) != value:
            setattr(record, name, value)
    set_licenses(record, held.licenses)
    set_roles(record, held.roles)
    if held.skills is not None:
        set_skills(record, held.skills)


def device_differs(record: Comparable, user: dict) -> bool:
    device = user.get("device") or {}
    return (record.default_device_id, record.default_device_name) != \
        (str(device["id"]) if device.get("id") else None, device.get("name") or None)
