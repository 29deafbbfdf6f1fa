"""The WebSocket's bodies as Webitel sends them: agent sessions and status events (engine
``model.AgentSession``, call_center's ``agent_status`` event), call events and active calls
(engine ``model.CallEvent``, webitel-sdk ``CallInfo``/``CallItem``)."""

from __future__ import annotations

from typing import Any

from ..callcenter.agents import Agent, Agents
from ..callcenter.calls import CALL_ENDED, INBOUND, Call
from ..callcenter.queues import INBOUND_QUEUE, Queues
from ..callcenter.teams import Teams
from ..directory.users import Users
from ..state import Domain

# The call manager node a call runs on: the SDK sends it back as ``app_id`` with every call action.
APP_ID = "webitel-emulator"
NO_ANSWER = "NO_ANSWER"
# The SIP code a hangup cause travels with (FreeSWITCH's cause-to-SIP mapping, the common ones).
SIP_CODES = {"NORMAL_CLEARING": 200, "USER_BUSY": 486, NO_ANSWER: 480, "ORIGINATOR_CANCEL": 487,
             "CALL_REJECTED": 603, "BLIND_TRANSFER": 200}


def lookup(row_id: int | None, name: str) -> dict | None:
    return {"id": row_id, "name": name} if row_id is not None else None


def user_endpoint(domain: Domain, user_id: int | None) -> dict:
    user = domain.store(Users).find(user_id)
    if user is None:
        return {"type": "user", "id": str(user_id or "")}
    return {"type": "user", "id": str(user.id), "number": user.extension, "name": user.display_name}


def dest_endpoint(number: str, name: str = "") -> dict:
    return {"type": "dest", "number": number, "name": name or number}


# -- agents ----------------------------------------------------------------------------------------
def agent_channels(agent: Agent) -> list[dict]:
    """The agent's channels (engine ``AgentChannel``): the emulator's agents have the call channel."""
    channel: dict[str, Any] = {"channel": "call", "state": agent.channel_state, "joined_at": agent.channel_joined_at,
                               "active": agent.call_id is not None, "open": int(agent.call_id is not None),
                               "max_open": 1, "no_answer": agent.no_answers, "wrap_time_ids": []}
    if agent.channel_timeout:
        channel["timeout"] = agent.channel_timeout
    return [channel]


def agent_status(agent: Agent, status: str, payload: str, at: int) -> dict:
    """An ``agent_status`` event's data (webitel-sdk ``AgentStatusEvent``)."""
    return {"user_id": agent.user_id, "agent_id": agent.id, "timestamp": at, "status": status,
            "status_comment": "", "status_payload": payload or None, "on_demand": False,
            "channels": agent_channels(agent)}


def agent_session(domain: Domain, agent: Agent, now: int) -> dict:
    """``cc_agent_session``'s answer (engine ``model.AgentSession``)."""
    team = domain.store(Teams).find(agent.team_id)
    agents, users = domain.store(Agents), domain.store(Users)
    auditors = [users.find(i) for i in agent.auditor_ids]
    return {"agent_id": agent.id, "status": agent.status, "status_payload": agent.status_payload or None,
            "status_comment": None, "last_status_change": agent.last_status_change,
            "status_duration": max(0, now - agent.last_status_change) // 1000 if agent.last_status_change else 0,
            "on_demand": False, "team": lookup(team.id, team.name) if team else None,
            "is_supervisor": agent.is_supervisor, "is_admin": False, "channels": agent_channels(agent),
            "supervisor": [lookup(i, agents.name_of(i)) for i in agent.supervisor_ids],
            "auditor": [lookup(u.id, u.display_name) for u in auditors if u is not None],
            "screen_control": agent.screen_control, "desc_track": False}


