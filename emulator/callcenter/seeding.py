"""Seeding the call center: teams, skills, queues with their skills, and users' ``agent`` entries.

A seed names things and refers to other seeded things by name (``"team": "Support"``). Records go
through the same rules as API calls; where a seed leaves an attribute out, the table's default
applies (as for a row inserted in SQL), not the API handler's literal zero: queues are enabled
inbound queues, queue skills span capacities 0..100 and are enabled, agents have counts of 1,
agent skills are enabled.
"""

from __future__ import annotations

from typing import Any

from ..directory.users import Users
from ..seed import SeedContext, SeedError, _expect, entry, section, seed_named
from .agent_skills import AgentSkills
from .agents import Agent, Agents
from .calls import Switchboard
from .queue_skills import QueueSkill, QueueSkills
from .queues import Queue, Queues
from .skills import Skills
from .teams import Team, Teams

QUEUE_DEFAULTS = {"enabled": True, "type": 1}
QUEUE_SKILL_DEFAULTS = {"lvl": 0, "min_capacity": 0, "max_capacity": 100, "enabled": True}
AGENT_DEFAULTS = {"progressive_count": 1, "chat_count": 1, "task_count": 1}
PLAIN = (str, int, bool, float, dict, list, type(None))


def _plain(spec: dict, record: type, skip: tuple[str, ...], where: str) -> dict[str, Any]:
    """The entry's attributes that are the record's own (names the API uses for plain values)."""
    fields = record.__dataclass_fields__  # type: ignore[attr-defined]
    out = {}
    for key, value in spec.items():
        if key in skip or key not in fields or key in ("id", "created_at", "created_by", "updated_at", "updated_by"):
            continue
        default = fields[key].default
        expected = type(default) if isinstance(default, str | bool | int) else None
        if not isinstance(value, PLAIN) or (expected is not None and (
                type(value) is not expected and not (expected is int and type(value) is float))):
            raise SeedError(f"{where}.{key}: expected {expected.__name__ if expected else 'a plain value'}, "
                            f"got {type(value).__name__}")
        out[key] = value
    return out


@section("teams", order=40)
def seed_teams(ctx: SeedContext, entries: list[dict], where: str) -> None:
    teams = ctx.domain.store(Teams)
    seed_named(ctx, entries, where, "team",
               lambda spec, at: teams.create(actor=ctx.admin_id, **_plain(spec, Team, (), at)))


@section("skills", order=50)
def seed_skills(ctx: SeedContext, entries: list[dict], where: str) -> None:
    skills = ctx.domain.store(Skills)
    seed_named(ctx, entries, where, "skill", lambda spec, _at: skills.create(
        actor=ctx.admin_id, name=str(spec.get("name", "")), description=str(spec.get("description", ""))))


@section("queues", order=60)
def seed_queues(ctx: SeedContext, entries: list[dict], where: str) -> None:
    queues, queue_skills = ctx.domain.store(Queues), ctx.domain.store(QueueSkills)
    for j, spec in enumerate(entries):
        at = f"{where}[{j}]"
        attrs = {**QUEUE_DEFAULTS, **_plain(spec, Queue, ("team", "skills", "refs"), at)}
        if spec.get("team"):
            attrs["team_id"] = ctx.ref("team", spec["team"], f"{at}.team")
        if spec.get("calendar"):
            attrs["refs"] = {"calendar": ctx.ref("calendar", spec["calendar"], f"{at}.calendar")}
        with entry(at):
            queue = queues.create(actor=ctx.admin_id, **attrs)
        ctx.names.setdefault("queue", {})[queue.name.casefold()] = queue.id  # buckets and members refer to it
        for k, qs in enumerate(_expect(spec.get("skills", []), list, f"{at}.skills")):
            if not isinstance(qs, dict):
                raise SeedError(f"{at}.skills[{k}]: expected dict, got {type(qs).__name__}")
            row = {**QUEUE_SKILL_DEFAULTS, **_plain(qs, QueueSkill, ("skill", "queue_id"), f"{at}.skills[{k}]"),
                   "skill_id": ctx.ref("skill", qs.get("skill"), f"{at}.skills[{k}].skill"),
                   "bucket_ids": [_bucket_id(ctx, b, f"{at}.skills[{k}].buckets[{n}]")
                                  for n, b in enumerate(_expect(qs.get("buckets", []), list,
                                                                f"{at}.skills[{k}].buckets"))]}
            with entry(f"{at}.skills[{k}]"):
                queue_skills.create(queue.id, **row)


def _bucket_id(ctx: SeedContext, value: Any, where: str) -> int:
    """A queue skill's bucket: a seeded bucket's name, or an id (``5`` or ``{"id": 5}``) kept as
    given, as the API keeps a queue skill's bucket ids."""
    if isinstance(value, str):
        return ctx.ref("bucket", value, where)
    raw = value.get("id") if isinstance(value, dict) else value
    if isinstance(raw, str) and raw.isdigit():
        raw = int(raw)
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise SeedError(f"{where}: expected a bucket's name or id, got {value!r}")
    return raw


@section("users", order=70)
def seed_agents(ctx: SeedContext, entries: list[dict], where: str) -> None:
    agents, rows, board = ctx.domain.store(Agents), ctx.domain.store(AgentSkills), ctx.domain.store(Switchboard)
    users = ctx.domain.store(Users)
    for j, user_spec in enumerate(entries):
        spec = user_spec.get("agent")
        if not spec:
            continue
        at = f"{where}[{j}].agent"
        if spec is True:
            spec = {}
        if not isinstance(spec, dict):
            raise SeedError(f"{at}: expected dict or true, got {type(spec).__name__}")
        user = users.by_username(str(user_spec.get("username", "")))
        assert user is not None  # the directory seeded it
        attrs = {**AGENT_DEFAULTS, **_plain(spec, Agent, ("team", "skills", "status", "status_payload"), at),
                 "user_id": user.id}
        if spec.get("team"):
            attrs["team_id"] = ctx.ref("team", spec["team"], f"{at}.team")
        with entry(at):
            agent = agents.create(actor=ctx.admin_id, **attrs)
        made = []
        for k, row in enumerate(_expect(spec.get("skills", []), list, f"{at}.skills")):
            if not isinstance(row, dict):
                raise SeedError(f"{at}.skills[{k}]: expected dict, got {type(row).__name__}")
            capacity, enabled = row.get("capacity"), row.get("enabled", True)
            if capacity is not None and (isinstance(capacity, bool) or not isinstance(capacity, int)):
                raise SeedError(f"{at}.skills[{k}].capacity: expected int, got {type(capacity).__name__}")
            if not isinstance(enabled, bool):
                raise SeedError(f"{at}.skills[{k}].enabled: expected bool, got {type(enabled).__name__}")
            made.append((agent.id, ctx.ref("skill", row.get("skill"), f"{at}.skills[{k}].skill"), capacity, enabled))
        with entry(f"{at}.skills"):
            rows.add(made, actor=ctx.admin_id)
        if spec.get("status"):
            with entry(f"{at}.status"):
                board.change_status(agent.id, str(spec["status"]), str(spec.get("payload") or ""),
                                    user_id=ctx.admin_id, admin=True)
