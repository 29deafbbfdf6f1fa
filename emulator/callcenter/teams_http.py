"""HTTP face of the engine's ``AgentTeamService`` (``/call_center/teams``)."""

from __future__ import annotations

from ..api.fields import REF, REFS, Fields
from ..api.protojson import render_as
from ..api.request import Call
from ..api.service import Service, crud
from ..state import Domain, dump_section
from ..store import ListQuery
from .agents import Agents
from .base import ENGINE_PAGE_SIZE
from .teams import Team, Teams

TEAM = Fields(Team, name="name", description="description", strategy="strategy", max_no_answer="max_no_answer",
              no_answer_delay_time="no_answer_delay_time", wrap_up_time="wrap_up_time", call_timeout="call_timeout",
              admin=("admin_ids", REFS), invite_chat_timeout="invite_chat_timeout",
              task_accept_timeout="task_accept_timeout", forecast_calculation=("forecast_calculation_id", REF),
              screen_control="screen_control")


def wire_team(domain: Domain, team: Team) -> dict:
    agents = domain.store(Agents)
    return {"id": team.id, "domain_id": domain.id, "name": team.name, "description": team.description,
            "strategy": team.strategy, "max_no_answer": team.max_no_answer,
            "no_answer_delay_time": team.no_answer_delay_time, "wrap_up_time": team.wrap_up_time,
            "call_timeout": team.call_timeout, "updated_at": team.updated_at,
            "admin": [{"id": a, "name": agents.name_of(a)} for a in team.admin_ids],
            "invite_chat_timeout": team.invite_chat_timeout, "task_accept_timeout": team.task_accept_timeout,
            "forecast_calculation": {"id": team.forecast_calculation_id}, "screen_control": team.screen_control}


@dump_section("call_center.teams", order=110)
def _dump(domain: Domain) -> list[dict]:
    return [render_as("engine.AgentTeam", wire_team(domain, t)) for t in domain.store(Teams)]


api = Service("AgentTeamService", permission="cc_team", clocked=True)


def _search(call: Call, query: ListQuery) -> list[Team]:
    return call.store(Teams).search(ids=call.ids("id"), strategies=call.query.get("strategy", []),
                                    admins=call.ids("admin_id"), q=query.q)


crud(api, Teams, wire_team, TEAM.read, page_size=ENGINE_PAGE_SIZE, search="SearchAgentTeam", filters=_search,
     create="CreateAgentTeam", read="ReadAgentTeam", update=("UpdateAgentTeam",), delete="DeleteAgentTeam",
     entity="team")