def agent_task(agent: Agent, call: Call, now: int) -> dict:
    """The agent's attempt in progress as ``cc_agent_tasks`` lists it (engine ``CCTask``)."""
    return {"attempt_id": call.id, "app_id": APP_ID, "channel": "call", "queue_id": call.queue_id,
            "member_id": call.member_id, "agent_id": agent.id, "member_channel_id": None,
            "agent_channel_id": str(call.id), "communication": {"destination": call.from_number or call.destination},
            "has_reporting": False, "state": agent.channel_state, "bridged_at": call.answered_at or None,
            "leaving_at": None, "timeout_at": agent.channel_timeout or None,
            "duration": max(0, now - (call.offered_at or call.created_at)) // 1000}


# -- calls -----------------------------------------------------------------------------------------
def _parties(domain: Domain, call: Call, user_id: int) -> dict:
    """Who is on the call and which way it goes, from the user's phone."""
    me = user_endpoint(domain, user_id)
    if call.queue_id is not None and call.direction == INBOUND:  # a caller through a queue rings the agent
        return {"direction": INBOUND, "from": dest_endpoint(call.from_number, call.from_name), "to": me,
                "destination": me.get("number", "")}
    return {"direction": "outbound", "from": me, "to": dest_endpoint(call.destination),
            "destination": call.destination}


def _queue(domain: Domain, call: Call) -> dict | None:
    """The call's queue as the SDK reads it (webitel-sdk ``QueueParameters``: strings)."""
    queue = domain.store(Queues).find(call.queue_id)
    if queue is None:
        return None
    return {"queue_id": str(queue.id), "queue_name": queue.name, "attempt_id": str(call.id),
            "member_id": str(call.member_id or ""), "queue_type": "inbound" if queue.type == INBOUND_QUEUE else
            "outbound", "reporting": "false"}


def call_info(domain: Domain, call: Call, user_id: int) -> dict:
    """A ringing call's data (webitel-sdk ``CallInfo``)."""
    info: dict[str, Any] = {**_parties(domain, call, user_id), "payload": dict(call.variables), "sip_id": "",
                            "parent_id": str(call.parent_id) if call.parent_id else None}
    queue = _queue(domain, call)
    if queue is not None:
        info["queue"] = queue
    return info


def hangup_cause(call: Call) -> str:
    return call.cause if call.state == CALL_ENDED else NO_ANSWER  # not ended: it rang out


def call_event_data(domain: Domain, call: Call, event: str, user_id: int) -> dict:
    """The data of a ``call`` event of ``event`` (ringing: who calls; hangup: the cause)."""
    if event == "ringing":
        return call_info(domain, call, user_id)
    if event == "hangup":
        cause = hangup_cause(call)
        return {"cause": cause, "sip": SIP_CODES.get(cause, 0)}
    return {}


def call_event(domain_id: int, call_id: int, user_id: int, event: str, at: int, data: dict) -> dict:
    """A ``call`` event's data (engine ``model.CallEvent``: its timestamp and ids travel as strings)."""
    return {"call": {"id": str(call_id), "event": event, "timestamp": str(at), "domain_id": str(domain_id),
                     "user_id": str(user_id), "app_id": APP_ID, "data": data}}


def call_item(domain: Domain, call: Call, user_id: int, event: str, now: int) -> dict:
    """A call on the user's phone as ``subscribe_call`` lists it (webitel-sdk ``CallItem``)."""
    item: dict[str, Any] = {"id": str(call.id), "app_id": APP_ID, "state": event, "timestamp": now, "type": "call",
                            **_parties(domain, call, user_id), "variables": dict(call.variables),
                            "created_at": call.offered_at or call.created_at, "answered_at": call.answered_at,
                            "bridged_at": call.answered_at, "hangup_at": 0,
                            "duration": max(0, now - (call.offered_at or call.created_at)) // 1000,
                            "hold_sec": call.hold_ms // 1000}
    if call.parent_id:
        item["parent_id"] = str(call.parent_id)
    queue = _queue(domain, call)
    if queue is not None:
        item["queue"] = queue
    return item
