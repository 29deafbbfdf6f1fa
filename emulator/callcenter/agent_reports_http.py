"""HTTP face of the engine's ``AgentService``, the agents' history and reports: state history,
today's statistics, call and status reports, an agent's queues and their waiting members,
users' statuses, and the waiting-channel action. The figures come from the simulation's own
history (``statistics.py``); the records' operations are in ``agents_http.py``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..api.request import Call as Request
from ..api.service import listing
from ..directory.users import Users
from ..errors import bad_request, internal
from ..state import Domain
from ..store import any_ilike, paginate
from .agent_skills import AgentSkills
from .agent_states import AgentState, AgentStates
from .agents import PAUSE, Agent, Agents
from .agents_http import api, search_agents
from .base import ENGINE_PAGE_SIZE
from .buckets import Buckets
from .calls import CALL_WAITING, Switchboard
from .members import Members
from .members_http import ref
from .queues import Queue, Queues
from .ranges import between
from .skills import Skills
from .statistics import AgentFigures, active_call, figures, today
from .teams import Teams

E_REPORT_TIME = "grpc.agent.report.call"


def _range(call: Request, *, required: bool = True) -> tuple[int, int]:
    """``time.from`` / ``time.to`` (unix ms); ``to`` 0 is now. Webitel refuses a report without."""
    bounds = between(call.query, "time")
    if bounds is None and required:
        raise bad_request(E_REPORT_TIME, "filter time is required")
    low, high = bounds or (0, 0)
    return low, high or call.domain.now() + 1


def agent_figures(domain: Domain, agents: Iterable[Agent], start: int, end: int) -> dict[int, AgentFigures]:
    rows = list(agents)
    board = domain.store(Switchboard)
    return figures([a.id for a in rows], board.calls.values(), domain.store(AgentStates),
                   {a.id: a.created_at for a in rows}, {a.id: a.user_id for a in rows}, start, end, domain.now())


def served_queues(domain: Domain, agent: Agent) -> list[Queue]:
    """Enabled queues the agent is eligible for (team and an enabled skill in range)."""
    board = domain.store(Switchboard)
    return [q for q in domain.store(Queues) if q.enabled and board.serves(agent, q)]


def _lookups(domain: Domain, agent: Agent) -> dict[str, Any]:
    users, agents, team = domain.store(Users), domain.store(Agents), domain.store(Teams).find(agent.team_id)
    user = users.find(agent.user_id)
    now = domain.now()
    return {"agent_id": agent.id, "name": user.display_name if user else "", "status": agent.status,
            "status_duration": max(0, now - agent.last_status_change) // 1000,
            "user": ref(user.display_name if user else None, agent.user_id),
            "extension": user.extension if user else "", "team": ref(team.name if team else None, agent.team_id),
            "supervisor": [ref(agents.name_of(a), a) for a in agent.supervisor_ids],
            "auditor": [ref(users.rows[u].display_name if u in users.rows else None, u) for u in agent.auditor_ids],
            "pause_cause": agent.status_payload if agent.status == PAUSE else "",
            "screen_control": agent.screen_control}


# -- state history ----------------------------------------------------------------------------------
def wire_state(domain: Domain, row: AgentState) -> dict:
    queue = domain.store(Queues).find(row.queue_id)
    now = domain.now()
    return {"id": row.id, "channel": row.channel, "joined_at": row.joined_at, "state": row.state,
            "payload": row.payload, "duration": row.duration_ms(now) // 1000,
            "queue": ref(queue.name if queue else None, row.queue_id),
            "agent": ref(domain.store(Agents).name_of(row.agent_id), row.agent_id),
            "pause_cause": row.payload if row.state == PAUSE else "", "leaved_at": row.left_at}


def _states(call: Request, rows: list[AgentState]) -> dict:
    query = call.list_query(ENGINE_PAGE_SIZE)
    return listing(call, query, paginate(rows, query, lambda r: wire_state(call.domain, r),
                                         default_key=lambda r: (-r.joined_at, -r.id)))  # "joined_at desc"


@api.operation("SearchAgentStateHistory")
def search_state_history(call: Request) -> dict:
    low, high = between(call.query, "joined_at") or (0, 0)
    rows = call.store(AgentStates).search(agent_ids=call.ids("agent_id"), joined_from=low or None,
                                          joined_to=high or None, from_id=call.query.get("from_id") or None)
    return _states(call, rows)


@api.operation("AgentStateHistory")
def agent_state_history(call: Request) -> dict:
    args = call.query
    rows = call.store(AgentStates).search(agent_ids=[call.path["agent_id"]], joined_from=args.get("time_from") or None,
                                          joined_to=args.get("time_to") or None)
    return _states(call, rows)


@api.operation("AgentSetState", self_service=True)
def set_waiting(call: Request) -> dict:
    # The engine passes the channel "" (grpc_api/cc_agent.go AgentSetState), which names no channel
    # of an agent: call_center answers "not allowed", so Webitel refuses this request every time.
    call.store(Switchboard).waiting_channel(call.path["agent_id"], "")
    return {}


# -- statistics -------------------------------------------------------------------------------------
@api.operation("AgentTodayStatistics")
def today_statistics(call: Request) -> dict:
    agent = call.store(Agents).get(call.path["agent_id"])
    start, end = today(call.domain.now())
    fig = agent_figures(call.domain, [agent], start, end + 1)[agent.id]
    return {"utilization": fig.utilization, "occupancy": fig.occupancy, "call_abandoned": fig.abandoned,
            "call_handled": fig.handled, "avg_talk_sec": fig.avg(fig.talk), "avg_hold_sec": fig.avg(fig.hold),
            "call_missed": fig.missed, "call_inbound": fig.inbound, "sum_talk_sec": fig.sum_talk,
            "available": fig.channel_ms.get("waiting", 0) // 1000 if fig.online_ms else 0,
            "online": fig.online_ms // 1000, "processing": fig.channel_ms.get("processing", 0) // 1000,
            "queue_talk_sec": fig.queue_talk, "call_queue_missed": fig.missed,
            "call_inbound_queue": fig.inbound_queue, "call_dialer_queue": fig.dialer_queue,
            "call_manual": fig.manual}


def _spread(values: list[int], prefix: str) -> dict[str, float]:
    return {f"sum_{prefix}_sec": float(sum(values)), f"avg_{prefix}_sec": AgentFigures.avg(values),
            f"min_{prefix}_sec": float(min(values, default=0)), f"max_{prefix}_sec": float(max(values, default=0))}


@api.operation("SearchAgentCallStatistics")
def call_statistics(call: Request) -> dict:
    start, end = _range(call)
    query, users = call.list_query(ENGINE_PAGE_SIZE), call.store(Users)
    wanted = set(call.ids("agent_id"))
    agents = [a for a in call.store(Agents) if (not wanted or a.id in wanted)
              and any_ilike(query.q, call.store(Agents).name_of(a.id))]
    figs = agent_figures(call.domain, agents, start, end)

    def wire(agent: Agent) -> dict:
        fig = figs[agent.id]
        user = users.find(agent.user_id)
        return {"name": user.display_name if user else "", "count": fig.offered, "abandoned": fig.abandoned,
                "handles": fig.handled, **_spread(fig.talk, "talk"), **_spread(fig.hold, "hold"),
                "utilization": fig.utilization, "occupancy": fig.occupancy}

    return listing(call, query, paginate(agents, query, wire))


def _status_row(domain: Domain, agent: Agent, fig: AgentFigures) -> dict:
    board, skills = domain.store(Switchboard), domain.store(Skills)
    current = active_call((board.calls[i] for i in board.live), agent.id)
    return {**_lookups(domain, agent), "queues": [ref(q.name, q.id) for q in served_queues(domain, agent)],
            "online": fig.seconds("online"), "offline": fig.seconds("offline"), "pause": fig.seconds("pause"),
            "utilization": fig.utilization, "occupancy": fig.occupancy, "call_time": fig.sum_talk,
            "handles": fig.handled, "missed": fig.missed, "max_bridged_at": fig.max_bridged_at,
            "max_offering_at": fig.max_offering_at, "active_call_id": str(current.id) if current else "",
            "transferred": fig.transferred,
            "skills": [ref(skills.name_of(s), s) for s in sorted(domain.store(AgentSkills).of(agent.id))]}


@api.operation("SearchAgentStatusStatistic")
def status_statistics(call: Request) -> dict:
    start, end = _range(call)
    query, args = call.list_query(ENGINE_PAGE_SIZE), call.query
    wanted = set(call.ids("agent_id"))
    agents = [a for a in search_agents(call.domain, call, query.q) if not wanted or a.id in wanted]
    statuses, has_call = set(args.get("status") or ()), args.get("has_call")
    board = call.store(Switchboard)
    agents = [a for a in agents if (not statuses or a.status in statuses)
              and (has_call is None or (a.call_id is not None and a.call_id in board.live) == has_call)]
    figs = agent_figures(call.domain, agents, start, end)
    low, high = args.get("utilization.from"), args.get("utilization.to")
    if low is not None or high is not None:
        agents = [a for a in agents if (low is None or figs[a.id].utilization >= float(low))
                  and (high is None or figs[a.id].utilization <= float(high))]
    return listing(call, query, paginate(agents, query, lambda a: _status_row(call.domain, a, figs[a.id])))


@api.operation("SearchAgentStatusStatisticItem")
def status_statistics_item(call: Request) -> dict:
    start, end = _range(call)
    agent = call.store(Agents).get(call.path["agent_id"])
    fig = agent_figures(call.domain, [agent], start, end)[agent.id]
    return {**_lookups(call.domain, agent), "region": ref(None, agent.region_id),
            "progressive_count": agent.progressive_count, "chat_count": agent.chat_count,
            "online": fig.seconds("online"), "offline": fig.seconds("offline"), "pause": fig.seconds("pause")}


# -- queues of an agent -----------------------------------------------------------------------------
def queue_load(domain: Domain, queue: Queue) -> dict[str, Any]:
    """A queue's members and agents now: what ``AgentInQueue`` and the queue report show."""
    board, members = domain.store(Switchboard), domain.store(Members)
    waiting = sum(1 for i in board.live if board.calls[i].queue_id == queue.id
                  and board.calls[i].state == CALL_WAITING)
    waiting += sum(1 for m in members.of_queue.get(queue.id, {}).values() if not m.stop_cause and m.attempt_id is None)
    active = sum(1 for i in (board.live | board.processing) if board.calls[i].queue_id == queue.id
                 and board.calls[i].state != CALL_WAITING)
    eligible = [a for a in domain.store(Agents) if board.serves(a, queue)]
    statuses = [a.status for a in eligible]
    online = statuses.count("online")
    free = sum(1 for a in eligible if a.id in board.free)
    return {"count": waiting + active, "waiting": waiting, "active": active,
            "agents": {"online": online, "pause": statuses.count(PAUSE), "offline": statuses.count("offline"),
                       "free": free, "total": len(eligible), "busy": online - free}}


