"""HTTP face of the engine's ``SkillService`` (``/call_center/skills``); a skill's agents are
served by ``agent_skills_http.py`` on the same service."""

from __future__ import annotations

from ..api.fields import Fields
from ..api.protojson import render_as
from ..api.request import Call
from ..api.service import Service, crud
from ..directory.users import Users, audit
from ..state import Domain, dump_section
from ..store import ListQuery
from .agent_skills import AgentSkills
from .base import ENGINE_PAGE_SIZE
from .skills import Skill, Skills

SKILL = Fields(Skill, name="name", description="description")


def wire_skill(domain: Domain, skill: Skill) -> dict:
    active, total = domain.store(AgentSkills).counts(skill.id)
    return {"id": skill.id, "domain_id": domain.id, "name": skill.name, "description": skill.description,
            "active_agents": active, "total_agents": total, **audit(domain.store(Users), skill)}


@dump_section("call_center.skills", order=120)
def _dump(domain: Domain) -> list[dict]:
    return [render_as("engine.Skill", wire_skill(domain, s)) for s in domain.store(Skills)]


api = Service("SkillService", permission="dictionaries", clocked=True)


def _search(call: Call, query: ListQuery) -> list[Skill]:
    return call.store(Skills).search(ids=call.ids("id"), q=query.q)


crud(api, Skills, wire_skill, SKILL.read, page_size=ENGINE_PAGE_SIZE, search="SearchSkill", filters=_search,
     create="CreateSkill", read="ReadSkill", update=("UpdateSkill",), delete="DeleteSkill", entity="skill")
