"""Seeding the call center: teams, skills, queues with their skills, and users' ``agent`` entries.

A seed names things and refers to other seeded things by name (``"team": "Support"``,
``"skill": "English"``). Records go through the same rules as API calls; where a seed leaves an
attribute out, the table's default applies (as for a row inserted in SQL), not the API handler's
literal zero: queues are enabled inbound queues, queue skills span capacities 0..100 and are
enabled, agents have counts of 1, agent skills are enabled.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..seed import SeedError, entry

if TYPE_CHECKING:
    from ..state import Domain

QUEUE_DEFAULTS = {"enabled": True, "type": 1}
QUEUE_SKILL_DEFAULTS = {"lvl": 0, "min_capacity": 0, "max_capacity": 100, "enabled": True}
AGENT_DEFAULTS = {"progressive_count": 1, "chat_count": 1, "task_count": 1}


def _by_name(names: dict[str, int], value: Any, kind: str, where: str) -> dict:
    key = str(value).casefold()
    if key not in names:
        raise SeedError(f"{where}: no {kind} named '{value}' in the seed")
    return {"id": names[key]}


def seed_call_center(domain: Domain, doc: dict, where: str, actor: int) -> None:
    cc = domain.call_center
    for j, team in enumerate(doc.get("teams", [])):
        with entry(f"{where}.teams[{j}]"):
            cc.save_team(None, team, actor)
    for j, skill in enumerate(doc.get("skills", [])):
        with entry(f"{where}.skills[{j}]"):
            cc.save_skill(None, skill, actor)
    teams = {t.name.casefold(): t.id for t in cc.teams.values()}
    skills = {s.name.casefold(): s.id for s in cc.skills.values()}

    for j, spec in enumerate(doc.get("queues", [])):
        at = f"{where}.queues[{j}]"
        body = {**QUEUE_DEFAULTS, **{k: v for k, v in spec.items() if k not in ("team", "skills")}}
        if spec.get("team"):
            body["team"] = _by_name(teams, spec["team"], "team", f"{at}.team")
        with entry(at):
            queue = cc.save_queue(None, body, actor, fields=None)
        for k, qs in enumerate(spec.get("skills", [])):
            if not isinstance(qs, dict):
                raise SeedError(f"{at}.skills[{k}]: expected dict, got {type(qs).__name__}")
            body = {**QUEUE_SKILL_DEFAULTS, **{key: v for key, v in qs.items() if key != "skill"},
                    "skill": _by_name(skills, qs.get("skill"), "skill", f"{at}.skills[{k}].skill")}
            with entry(f"{at}.skills[{k}]"):
                cc.save_queue_skill(queue.id, None, body, fields=None)

    for j, user_spec in enumerate(doc.get("users", [])):
        spec = user_spec.get("agent")
        if not spec:
            continue
        at = f"{where}.users[{j}].agent"
        if spec is True:
            spec = {}
        if not isinstance(spec, dict):
            raise SeedError(f"{at}: expected dict or true, got {type(spec).__name__}")
        user = domain.directory.user_by_username(str(user_spec.get("username", "")))
        body = {**AGENT_DEFAULTS, **{k: v for k, v in spec.items() if k not in ("team", "skills", "status", "payload")},
                "user": {"id": user.id}}
        if spec.get("team"):
            body["team"] = _by_name(teams, spec["team"], "team", f"{at}.team")
        with entry(at):
            agent = cc.create_agent(body, actor)
        rows = []
        for k, row in enumerate(spec.get("skills", [])):
            if not isinstance(row, dict):
                raise SeedError(f"{at}.skills[{k}]: expected dict, got {type(row).__name__}")
            rows.append({"enabled": True, **{key: v for key, v in row.items() if key != "skill"},
                         "skill": _by_name(skills, row.get("skill"), "skill", f"{at}.skills[{k}].skill")})
        with entry(f"{at}.skills"):
            cc.add_rows([agent.id] * len(rows), rows, actor)
        if spec.get("status"):
            with entry(f"{at}.status"):
                cc.set_agent_status(agent.id, {"status": spec["status"], "payload": spec.get("payload")},
                                    user_id=actor, admin=True)
