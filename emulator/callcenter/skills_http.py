"""HTTP face of the engine's ``SkillService`` (``/call_center/skills``); a skill's agents are
served by ``agent_skills_http.py`` on the same service."""

from __future__ import annotations

from collections.abc import Callable

from ..api.fields import Fields
from ..api.protojson import render_as
from ..api.request import Call
from ..api.service import Service, listing
from ..directory.users import Users, audit
from ..state import Domain, dump_section
from ..store import paginate
from .agent_skills import AgentSkills
from .base import ENGINE_PAGE_SIZE
from .skills import Skill, Skills

SKILL = Fields(Skill, name="name", description="description")


def skill_wire(domain: Domain) -> Callable[[Skill], dict]:
    """The wire form of skills, with one count of their agents per answer however many it holds."""
    counts = domain.store(AgentSkills).counts()
    users = domain.store(Users)

    def wire(skill: Skill) -> dict:
        active, total = counts.get(skill.id, (0, 0))
        return {"id": skill.id, "domain_id": domain.id, "name": skill.name, "description": skill.description,
                "active_agents": active, "total_agents": total, **audit(users, skill)}

    return wire


@dump_section("call_center.skills", order=120)
def _dump(domain: Domain) -> list[dict]:
    wire = skill_wire(domain)
    return [render_as("engine.Skill", wire(s)) for s in domain.store(Skills)]


api = Service("SkillService", permission="dictionaries", clocked=True)


@api.operation("SearchSkill")
def search(call: Call) -> dict:
    query = call.list_query(ENGINE_PAGE_SIZE)
    rows = call.store(Skills).search(ids=call.ids("id"), q=query.q)
    return listing(call, query, paginate(rows, query, skill_wire(call.domain)))


@api.operation("CreateSkill", entity="skill")
def create(call: Call) -> dict:
    return skill_wire(call.domain)(call.store(Skills).create(actor=call.user_id, **SKILL.read(call)))


@api.operation("ReadSkill")
def read(call: Call) -> dict:
    return skill_wire(call.domain)(call.store(Skills).get(call.path["id"]))


@api.operation("UpdateSkill", entity="skill")
def update(call: Call) -> dict:
    return skill_wire(call.domain)(call.store(Skills).update(call.path["id"], actor=call.user_id, **SKILL.read(call)))


@api.operation("DeleteSkill")
def delete(call: Call) -> dict:
    return skill_wire(call.domain)(call.store(Skills).delete(call.path["id"]))