@api.operation("SearchAgentInQueue")
def agent_queues(call: Request) -> dict:
    query = call.list_query(ENGINE_PAGE_SIZE)
    agent = call.store(Agents).find(call.path["id"])
    rows = [q for q in served_queues(call.domain, agent) if any_ilike(query.q, q.name)] if agent else []

    def wire(queue: Queue) -> dict:
        load = queue_load(call.domain, queue)
        return {"queue": ref(queue.name, queue.id), "priority": queue.priority, "type": queue.type,
                "strategy": queue.strategy, "enabled": queue.enabled, "count_members": load["count"],
                "waiting_members": load["waiting"], "active_members": load["active"], "agents": load["agents"]}

    return listing(call, query, paginate(rows, query, wire))


@api.operation("SearchAgentInQueueStatistics")
def agent_queue_statistics(call: Request) -> dict:
    """Per queue the agent serves and that is open now, the members it could be given, by bucket
    and skill (``SqlAgentStore.QueueStatistic``): queues without any are left out."""
    agent = call.store(Agents).get(call.path["agent_id"])
    board, members, now = call.store(Switchboard), call.store(Members), call.domain.now()
    buckets, skills = call.store(Buckets), call.store(Skills)
    agent_skills = {s for s, row in call.store(AgentSkills).of(agent.id).items() if row.enabled}
    items = []
    for queue in served_queues(call.domain, agent):
        if not call.store(Queues).open_at(queue, now):
            continue
        counts: dict[tuple[int | None, int | None], int] = {}
        for m in members.of_queue.get(queue.id, {}).values():
            if (m.stop_cause or m.attempt_id is not None or m.ready_at > now or (m.expire_at and m.expire_at <= now)
                    or (m.agent_id is not None and m.agent_id != agent.id)
                    or (m.skill_id is not None and m.skill_id not in agent_skills)
                    or (m.bucket_id is not None and not board.serves(agent, queue, m.bucket_id))):
                continue
            counts[(m.bucket_id, m.skill_id)] = counts.get((m.bucket_id, m.skill_id), 0) + 1
        if counts:
            ordered = sorted(counts.items(), key=lambda kv: (kv[0][0] is None, kv[0][0] or 0, kv[0][1] is None,
                                                            kv[0][1] or 0))
            items.append({"queue": ref(queue.name, queue.id), "statistics": [
                {"bucket": buckets.ref(b), "skill": ref(skills.name_of(s), s), "member_waiting": n}
                for (b, s), n in ordered]})
    return {"items": items}


@api.operation("SearchAgentInTeam")
def agent_teams(call: Request) -> dict:
    """Deprecated in Webitel since 2021 (grpc_api/cc_agent.go): every request answers 500
    ``deprecated``; an agent's team is ``team`` of ``GET /call_center/agents/{id}``."""
    raise internal("deprecated", "deprecated")


@api.operation("SearchUserStatus")
def user_statuses(call: Request) -> dict:
    query, agents = call.list_query(ENGINE_PAGE_SIZE), call.store(Agents)
    excluded = set(call.ids("not_user_id"))
    rows = [u for u in call.store(Users) if not u.deleted_at and u.id not in excluded
            and any_ilike(query.q, u.display_name, u.extension)]

    def wire(user: Any) -> dict:
        agent = agents.of(user.id)
        return {"id": user.id, "name": user.display_name, "extension": user.extension,
                "presence": {"status": user.presence}, "status": agent.status if agent else ""}

    return listing(call, query, paginate(rows, query, wire))

