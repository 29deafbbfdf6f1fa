"""Webitel's call center (engine ``/call_center/...``) for one domain: agents, teams, skills, agent
skills, queues and queue skills, with Webitel's rules. Plain Python; HTTP lives in ``responses.py``,
wire forms in ``serialize.py``, calls in ``emulator.control.calls``, the routing rule in
``emulator.routing``.

Rules and their sources: ``webitel-api.md`` §2.6-2.10, §3, §5; the error ids the emulator had to
choose are listed in ``docs/call-center.md``.

Routing reads two structures this model keeps up to date on every change, so that a routing
decision never scans all agents: ``index`` (enabled agent skills by skill and capacity) and
``free`` (ids of agents that are online, waiting and without a call).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar

from .. import routing, wire
from ..control.calls import Call, Switchboard
from ..errors import PERMISSION_DENIED, bad_request, forbidden, internal, not_found
from . import fields as f
from .entities import (
    OFFLINE,
    ONLINE,
    PAUSE,
    SETTABLE_STATUSES,
    WAITING,
    Agent,
    AgentSkill,
    Queue,
    QueueSkill,
    Skill,
    Team,
)

if TYPE_CHECKING:
    from ..directory.models import Directory, User
    from ..state import Domain, World

# -- error ids (webitel-api.md §1 "Real error ids"; the emulator's own choices in docs/call-center.md)
E_AGENT_NOT_FOUND = "store.sql_agent.get.app_error"
E_AGENT_SAVE = "store.sql_agent.save.app_error"
E_AGENT_UPDATE = "store.sql_agent.update.app_error"
E_AGENT_DELETE = "store.sql_agent.delete.app_error"
E_AGENT_TASK_COUNT = "model.Agent.valid.TaskCount"
E_AGENT_CHAT_COUNT = "model.Agent.valid.ChatCount"
E_AGENT_PROGRESSIVE_COUNT = "model.Agent.valid.ProgressiveCount"
E_AGENT_STATUS = "grpc.agent.update_status"
E_AGENT_ONLINE = "store.sql_agent.set_online.app_error"
E_LICENSE_CC = "app.license.cc"
E_TEAM_NOT_FOUND = "store.sql_agent_team.get.app_error"
E_TEAM_NAME = "model.cc_team.is_valid.name.app_error"
E_TEAM_STRATEGY = "model.cc_team.is_valid.strategy.app_error"
E_TEAM_DELETE = "store.sql_agent_team.delete.app_error"
E_SKILL_NOT_FOUND = "store.sql_skill.get.app_error"
E_SKILL_NAME = "store.sql_skill.save.valid.name"
E_SKILL_DELETE = "store.sql_skill.delete.app_error"
E_ROW_NOT_FOUND = "store.sql_skill_in_agent.get_all.app_error"  # Webitel's GetById reuses this id
E_ROW_CREATE = "store.sql_skill_in_agent.create.app_error"
E_ROW_UPDATE = "store.sql_skill_in_agent.update.app_error"
E_ROW_CAPACITY = "agent_skill.valid.capacity"
E_QUEUE_NOT_FOUND = "store.sql_queue.get.app_error"
E_QUEUE_SAVE = "store.sql_queue.save.app_error"
E_QUEUE_UPDATE = "store.sql_queue.update.app_error"
E_QUEUE_SKILL_NOT_FOUND = "store.sql_queue_skill.get.app_error"
E_QUEUE_SKILL_SAVE = "store.sql_queue_skill.save.app_error"
E_QUEUE_SKILL_UPDATE = "store.sql_queue_skill.update.app_error"
E_QUEUE_SKILL_MIN = "queue_skill.valid.min_capacity"
E_QUEUE_SKILL_MAX = "queue_skill.valid.max_capacity"
E_USER_IS_AGENT = "app.user.delete.agent_exists"

CALL_CENTER = "CALL_CENTER"
NO_CC_LICENSE = "system/no_cc_license"  # the payload call_center gives an agent it logs out for that
REACHABLE = ("sip", "web")  # the presences cc_agent_set_login accepts (push sessions: not emulated)

TEAM_SPEC: f.Spec = {
    "name": ("name", f.text), "description": ("description", f.text), "strategy": ("strategy", f.text),
    "max_no_answer": ("max_no_answer", f.int32), "no_answer_delay_time": ("no_answer_delay_time", f.int32),
    "wrap_up_time": ("wrap_up_time", f.int32), "call_timeout": ("call_timeout", f.int32),
    "admin": ("admin_ids", f.refs), "invite_chat_timeout": ("invite_chat_timeout", f.int32),
    "task_accept_timeout": ("task_accept_timeout", f.int32),
    "forecast_calculation": ("forecast_calculation_id", f.ref), "screen_control": ("screen_control", f.flag),
}
SKILL_SPEC: f.Spec = {"name": ("name", f.text), "description": ("description", f.text)}
AGENT_SPEC: f.Spec = {
    "user": ("user_id", f.ref), "team": ("team_id", f.ref), "description": ("description", f.text),
    "progressive_count": ("progressive_count", f.int32), "chat_count": ("chat_count", f.int32),
    "task_count": ("task_count", f.int32), "extra_chat_count": ("extra_chat_count", f.int32),
    "allow_channels": ("allow_channels", f.strings), "supervisor": ("supervisor_ids", f.refs),
    "auditor": ("auditor_ids", f.refs), "region": ("region_id", f.ref),
    "greeting_media": ("greeting_media_id", f.ref), "is_supervisor": ("is_supervisor", f.flag),
    "screen_control": ("screen_control", f.flag),
}
ROW_SPEC: f.Spec = {"skill": ("skill_id", f.ref), "capacity": ("capacity", f.wrapped_int32),
                    "enabled": ("enabled", f.flag)}
QUEUE_REFS = ("calendar", "dnc_list", "schema", "do_schema", "after_schema", "ringtone", "grantee")
QUEUE_SPEC: f.Spec = {
    "name": ("name", f.text), "type": ("type", f.int32), "strategy": ("strategy", f.text),
    "enabled": ("enabled", f.flag), "priority": ("priority", f.int32), "team": ("team_id", f.ref),
    "description": ("description", f.text), "timeout": ("timeout", f.int32),
    "sec_locate_agent": ("sec_locate_agent", f.int32), "sticky_agent": ("sticky_agent", f.flag),
    "variables": ("variables", f.string_map), "payload": ("payload", f.anything), "tags": ("tags", f.tags),
}
QUEUE_SKILL_SPEC: f.Spec = {
    "skill": ("skill_id", f.ref), "buckets": ("bucket_ids", f.refs), "lvl": ("lvl", f.int32),
    # Omitted wrappers become 0 and an omitted enabled false: the handler copies GetValue() and the
    # bool literally (webitel-api.md §2.10), not the table's defaults.
    "min_capacity": ("min_capacity", f.int32), "max_capacity": ("max_capacity", f.int32),
    "enabled": ("enabled", f.flag),
}

T = TypeVar("T")


def mutation(method: Callable[..., T]) -> Callable[..., T]:
    """A change of the call center: timers catch up first, waiting calls are offered after."""

    @wraps(method)
    def run(self: CallCenter, *args: Any, **kwargs: Any) -> T:
        with self.changing():
            return method(self, *args, **kwargs)

    return run


def _dup(obj: T) -> T:
    """A copy whose lists and dicts are its own (rules run on it; the stored record stays as is)."""
    return copy.deepcopy(obj)


class CallCenter:
    """The call center of one domain."""

    def __init__(self, domain: Domain) -> None:
        self.domain = domain
        self.teams: dict[int, Team] = {}
        self.skills: dict[int, Skill] = {}
        self.agents: dict[int, Agent] = {}
        self.agent_skills: dict[int, AgentSkill] = {}
        self.rows_of: dict[int, dict[int, AgentSkill]] = {}  # agent id -> skill id -> its row
        self.queues: dict[int, Queue] = {}
        self.queue_skills: dict[int, QueueSkill] = {}
        self.index = routing.SkillIndex()
        self.free: set[int] = set()
        self.timers: dict[int, int] = {}  # agent id -> unix ms its wrap_time / missed state ends
        self.cursors: dict[int, int] = {}  # round-robin: team id (or -queue id) -> agent last offered
        self.switchboard = Switchboard(self)
        self._depth = 0

    @property
    def world(self) -> World:
        return self.domain.world

    @property
    def directory(self) -> Directory:
        return self.domain.directory

    def now(self) -> int:
        return self.world.clock.now_ms()

    # ==========================================================================================
    # Keeping time and offering calls
    @contextmanager
    def changing(self) -> Iterator[None]:
        """Around a change: timers that fell due run first; when the outermost change succeeds,
        waiting calls are offered to whoever it freed or made eligible."""
        if self._depth == 0:
            self.catch_up()
        self._depth += 1
        try:
            yield
        finally:
            self._depth -= 1
        if self._depth == 0:
            self.switchboard.dispatch(self.now())

    def catch_up(self) -> None:
        """Bring the call center to the clock's time: wrap-ups and no-answer delays that ended,
        calls that rang out, licenses that expired (each timer followed by the offers it allows)."""
        self.switchboard.catch_up(self.now())

    def set_channel(self, agent: Agent, state: str, at: int, *, timeout: int = 0, call_id: int | None = None) -> None:
        agent.channel_state, agent.channel_joined_at, agent.channel_timeout = state, at, timeout
        agent.call_id = call_id
        if state == WAITING:
            agent.idle_since = at
        if timeout:
            self.timers[agent.id] = timeout
        else:
            self.timers.pop(agent.id, None)
        self._refresh(agent)

    def set_status(self, agent: Agent, status: str, at: int, payload: str = "") -> None:
        if status == ONLINE and agent.status != ONLINE:
            # cc_agent_set_login: the no-answer count starts over, and a channel without a call waits.
            agent.no_answers = 0
            if agent.call_id is None:
                self.set_channel(agent, WAITING, at)
        if agent.status != status:
            agent.last_status_change = at
        agent.status, agent.status_payload = status, payload
        self._refresh(agent)

    def _refresh(self, agent: Agent) -> None:
        if routing.is_free(agent):
            self.free.add(agent.id)
        else:
            self.free.discard(agent.id)

    def team_setting(self, agent: Agent, name: str) -> int:
        """A timing of the agent's team (0 without a team; negatives count as 0)."""
        team = self.teams.get(agent.team_id) if agent.team_id is not None else None
        return max(0, getattr(team, name)) if team is not None else 0

    def ask(self, queue: Queue, call: Call) -> routing.Ask:
        team = self.teams.get(queue.team_id) if queue.team_id is not None else None
        return routing.ask_for(
            queue.team_id, self.skills_of_queue(queue.id), call.bucket_id,
            strategy=team.strategy if team else routing.DEFAULT_STRATEGY,
            seed=call.id * 1_000_003 + call.offers,  # repeatable, and a new draw after each miss
            cursor=self.cursors.get(self._cursor_key(queue), 0))

    def offered(self, call: Call, agent: Agent) -> None:
        self.cursors[self._cursor_key(self.queues[call.queue_id])] = agent.id

    @staticmethod
    def _cursor_key(queue: Queue) -> int:
        return queue.team_id if queue.team_id is not None else -queue.id

    def skills_of_queue(self, queue_id: int) -> list[QueueSkill]:
        return [qs for qs in self.queue_skills.values() if qs.queue_id == queue_id]

    # ==========================================================================================
    # Licenses and presence (the directory's side of the call center)
    def licensed(self, user_id: int, at: int | None = None) -> bool:
        """The user holds a granted, unexpired CALL_CENTER license."""
        user = self.directory.users.get(user_id)
        if user is None:
            return False
        for serial in user.licenses:
            license = self.directory.licenses.get(serial)
            if license is not None and license.product.upper() == CALL_CENTER \
                    and not self.directory.expired(license, at):
                return True
        return False

    def enforce_licenses(self, at: int) -> None:
        """An agent who is not offline and no longer holds a valid CALL_CENTER license is logged
        out (call_center agent_store.go ``OnlineWithOutActive``, agent_manager ``changeDeadlineState``)."""
        for agent in self.agents.values():
            if agent.status != OFFLINE and not self.licensed(agent.user_id, at):
                self.set_status(agent, OFFLINE, at, NO_CC_LICENSE)

    def agent_of_user(self, user_id: int) -> Agent | None:
        return next((a for a in self.agents.values() if a.user_id == user_id), None)

    def before_user_delete(self, user: User, permanent: bool) -> None:
        agent = self.agent_of_user(user.id)
        if permanent and agent is not None:
            # cc_agent.user_id references wbt_user with no ON DELETE action (webitel-api.md §5.11).
            raise bad_request(E_USER_IS_AGENT, f"user: id={user.id} is the call center agent id={agent.id}; "
                                               "delete the agent first: pq: update or delete on table \"wbt_user\" "
                                               "violates foreign key constraint \"cc_agent_user_id_fk\" on table "
                                               "\"cc_agent\"")

    @mutation
    def on_licenses_revoked(self, user: User, serials: set[str]) -> None:
        self.enforce_licenses(self.now())

    @mutation
    def on_presence(self, user: User) -> None:
        """An online (or broken out) agent whose phone went away is logged out, as call_center's
        ``OnlineWithOutActive`` does for agents without a sip/web presence."""
        agent = self.agent_of_user(user.id)
        if agent is not None and agent.status in (ONLINE, "break_out") and not self.reachable(user):
            self.set_status(agent, OFFLINE, self.now())

    @staticmethod
    def reachable(user: User) -> bool:
        return any(p.strip() in REACHABLE for p in user.presence.split(","))

    # ==========================================================================================
    # Teams
    def get_team(self, team_id: int) -> Team:
        team = self.teams.get(team_id)
        if team is None:
            raise not_found(E_TEAM_NOT_FOUND, f"Id={team_id}, sql: no rows in result set")
        return team

    @mutation
    def save_team(self, team_id: int | None, body: dict, actor: int | None) -> Team:
        """Create (``team_id`` None) or replace (PUT) a team."""
        current = self.get_team(team_id) if team_id is not None else None
        team = _dup(current) if current else Team()
        f.apply(team, body, None, TEAM_SPEC)
        if not team.name:
            raise bad_request(E_TEAM_NAME, "Name is required")
        if not team.strategy:
            raise bad_request(E_TEAM_STRATEGY, "Strategy is required")
        if team.strategy not in routing.STRATEGIES:
            raise bad_request(E_TEAM_STRATEGY, f"Strategy '{team.strategy}' is not one of: "
                                               + ", ".join(routing.STRATEGIES))
        self._stamp(team, current is None, actor, "team")
        self.teams[team.id] = team
        return team

    @mutation
    def delete_team(self, team_id: int) -> Team:
        team = self.get_team(team_id)
        users = [f"agent id={a.id}" for a in self.agents.values() if a.team_id == team_id]
        users += [f"queue id={q.id}" for q in self.queues.values() if q.team_id == team_id]
        if users:
            # FK ON DELETE RESTRICT, and the team store answers it as an internal error (webitel-api.md §2.7).
            raise internal(E_TEAM_DELETE, f"Id={team_id}, pq: update or delete on table \"cc_team\" violates "
                                          f"foreign key constraint: still used by {', '.join(users)}")
        del self.teams[team_id]
        self.cursors.pop(team_id, None)
        return team

    def search_teams(self, args, query: wire.ListQuery, wire_of: Callable[[Team], dict]) -> tuple[list[dict], bool]:
        ids, strategies = set(wire.multi_int(args, "id")), set(wire.multi(args, "strategy"))
        admins = set(wire.multi_int(args, "admin_id"))
        rows = [wire_of(t) for t in self.teams.values()
                if (not ids or t.id in ids) and (not strategies or t.strategy in strategies)
                and (not admins or admins & set(t.admin_ids)) and (not query.q or wire.ilike(query.q, t.name))]
        return wire.page_of(rows, query, default_sort=lambda r: int(r["id"]))

    # ==========================================================================================
    # Skills
    def get_skill(self, skill_id: int) -> Skill:
        skill = self.skills.get(skill_id)
        if skill is None:
            raise not_found(E_SKILL_NOT_FOUND, f"Id={skill_id}, sql: no rows in result set")
        return skill

    @mutation
    def save_skill(self, skill_id: int | None, body: dict, actor: int | None) -> Skill:
        current = self.get_skill(skill_id) if skill_id is not None else None
        skill = _dup(current) if current else Skill()
        f.apply(skill, body, None, SKILL_SPEC)
        key = skill.name.casefold()
        if any(s.id != skill.id and s.name.casefold() == key for s in self.skills.values()):
            raise bad_request(E_SKILL_NAME, "Skill with this name already exists.")
        self._stamp(skill, current is None, actor, "skill")
        self.skills[skill.id] = skill
        return skill

    @mutation
    def delete_skill(self, skill_id: int) -> Skill:
        skill = self.get_skill(skill_id)
        agents = sorted({r.agent_id for r in self.agent_skills.values() if r.skill_id == skill_id})
        queues = sorted({qs.queue_id for qs in self.queue_skills.values() if qs.skill_id == skill_id})
        if agents or queues:
            used = [f"agents {agents}"] * bool(agents) + [f"queues {queues}"] * bool(queues)
            raise internal(E_SKILL_DELETE, f"Id={skill_id}, pq: update or delete on table \"cc_skill\" violates "
                                           f"foreign key constraint: still used by {' and '.join(used)}")
        del self.skills[skill_id]
        return skill

    def skill_counts(self) -> dict[int, tuple[int, int]]:
        """skill id -> (active_agents, total_agents): agents with an enabled row, agents with any."""
        active: dict[int, set[int]] = {}
        total: dict[int, set[int]] = {}
        for row in self.agent_skills.values():
            total.setdefault(row.skill_id, set()).add(row.agent_id)
            if row.enabled:
                active.setdefault(row.skill_id, set()).add(row.agent_id)
        return {s: (len(active.get(s, ())), len(agents)) for s, agents in total.items()}

    def search_skills(self, args, query: wire.ListQuery, wire_of: Callable[[Skill], dict],
                      exclude_agent: int | None = None) -> tuple[list[dict], bool]:
        """Skills; with ``exclude_agent``, only those the agent has no row of (the lookup)."""
        ids = set(wire.multi_int(args, "id"))
        taken = set(self.rows_of.get(exclude_agent, {})) if exclude_agent is not None else set()
        rows = [wire_of(s) for s in self.skills.values()
                if (not ids or s.id in ids) and s.id not in taken and (not query.q or wire.ilike(query.q, s.name))]
        return wire.page_of(rows, query, default_sort=lambda r: int(r["id"]))

    # ==========================================================================================
    # Agents
    def get_agent(self, agent_id: int) -> Agent:
        agent = self.agents.get(agent_id)
        if agent is None:
            raise not_found(E_AGENT_NOT_FOUND, f"Id={agent_id}, sql: no rows in result set")
        return agent

    @mutation
    def create_agent(self, body: dict, actor: int | None) -> Agent:
        agent = Agent()
        f.apply(agent, body, None, AGENT_SPEC)
        self._check_agent(agent, None, E_AGENT_SAVE)
        self._stamp(agent, True, actor, "agent")
        now = agent.created_at
        agent.last_status_change = agent.channel_joined_at = agent.idle_since = now
        self.agents[agent.id] = agent
        self.rows_of[agent.id] = {}
        return agent

    @mutation
    def update_agent(self, agent_id: int, body: dict, actor: int | None, *, fields: Iterable[str] | None) -> Agent:
        """PUT (``fields`` None: every editable attribute) or PATCH (only ``fields``)."""
        current = self.get_agent(agent_id)
        agent = _dup(current)
        f.apply(agent, body, fields, AGENT_SPEC)
        self._check_agent(agent, current, E_AGENT_UPDATE)
        self._stamp(agent, False, actor, "agent")
        self.agents[agent_id] = agent
        self._refresh(agent)
        return agent

    def _check_agent(self, agent: Agent, current: Agent | None, error_id: str) -> None:
        """Webitel's order: the model's IsValid, the license (controller), then the store's constraints."""
        if agent.is_supervisor:
            agent.supervisor_ids = []
        if not agent.allow_channels:
            agent.allow_channels = ["call"]  # the column's default (cc_agent.allow_channels {call})
        for value, error, label in ((agent.task_count, E_AGENT_TASK_COUNT, "task"),
                                    (agent.chat_count, E_AGENT_CHAT_COUNT, "chat"),
                                    (agent.progressive_count, E_AGENT_PROGRESSIVE_COUNT, "progressive")):
            if value < 1:
                raise bad_request(error, f"The {label} count should be more or equal 1")
        user = self.directory.users.get(agent.user_id) if agent.user_id else None
        if user is None or user.deleted_at:
            what = f"user id={agent.user_id} not found" if agent.user_id else "user is required"
            raise bad_request(error_id, f"{what}: pq: insert or update on table \"cc_agent\" violates foreign key "
                                        "constraint \"cc_agent_user_id_fk\"")
        if (current is None or current.user_id != agent.user_id) and not self.licensed(agent.user_id):
            raise forbidden(E_LICENSE_CC, 'Not found "CALL_CENTER" license')
        other = self.agent_of_user(agent.user_id)
        if other is not None and other.id != agent.id:
            raise bad_request(error_id, "pq: duplicate key value violates unique constraint "
                                        "\"cc_agent_user_id_uindex\"")
        if agent.team_id is not None and agent.team_id not in self.teams:
            raise bad_request(error_id, f"team id={agent.team_id} not found: pq: insert or update on table "
                                        "\"cc_agent\" violates foreign key constraint")

    @mutation
    def delete_agent(self, agent_id: int) -> Agent:
        agent = self.get_agent(agent_id)
        if agent.call_id is not None:
            # cc_member_attempt.agent_id still references the agent (webitel-api.md §5.10).
            raise bad_request(E_AGENT_DELETE, f"Id={agent_id}, pq: update or delete on table \"cc_agent\" violates "
                                              f"foreign key constraint on table \"cc_member_attempt\" "
                                              f"(the agent holds call {agent.call_id})")
        for row in list(self.rows_of.get(agent_id, {}).values()):  # ON DELETE CASCADE
            self._drop_row(row)
        del self.agents[agent_id]
        self.rows_of.pop(agent_id, None)
        self.free.discard(agent_id)
        self.timers.pop(agent_id, None)
        return agent

    @mutation
    def set_agent_status(self, agent_id: int, body: dict, *, user_id: int, admin: bool) -> Agent:
        """``PATCH /agents/{id}/status``: online, pause (with a cause in ``payload``) or offline."""
        agent = self.get_agent(agent_id)
        if not admin and agent.user_id != user_id:  # an agent may change its own status only
            raise forbidden(PERMISSION_DENIED, f"userId={user_id}, permission=cc_agent access=update")
        status = wire.parse_str(body.get("status"), "status").strip()
        if status not in SETTABLE_STATUSES:
            raise bad_request(E_AGENT_STATUS, f"not found status {status}")
        payload = wire.parse_str(body.get("payload"), "payload")
        now = self.now()
        if status == ONLINE and agent.status != ONLINE:
            if not self.licensed(agent.user_id, now):
                raise forbidden(E_LICENSE_CC, 'Not found "CALL_CENTER" license')
            user = self.directory.users.get(agent.user_id)
            if user is None or not self.reachable(user):
                raise internal(E_AGENT_ONLINE, f"AgenetId={agent.id}, Status=online, pq: not found: sip, web or pn")
        self.set_status(agent, status, now, payload if status == PAUSE else "")
        return agent

    def search_agents(self, args, query: wire.ListQuery, wire_of: Callable[[Agent], dict]) -> tuple[list[dict], bool]:
        ids, not_users = set(wire.multi_int(args, "id")), set(wire.multi_int(args, "not_user_id"))
        users, extensions = set(wire.multi_int(args, "user_id")), set(wire.multi(args, "extension"))
        teams, not_teams = set(wire.multi_int(args, "team_id")), set(wire.multi_int(args, "not_team_id"))
        skills, not_skills = set(wire.multi_int(args, "skill_id")), set(wire.multi_int(args, "not_skill_id"))
        supervisors, auditors = set(wire.multi_int(args, "supervisor_id")), set(wire.multi_int(args, "auditor_id"))
        regions, channels = set(wire.multi_int(args, "region_id")), set(wire.multi(args, "allow_channels"))
        queues = [self.queues.get(q) for q in wire.multi_int(args, "queue_id")]
        is_supervisor = wire.parse_bool(args.get("is_supervisor", False), "is_supervisor")
        not_supervisor = wire.parse_bool(args.get("not_supervisor", False), "not_supervisor")
        rows = []
        for agent in self.agents.values():
            user = self.directory.users.get(agent.user_id)
            has = set(self.rows_of.get(agent.id, {}))
            checks = (
                not ids or agent.id in ids, not users or agent.user_id in users, agent.user_id not in not_users,
                not extensions or (user is not None and user.extension in extensions),
                not teams or agent.team_id in teams, agent.team_id is None or agent.team_id not in not_teams,
                not skills or bool(has & skills), not has & not_skills,
                not supervisors or bool(supervisors & set(agent.supervisor_ids)),
                not auditors or bool(auditors & set(agent.auditor_ids)),
                not regions or agent.region_id in regions, not channels or bool(channels & set(agent.allow_channels)),
                not is_supervisor or agent.is_supervisor, not not_supervisor or not agent.is_supervisor,
                not queues or any(q is not None and self.serves(agent, q) for q in queues),
                not query.q or (user is not None and any(wire.ilike(query.q, v) for v in
                                                         (user.name or user.username, user.extension))),
            )
            if all(checks):
                rows.append(wire_of(agent))
        return wire.page_of(rows, query, default_sort=lambda r: int(r["id"]))

    def serves(self, agent: Agent, queue: Queue, bucket_id: int | None = None) -> bool:
        """The agent is eligible for the queue (team and an enabled skill in range), whatever its status."""
        ask = routing.ask_for(queue.team_id, self.skills_of_queue(queue.id), bucket_id)
        return queue.enabled and routing.eligible(agent, self.rows_of.get(agent.id, {}).values(), ask)

    def users_not_agents(self, query: wire.ListQuery) -> tuple[list[dict], bool]:
        """``/lookups/agents/users``: users of the domain who are not agents yet."""
        agents = {a.user_id for a in self.agents.values()}
        rows = [{"id": str(u.id), "name": u.name or u.username} for u in self.directory.users.values()
                if u.id not in agents and not u.deleted_at
                and (not query.q or any(wire.ilike(query.q, v) for v in (u.name, u.username)))]
        return wire.page_of(rows, query, default_sort=lambda r: int(r["id"]))

    # ==========================================================================================
    # Agent skills (one row per agent and skill; the row id is what paths name)
    def get_row(self, agent_id: int, row_id: int) -> AgentSkill:
        row = self.agent_skills.get(row_id)
        if row is None or row.agent_id != agent_id:
            raise not_found(E_ROW_NOT_FOUND, f"AgentId={agent_id}, Id={row_id}, sql: no rows in result set")
        return row

    def _check_row(self, row: AgentSkill, error_id: str, taken: set[tuple[int, int]] = frozenset()) -> None:
        """IsValid (capacity), then the store's constraints (agent and skill exist, one row per pair)."""
        if row.capacity is None:
            raise bad_request(E_ROW_CAPACITY, "Capacity is required")
        if not 0 <= row.capacity <= 100:
            raise bad_request(E_ROW_CAPACITY, "Capacity must be between 0 and 100")
        if row.agent_id not in self.agents:
            raise bad_request(error_id, f"AgentId={row.agent_id}, SkillId={row.skill_id} pq: insert or update on "
                                        "table \"cc_skill_in_agent\" violates foreign key constraint (agent)")
        if row.skill_id is None or row.skill_id not in self.skills:
            raise bad_request(error_id, f"AgentId={row.agent_id}, SkillId={row.skill_id} pq: insert or update on "
                                        "table \"cc_skill_in_agent\" violates foreign key constraint (skill)")
        other = self.rows_of.get(row.agent_id, {}).get(row.skill_id)
        if (other is not None and other.id != row.id) or (row.agent_id, row.skill_id) in taken:
            raise bad_request(error_id, f"AgentId={row.agent_id}, SkillId={row.skill_id} pq: duplicate key value "
                                        "violates unique constraint \"cc_skill_in_agent_agent_id_skill_id_uindex\"")

    def _put_row(self, row: AgentSkill) -> None:
        """Store a row (new, or replacing the one with its id) and keep the routing index true."""
        old = self.agent_skills.get(row.id)
        if old is not None:
            self._drop_row(old)
        self.agent_skills[row.id] = row
        self.rows_of.setdefault(row.agent_id, {})[row.skill_id] = row
        if row.enabled:
            self.index.add(row.skill_id, row.capacity, row.agent_id)

    def _drop_row(self, row: AgentSkill) -> None:
        del self.agent_skills[row.id]
        self.rows_of.get(row.agent_id, {}).pop(row.skill_id, None)
        if row.enabled:
            self.index.discard(row.skill_id, row.capacity, row.agent_id)

    @mutation
    def add_rows(self, agent_ids: Iterable[int], bodies: Iterable[dict], actor: int | None) -> list[AgentSkill]:
        """Add rows, all or none: one per (agent id, body) pair (``enabled`` false when omitted)."""
        rows, taken = [], set()
        for agent_id, body in zip(agent_ids, bodies, strict=True):
            row = AgentSkill(agent_id=agent_id)
            f.apply(row, body, None, ROW_SPEC)
            self._check_row(row, E_ROW_CREATE, taken)
            taken.add((row.agent_id, row.skill_id))
            rows.append(row)
        for row in rows:
            self._stamp(row, True, actor, "agent_skill")
            self._put_row(row)
        return rows

    @mutation
    def update_row(self, agent_id: int, row_id: int, body: dict, actor: int | None, *,
                   fields: Iterable[str] | None) -> AgentSkill:
        """PUT (capacity, skill and enabled replaced) or PATCH one row."""
        row = _dup(self.get_row(agent_id, row_id))
        f.apply(row, body, fields, ROW_SPEC)
        self._check_row(row, E_ROW_UPDATE)
        self._stamp(row, False, actor, "agent_skill")
        self._put_row(row)
        return row

    @mutation
    def patch_rows(self, rows: list[AgentSkill], body: dict, actor: int | None,
                   fields: Iterable[str]) -> list[AgentSkill]:
        """Bulk PATCH of ``capacity`` / ``enabled`` on the selected rows, all or none."""
        changed = [r for r in fields if r in ("capacity", "enabled")]
        updated = []
        for row in rows:
            candidate = _dup(row)
            f.apply(candidate, body, changed, ROW_SPEC)
            self._check_row(candidate, E_ROW_UPDATE)
            updated.append(candidate)
        for row in updated:
            self._stamp(row, False, actor, "agent_skill")
            self._put_row(row)
        return updated

    @mutation
    def delete_rows(self, rows: list[AgentSkill]) -> list[AgentSkill]:
        for row in rows:
            self._drop_row(row)
        return rows

    def select_rows(self, *, agent_id: int | None = None, skill_id: int | None = None, ids: Iterable[int] = (),
                    skill_ids: Iterable[int] = (), agent_ids: Iterable[int] = (), q: str | None = None
                    ) -> list[AgentSkill]:
        """The rows of an agent or of a skill, narrowed by row ids, skill ids, agent ids and ``q``
        (the skill's name for an agent's rows, the agent's name for a skill's rows)."""
        ids, skill_ids, agent_ids = set(ids), set(skill_ids), set(agent_ids)
        if agent_id is not None:
            pool = list(self.rows_of.get(agent_id, {}).values())
        else:
            pool = [r for r in self.agent_skills.values() if r.skill_id == skill_id]
        out = []
        for row in pool:
            if ids and row.id not in ids or skill_ids and row.skill_id not in skill_ids \
                    or agent_ids and row.agent_id not in agent_ids:
                continue
            if q and not wire.ilike(q, self.skill_name(row.skill_id) if agent_id is not None
                                    else self.agent_name(row.agent_id)):
                continue
            out.append(row)
        return sorted(out, key=lambda r: r.id)

    # ==========================================================================================
    # Queues
    def get_queue(self, queue_id: int) -> Queue:
        queue = self.queues.get(queue_id)
        if queue is None:
            raise not_found(E_QUEUE_NOT_FOUND, f"Id={queue_id}, sql: no rows in result set")
        return queue

    @mutation
    def save_queue(self, queue_id: int | None, body: dict, actor: int | None, *,
                   fields: Iterable[str] | None) -> Queue:
        """Create (``queue_id`` None), PUT (``fields`` None) or PATCH a queue."""
        current = self.get_queue(queue_id) if queue_id is not None else None
        queue = _dup(current) if current else Queue()
        f.apply(queue, body, fields, QUEUE_SPEC)
        names = QUEUE_REFS if fields is None else [n for n in QUEUE_REFS if n in {x.split(".")[0] for x in fields}]
        for name in names:
            ref_id = f.ref(body.get(name), name)
            if ref_id is None:
                queue.refs.pop(name, None)
            else:
                queue.refs[name] = ref_id
        if queue.team_id is not None and queue.team_id not in self.teams:
            raise bad_request(E_QUEUE_SAVE if current is None else E_QUEUE_UPDATE,
                              f"team id={queue.team_id} not found: pq: insert or update on table \"cc_queue\" "
                              "violates foreign key constraint")
        self._stamp(queue, current is None, actor, "queue")
        self.queues[queue.id] = queue
        return queue

    @mutation
    def delete_queue(self, queue_id: int) -> Queue:
        queue = self.get_queue(queue_id)
        self.switchboard.drop_queue(queue_id, self.now())
        for qs in [qs for qs in self.queue_skills.values() if qs.queue_id == queue_id]:  # ON DELETE CASCADE
            del self.queue_skills[qs.id]
        del self.queues[queue_id]
        self.cursors.pop(-queue_id, None)
        return queue

    def search_queues(self, args, query: wire.ListQuery, wire_of: Callable[[Queue], dict]) -> tuple[list[dict], bool]:
        ids, types = set(wire.multi_int(args, "id")), set(wire.multi_int(args, "type"))
        teams, tags = set(wire.multi_int(args, "team_id")), set(wire.multi(args, "tags"))
        enabled = args.get("enabled")
        enabled = wire.parse_bool(enabled, "enabled") if enabled not in (None, "") else None
        rows = [wire_of(q) for q in self.queues.values()
                if (not ids or q.id in ids) and (not types or q.type in types)
                and (not teams or q.team_id in teams) and (not tags or tags & set(q.tags))
                and (enabled is None or q.enabled == enabled) and (not query.q or wire.ilike(query.q, q.name))]
        return wire.page_of(rows, query, default_sort=lambda r: int(r["id"]))

    # -- queue skills -----------------------------------------------------------------------------
    def get_queue_skill(self, queue_id: int, qs_id: int) -> QueueSkill:
        qs = self.queue_skills.get(qs_id)
        if qs is None or qs.queue_id != queue_id:
            raise not_found(E_QUEUE_SKILL_NOT_FOUND, f"QueueId={queue_id}, Id={qs_id}, sql: no rows in result set")
        return qs

    @mutation
    def save_queue_skill(self, queue_id: int, qs_id: int | None, body: dict, *,
                         fields: Iterable[str] | None) -> QueueSkill:
        """Create (``qs_id`` None), PUT (``fields`` None) or PATCH a queue skill."""
        current = self.get_queue_skill(queue_id, qs_id) if qs_id is not None else None
        qs = _dup(current) if current else QueueSkill(queue_id=queue_id)
        f.apply(qs, body, fields, QUEUE_SKILL_SPEC)
        if not 0 <= qs.min_capacity <= 100:
            raise bad_request(E_QUEUE_SKILL_MIN, "Min capacity must be between 0 and 100")
        if not 0 <= qs.max_capacity <= 100:
            raise bad_request(E_QUEUE_SKILL_MAX, "Max capacity must be between 0 and 100")
        error_id = E_QUEUE_SKILL_SAVE if current is None else E_QUEUE_SKILL_UPDATE
        if queue_id not in self.queues:
            raise bad_request(error_id, f"queue id={queue_id} not found: pq: insert or update on table "
                                        "\"cc_queue_skill\" violates foreign key constraint")
        if qs.skill_id is None or qs.skill_id not in self.skills:
            raise bad_request(error_id, f"skill id={qs.skill_id} not found: pq: insert or update on table "
                                        "\"cc_queue_skill\" violates foreign key constraint")
        key = (qs.lvl, qs.skill_id, sorted(qs.bucket_ids))
        if any(o.id != qs.id and o.queue_id == queue_id and (o.lvl, o.skill_id, sorted(o.bucket_ids)) == key
               for o in self.queue_skills.values()):
            raise bad_request(error_id, "pq: duplicate key value violates unique constraint "
                                        "(lvl, queue_id, skill_id, bucket_ids)")
        if current is None:
            qs.id = self.world.next_id("queue_skill")
        self.queue_skills[qs.id] = qs
        return qs

    @mutation
    def delete_queue_skill(self, queue_id: int, qs_id: int) -> QueueSkill:
        qs = self.get_queue_skill(queue_id, qs_id)
        del self.queue_skills[qs_id]
        return qs

    def search_queue_skills(self, queue_id: int, args, query: wire.ListQuery,
                            wire_of: Callable[[QueueSkill], dict]) -> tuple[list[dict], bool]:
        sets = {name: set(wire.multi_int(args, name))
                for name in ("id", "skill_id", "bucket_id", "lvl", "min_capacity", "max_capacity")}
        enabled = args.get("enabled")
        enabled = wire.parse_bool(enabled, "enabled") if enabled not in (None, "") else None
        rows = []
        for qs in self.skills_of_queue(queue_id):
            values = {"id": {qs.id}, "skill_id": {qs.skill_id}, "bucket_id": set(qs.bucket_ids), "lvl": {qs.lvl},
                      "min_capacity": {qs.min_capacity}, "max_capacity": {qs.max_capacity}}
            if any(wanted and not wanted & values[name] for name, wanted in sets.items()):
                continue
            if enabled is not None and qs.enabled != enabled:
                continue
            if query.q and not wire.ilike(query.q, self.skill_name(qs.skill_id)):
                continue
            rows.append(wire_of(qs))
        return wire.page_of(rows, query, default_sort=lambda r: -r["id"])  # QueueSkill.DefaultOrder "-id"

    # ==========================================================================================
    # Helpers
    def _stamp(self, record: Any, created: bool, actor: int | None, kind: str) -> None:
        now = self.now()
        if created:
            record.id = self.world.next_id(kind)
            record.created_at, record.created_by = now, actor
        record.updated_at, record.updated_by = now, actor

    def skill_name(self, skill_id: int | None) -> str:
        skill = self.skills.get(skill_id) if skill_id is not None else None
        return skill.name if skill else ""

    def agent_name(self, agent_id: int | None) -> str:
        agent = self.agents.get(agent_id) if agent_id is not None else None
        return self.user_name(agent.user_id) if agent else ""

    def user_name(self, user_id: int | None) -> str:
        user = self.directory.users.get(user_id) if user_id is not None else None
        return (user.name or user.username) if user else ""

