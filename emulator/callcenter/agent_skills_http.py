"""HTTP face of the engine's ``AgentSkillService`` (``/call_center/agents/{agent_id}/skills``) and
of ``SkillService``'s skill-centric assignment (``/call_center/skills/{skill_id}/agents``)."""

from __future__ import annotations

from typing import Any

from ..api.fields import ref_id
from ..api.protojson import render_as
from ..api.request import Call
from ..api.service import Service, listing
from ..directory.users import Users, audit
from ..state import Domain, dump_records
from ..store import paginate
from . import skills_http
from .agent_skills import AgentSkill, AgentSkills
from .agents import Agents
from .base import ENGINE_PAGE_SIZE
from .skills import Skills
from .teams import Teams


def wire_row(domain: Domain, row: AgentSkill, *, shape: str = "full") -> dict:
    """``full``: engine.AgentSkill; ``item``: AgentSkillItem (an agent's list); ``agent``:
    SkillAgentItem (a skill's list)."""
    skills, agents = domain.store(Skills), domain.store(Agents)
    out: dict[str, Any] = {"id": row.id, "skill": {"id": row.skill_id, "name": skills.name_of(row.skill_id)},
                           "capacity": row.capacity, "enabled": row.enabled}
    if shape == "full":
        out.update({"domain_id": domain.id, "agent": {"id": row.agent_id, "name": agents.name_of(row.agent_id)},
                    **audit(domain.store(Users), row)})
    elif shape == "agent":
        agent = agents.find(row.agent_id)
        team = domain.store(Teams).find(agent.team_id) if agent else None
        out.update({"agent": {"id": row.agent_id, "name": agents.name_of(row.agent_id)},
                    "team": {"id": team.id, "name": team.name} if team else None})
    return out


@dump_records("call_center.agent_skills", lambda domain: domain.store(AgentSkills).rows.values(), order=140)
def _dump(domain: Domain, r: AgentSkill) -> dict:
    return render_as("engine.AgentSkill", wire_row(domain, r))


api = Service("AgentSkillService", permission="cc_agent", clocked=True)


def _row(body: dict[str, Any], call: Call) -> dict[str, Any]:
    """The row attributes a PUT/PATCH writes."""
    out: dict[str, Any] = {}
    if call.changed("skill"):
        out["skill_id"] = ref_id(body.get("skill")) or 0
    if call.changed("capacity"):
        out["capacity"] = body.get("capacity")
    if call.changed("enabled"):
        out["enabled"] = body.get("enabled", False)
    return out


def _items(domain: Domain, rows: list[AgentSkill], shape: str) -> dict:
    return {"items": [wire_row(domain, r, shape=shape) for r in rows]}


@api.operation("SearchAgentSkill")
def search(call: Call) -> dict:
    query, store = call.list_query(ENGINE_PAGE_SIZE), call.store(AgentSkills)
    rows = store.select(agent_id=call.path["agent_id"], ids=call.ids("id"),
                        skill_ids=call.ids("skill_id"), q=query.q)
    skills = call.store(Skills)
    # AgentSkill.DefaultOrder is the skill's name.
    page = paginate(rows, query, lambda r: wire_row(call.domain, r, shape="item"),
                    default_key=lambda r: (skills.name_of(r.skill_id).casefold(), r.id))
    return listing(call, query, page)


@api.operation("CreateAgentSkill")
def create(call: Call) -> dict:
    body = call.body
    [row] = call.store(AgentSkills).add([(call.path["agent_id"], ref_id(body.get("skill")), body.get("capacity"),
                                          body.get("enabled", False))], actor=call.user_id)
    return wire_row(call.domain, row)


@api.operation("CreateAgentSkills")
def create_many(call: Call) -> dict:
    agent_id = call.path["agent_id"]
    rows = call.store(AgentSkills).add([(agent_id, ref_id(i.get("skill")), i.get("capacity"), i.get("enabled", False))
                                        for i in call.body.get("items", [])], actor=call.user_id)
    return {"ids": [r.id for r in rows]}


