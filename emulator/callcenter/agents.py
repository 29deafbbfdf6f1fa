"""Agents (engine ``AgentService``): users who take calls, with their status and call channel
(``docs/call-center.md``).

One agent per user; the user must exist and hold a valid CALL_CENTER license; counts of tasks,
chats and progressive calls are at least 1. The runtime state (status, channel, the call in hand)
is driven by the switchboard (``calls.py``); this store keeps the records and their rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..directory.licenses import Licenses
from ..directory.users import User, Users
from ..errors import bad_request, forbidden, not_found
from ..store import Record, Table, on
from .base import dup, mutation
from .teams import Team, Teams

E_AGENT_NOT_FOUND = "store.sql_agent.get.app_error"
E_AGENT_SAVE = "store.sql_agent.save.app_error"
E_AGENT_UPDATE = "store.sql_agent.update.app_error"
E_AGENT_DELETE = "store.sql_agent.delete.app_error"
E_AGENT_TASK_COUNT = "model.Agent.valid.TaskCount"
E_AGENT_CHAT_COUNT = "model.Agent.valid.ChatCount"
E_AGENT_PROGRESSIVE_COUNT = "model.Agent.valid.ProgressiveCount"
E_LICENSE_CC = "app.license.cc"
E_USER_IS_AGENT = "app.user.delete.agent_exists"
CALL_CENTER = "CALL_CENTER"

# Agent statuses (docs/call-center.md): the first three are set through the API, break_out only
# by the system after too many missed offers.
OFFLINE, ONLINE, PAUSE, BREAK_OUT = "offline", "online", "pause", "break_out"
# States of an agent's call channel (cc_agent_channel.state).
WAITING, OFFERING, BRIDGED, WRAP_TIME, MISSED = "waiting", "offering", "bridged", "wrap_time", "missed"
PROCESSING = "processing"  # the agent reports the attempt's result (a queue's post-call processing)
CALL_CHANNEL = "call"


@dataclass
class Agent(Record):
    user_id: int = 0
    team_id: int | None = None
    description: str = ""
    progressive_count: int = 0
    chat_count: int = 0
    task_count: int = 0
    extra_chat_count: int = 0
    allow_channels: list[str] = field(default_factory=lambda: [CALL_CHANNEL])
    supervisor_ids: list[int] = field(default_factory=list)
    auditor_ids: list[int] = field(default_factory=list)
    region_id: int | None = None
    greeting_media_id: int | None = None
    is_supervisor: bool = False
    screen_control: bool = False
    # Runtime state: the status and the call channel.
    status: str = OFFLINE
    status_payload: str = ""
    last_status_change: int = 0
    channel_state: str = WAITING
    channel_joined_at: int = 0
    channel_timeout: int = 0  # unix ms the wrap_time / missed state ends; 0 = none
    call_id: int | None = None  # the call offered to or bridged with the agent
    no_answers: int = 0
    # Routing statistics the team strategies order by.
    idle_since: int = 0
    calls_answered: int = 0
    last_bridge_end: int = 0


class Agents(Table[Agent]):
    kind = "agent"

    def __init__(self, domain: Any) -> None:
        super().__init__(domain)
        self.of_user: dict[int, int] = {}  # user id -> agent id (cc_agent_user_id_uindex)

    def missing(self, row_id: int) -> Exception:
        return not_found(E_AGENT_NOT_FOUND, f"Id={row_id}, sql: no rows in result set")

    def of(self, user_id: int) -> Agent | None:
        agent_id = self.of_user.get(user_id)
        return self.rows[agent_id] if agent_id is not None else None

    def name_of(self, agent_id: int | None) -> str:
        agent = self.find(agent_id)
        user = self.domain.store(Users).find(agent.user_id) if agent else None
        return user.display_name if user else ""

    def licensed(self, user_id: int, at: int | None = None) -> bool:
        """The user holds a granted, unexpired CALL_CENTER license."""
        user = self.domain.store(Users).find(user_id)
        return user is not None and self.domain.store(Licenses).holds(user, CALL_CENTER, at)

    # -- writes ------------------------------------------------------------------------------------
    @mutation
    def create(self, *, actor: int | None, **attrs: Any) -> Agent:
        agent = Agent(**attrs)
        self._check(agent, None, E_AGENT_SAVE)
        self.insert(agent, actor)
        agent.last_status_change = agent.channel_joined_at = agent.idle_since = agent.created_at
        self.of_user[agent.user_id] = agent.id
        return agent

    @mutation
    def update(self, agent_id: int, *, actor: int | None, **changes: Any) -> Agent:
        """PUT (every editable attribute) or PATCH (those given)."""
        current = self.get(agent_id)
        agent = dup(current)
        for name, value in changes.items():
            setattr(agent, name, value)
        self._check(agent, current, E_AGENT_UPDATE)
        self.put(agent, actor)
        del self.of_user[current.user_id]
        self.of_user[agent.user_id] = agent.id
        self.domain.emit("agent.saved", agent)  # the switchboard holds the new record
        return agent

    def _check(self, agent: Agent, current: Agent | None, error_id: str) -> None:
        """Webitel's order: the model's IsValid, the license (controller), then the store's constraints."""
        if agent.is_supervisor:
            agent.supervisor_ids = []
        if not agent.allow_channels:
            agent.allow_channels = [CALL_CHANNEL]  # the column's default (cc_agent.allow_channels {call})
        for value, error, label in ((agent.task_count, E_AGENT_TASK_COUNT, "task"),
                                    (agent.chat_count, E_AGENT_CHAT_COUNT, "chat"),
                                    (agent.progressive_count, E_AGENT_PROGRESSIVE_COUNT, "progressive")):
            if value < 1:
                raise bad_request(error, f"The {label} count should be more or equal 1")
        user = self.domain.store(Users).find(agent.user_id) if agent.user_id else None
        if user is None or user.deleted_at:
            what = f"user id={agent.user_id} not found" if agent.user_id else "user is required"
            raise bad_request(error_id, f"{what}: pq: insert or update on table \"cc_agent\" violates foreign key "
                                        "constraint \"cc_agent_user_id_fk\"")
        if (current is None or current.user_id != agent.user_id) and not self.licensed(agent.user_id):
            raise forbidden(E_LICENSE_CC, 'Not found "CALL_CENTER" license')
        other = self.of_user.get(agent.user_id)
        if other is not None and other != agent.id:
            raise bad_request(error_id, "pq: duplicate key value violates unique constraint "
                                        "\"cc_agent_user_id_uindex\"")
        if agent.team_id is not None and agent.team_id not in self.domain.store(Teams):
            raise bad_request(error_id, f"team id={agent.team_id} not found: pq: insert or update on table "
                                        "\"cc_agent\" violates foreign key constraint")

    @mutation
    def delete(self, agent_id: int) -> Agent:
        agent = self.get(agent_id)
        if agent.call_id is not None:
            # cc_member_attempt.agent_id still references the agent (docs/call-center.md).
            raise bad_request(E_AGENT_DELETE, f"Id={agent_id}, pq: update or delete on table \"cc_agent\" violates "
                                              f"foreign key constraint on table \"cc_member_attempt\" "
                                              f"(the agent holds call {agent.call_id})")
        self.pop(agent_id)
        del self.of_user[agent.user_id]
        self.domain.emit("agent.deleted", agent)  # its skill rows cascade, routing forgets it
        return agent

    # -- other stores' rules -----------------------------------------------------------------------
    @on("user.deleting")
    def _user_deleting(self, user: User, permanent: bool) -> None:
        agent = self.of(user.id)
        if permanent and agent is not None:
            # cc_agent.user_id references wbt_user with no ON DELETE action (docs/call-center.md).
            raise bad_request(E_USER_IS_AGENT, f"user: id={user.id} is the call center agent id={agent.id}; "
                                               "delete the agent first: pq: update or delete on table \"wbt_user\" "
                                               "violates foreign key constraint \"cc_agent_user_id_fk\" on table "
                                               "\"cc_agent\"")

    @on("team.deleting")
    def _team_deleting(self, team: Team, users: list[str]) -> None:
        users.extend(f"agent id={a.id}" for a in self if a.team_id == team.id)
