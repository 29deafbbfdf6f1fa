"""HTTP face of the engine's ``AgentService`` (``/call_center/agents``), and an agent's wire form."""

from __future__ import annotations

from ..api.fields import REF, REFS, Fields
from ..api.protojson import render_as
from ..api.request import Call
from ..api.service import Service, crud, listing
from ..directory.users import Users
from ..state import Domain, dump_records
from ..store import any_ilike, paginate
from .agent_skills import AgentSkills
from .agents import CALL_CHANNEL, Agent, Agents
from .base import ENGINE_PAGE_SIZE
from .calls import Switchboard
from .queues import Queues
from .skills import Skills
from .teams import Teams

AGENT = Fields(Agent, user=("user_id", REF), team=("team_id", REF), description="description",
               progressive_count="progressive_count", chat_count="chat_count", task_count="task_count",
               extra_chat_count="extra_chat_count", allow_channels="allow_channels",
               supervisor=("supervisor_ids", REFS), auditor=("auditor_ids", REFS), region=("region_id", REF),
               greeting_media=("greeting_media_id", REF), is_supervisor="is_supervisor",
               screen_control="screen_control")


def wire_agent(domain: Domain, agent: Agent) -> dict:
    users, agents, skills = domain.store(Users), domain.store(Agents), domain.store(Skills)
    team = domain.store(Teams).find(agent.team_id)
    user = users.find(agent.user_id)
    name = user.display_name if user else ""
    now = domain.now()
    return {
        "id": agent.id, "user": {"id": agent.user_id, "name": name}, "name": name, "status": agent.status,
        "description": agent.description, "last_status_change": agent.last_status_change,
        "status_duration": max(0, now - agent.last_status_change) // 1000,
        "progressive_count": agent.progressive_count,
        "channel": [{"channel": CALL_CHANNEL, "state": agent.channel_state, "joined_at": agent.channel_joined_at,
                     "timeout": agent.channel_timeout}],
        "greeting_media": {"id": agent.greeting_media_id}, "allow_channels": agent.allow_channels,
        "chat_count": agent.chat_count,
        "supervisor": [{"id": a, "name": agents.name_of(a)} for a in agent.supervisor_ids],
        "team": {"id": agent.team_id, "name": team.name if team else None},
        "region": {"id": agent.region_id},
        "auditor": [{"id": u, "name": users.rows[u].display_name if u in users.rows else None}
                    for u in agent.auditor_ids],
        "is_supervisor": agent.is_supervisor,
        "skills": [{"id": s, "name": skills.name_of(s)} for s in sorted(domain.store(AgentSkills).of(agent.id))],
        "extension": user.extension if user else "", "task_count": agent.task_count,
        "screen_control": agent.screen_control, "user_presence_status": {"status": user.presence if user else ""},
        "extra_chat_count": agent.extra_chat_count,
    }


@dump_records("call_center.agents", lambda domain: domain.store(Agents).rows.values(), order=130)
def _dump(domain: Domain, a: Agent) -> dict:
    return {**render_as("engine.Agent", wire_agent(domain, a)), "free": a.id in domain.store(Switchboard).free,
            **{k: v for k, v in (("status_payload", a.status_payload), ("no_answers", a.no_answers),
                                 ("call_id", str(a.call_id) if a.call_id else "")) if v}}


def search_agents(domain: Domain, call: Call, q: str | None) -> list[Agent]:
    """Agents by the engine's filters (``SearchAgentRequest``)."""
    users, rows_of = domain.store(Users), domain.store(AgentSkills)
    board, queues_store = domain.store(Switchboard), domain.store(Queues)

    args = call.query

    def ids(name: str) -> set:
        return set(args.get(name, ())) if name in ("extension", "allow_channels") else set(call.ids(name))

    wanted, not_users, user_ids, extensions = ids("id"), ids("not_user_id"), ids("user_id"), ids("extension")
    teams, not_teams, skills, not_skills = ids("team_id"), ids("not_team_id"), ids("skill_id"), ids("not_skill_id")
    supervisors, auditors, regions = ids("supervisor_id"), ids("auditor_id"), ids("region_id")
    channels = ids("allow_channels")
    queues = [queues_store.find(q_id) for q_id in call.ids("queue_id")]
    out = []
    for agent in domain.store(Agents):
        user = users.find(agent.user_id)
        has = set(rows_of.of(agent.id))
        checks = (
            not wanted or agent.id in wanted, not user_ids or agent.user_id in user_ids,
            agent.user_id not in not_users,
            not extensions or (user is not None and user.extension in extensions),
            not teams or agent.team_id in teams, agent.team_id is None or agent.team_id not in not_teams,
            not skills or bool(has & skills), not has & not_skills,
            not supervisors or bool(supervisors & set(agent.supervisor_ids)),
            not auditors or bool(auditors & set(agent.auditor_ids)),
            not regions or agent.region_id in regions, not channels or bool(channels & set(agent.allow_channels)),
            not args.get("is_supervisor") or agent.is_supervisor,
            not args.get("not_supervisor") or not agent.is_supervisor,
            not queues or any(x is not None and board.serves(agent, x) for x in queues),
            not q or (user is not None and any_ilike(q, user.display_name, user.extension)),
        )
        if all(checks):
            out.append(agent)
    return out


api = Service("AgentService", permission="cc_agent", clocked=True)


crud(api, Agents, wire_agent, AGENT.read, page_size=ENGINE_PAGE_SIZE, search="SearchAgent",
     filters=lambda call, query: search_agents(call.domain, call, query.q), create="CreateAgent", read="ReadAgent",
     update=("UpdateAgent", "PatchAgent"), delete="DeleteAgent", entity="agent")


@api.operation("UpdateAgentStatus", self_service=True)
def status(call: Call) -> dict:
    body = call.body
    assert call.session is not None
    call.store(Switchboard).change_status(call.path["id"], body.get("status", ""), body.get("payload", ""),
                                          user_id=call.session.user_id, admin=call.session.root)
    return {"status": "OK"}  # engine.Response (grpc_api ResponseOk)


@api.operation("SearchLookupUsersAgentNotExists")
def users_not_agents(call: Call) -> dict:
    """Users of the domain who are not agents yet (and not soft-deleted)."""
    query, agents = call.list_query(ENGINE_PAGE_SIZE), call.store(Agents)
    rows = [u for u in call.store(Users) if u.id not in agents.of_user and not u.deleted_at
            and any_ilike(query.q, u.name, u.username)]
    return listing(call, query, paginate(rows, query, lambda u: {"id": u.id, "name": u.display_name}))