@api.operation("PatchAgentSkills")
def patch_many(call: Call) -> dict:
    store, body = call.store(AgentSkills), call.body
    rows = store.select(agent_id=call.path["agent_id"], ids=body.get("id", []), skill_ids=body.get("skill_id", []))
    return _items(call.domain, store.patch(rows, actor=call.user_id, **_row(body, call)), "item")


@api.operation("DeleteAgentSkills")
def delete_many(call: Call) -> dict:
    store = call.store(AgentSkills)
    rows = store.select(agent_id=call.path["agent_id"], ids=call.ids("id"),
                        skill_ids=call.ids("skill_id"))
    return _items(call.domain, store.delete(rows), "item")


@api.operation("ReadAgentSkill")
def read(call: Call) -> dict:
    return wire_row(call.domain, call.store(AgentSkills).get_of(call.path["agent_id"], call.path["id"]))


@api.operation("UpdateAgentSkill")
@api.operation("PatchAgentSkill")
def update(call: Call) -> dict:
    row = call.store(AgentSkills).update(call.path["agent_id"], call.path["id"], actor=call.user_id,
                                         **_row(call.body, call))
    return wire_row(call.domain, row)


@api.operation("DeleteAgentSkill")
def delete(call: Call) -> dict:
    store = call.store(AgentSkills)
    [row] = store.delete([store.get_of(call.path["agent_id"], call.path["id"])])
    return wire_row(call.domain, row)


@api.operation("SearchLookupAgentNotExistsSkill")
def skills_not_on_agent(call: Call) -> dict:
    """Skills the agent has no row of (every skill for an agent that does not exist)."""
    query = call.list_query(ENGINE_PAGE_SIZE)
    taken = set(call.store(AgentSkills).of(call.path["agent_id"]))
    rows = call.store(Skills).search(q=query.q, exclude=taken)
    return listing(call, query, paginate(rows, query, lambda s: {"id": s.id, "name": s.name}))


# -- a skill's agents (SkillService) -----------------------------------------------------------------
skill_api: Service = skills_http.api


def _skill_rows(call: Call, source: dict[str, Any]) -> list[AgentSkill]:
    return call.store(AgentSkills).select(skill_id=call.path["skill_id"], ids=source.get("id", []),
                                          agent_ids=source.get("agent_id", []), q=source.get("q") or None)


@skill_api.operation("SearchSkillAgent")
def search_skill_agents(call: Call) -> dict:
    query = call.list_query(ENGINE_PAGE_SIZE)
    rows = _skill_rows(call, call.query)
    page = paginate(rows, query, lambda r: wire_row(call.domain, r, shape="agent"))
    # aggs.enabled: no row of the selection is disabled (grpc_api/cc_skill.go SearchSkillAgent).
    return listing(call, query, page, aggs={"enabled": all(r.enabled for r in rows)})


@skill_api.operation("CreateSkillAgent")
def add_skill_agents(call: Call) -> dict:
    body, skill_id = call.body, call.path["skill_id"]
    agent_ids = list(dict.fromkeys(i for i in (ref_id(a) for a in body.get("agent", [])) if i))
    rows = call.store(AgentSkills).add([(a, skill_id, body.get("capacity"), body.get("enabled", False))
                                        for a in agent_ids], actor=call.user_id)
    return _items(call.domain, rows, "agent")


@skill_api.operation("PatchSkillAgent")
def patch_skill_agents(call: Call) -> dict:
    rows = call.store(AgentSkills).patch(_skill_rows(call, call.body), actor=call.user_id, **_row(call.body, call))
    return _items(call.domain, rows, "agent")


@skill_api.operation("DeleteSkillAgent")
def delete_skill_agents(call: Call) -> dict:
    return _items(call.domain, call.store(AgentSkills).delete(_skill_rows(call, call.body)), "agent")
