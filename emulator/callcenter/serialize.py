"""The call center's records as the engine writes them (``engine.*`` definitions of Webitel's
OpenAPI): int64 as strings, zero values left out except the ``Int32Value`` wrappers (capacities).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import wire
from ..audit import Audit, wire_audit
from .entities import CALL_CHANNEL, Agent, AgentSkill, Queue, QueueSkill, Skill, Team

if TYPE_CHECKING:
    from .models import CallCenter

WRAPPERS = ("capacity", "min_capacity", "max_capacity")  # google.protobuf.Int32Value: 0 is written


class Wire:
    """Wire forms of one call center's records (names of referenced records looked up)."""

    def __init__(self, cc: CallCenter) -> None:
        self.cc = cc
        self._skill_counts: dict[int, tuple[int, int]] | None = None

    def _user(self, user_id: int | None) -> dict | None:
        return self.cc.directory.user_ref(user_id)

    def _agent_ref(self, agent_id: int | None) -> dict | None:
        return wire.ref(agent_id, self.cc.agent_name(agent_id))

    def _team_ref(self, team_id: int | None) -> dict | None:
        team = self.cc.teams.get(team_id) if team_id is not None else None
        return wire.ref(team_id, team.name if team else None)

    def _skill_ref(self, skill_id: int | None) -> dict | None:
        return wire.ref(skill_id, self.cc.skill_name(skill_id))

    def _audit(self, record: Audit) -> dict:
        return wire_audit(record, self._user)

    def team(self, team: Team) -> dict:
        return wire.compact({
            "id": str(team.id), "domain_id": str(self.cc.domain.id), "name": team.name,
            "description": team.description, "strategy": team.strategy, "max_no_answer": team.max_no_answer,
            "no_answer_delay_time": team.no_answer_delay_time, "wrap_up_time": team.wrap_up_time,
            "call_timeout": team.call_timeout, "updated_at": wire.i64(team.updated_at),
            "admin": [self._agent_ref(a) for a in team.admin_ids],
            "invite_chat_timeout": team.invite_chat_timeout, "task_accept_timeout": team.task_accept_timeout,
            "forecast_calculation": wire.ref(team.forecast_calculation_id), "screen_control": team.screen_control,
        })

    def skill(self, skill: Skill) -> dict:
        if self._skill_counts is None:  # one count per answer, however many skills it holds
            self._skill_counts = self.cc.skill_counts()
        active, total = self._skill_counts.get(skill.id, (0, 0))
        return wire.compact({
            "id": str(skill.id), "domain_id": str(self.cc.domain.id), "name": skill.name,
            "description": skill.description, "active_agents": active, "total_agents": total, **self._audit(skill),
        })

    @staticmethod
    def skill_lookup(skill: Skill) -> dict:
        """An item of ``/lookups/agents/skills/{agent_id}``: the engine fills only id and name."""
        return wire.compact({"id": str(skill.id), "name": skill.name})

    def agent(self, agent: Agent) -> dict:
        cc = self.cc
        user = cc.directory.users.get(agent.user_id)
        name = cc.user_name(agent.user_id)
        now = cc.now()
        channel = wire.compact({"channel": CALL_CHANNEL, "state": agent.channel_state,
                                "joined_at": wire.i64(agent.channel_joined_at),
                                "timeout": wire.i64(agent.channel_timeout)})
        return wire.compact({
            "id": str(agent.id), "user": wire.ref(agent.user_id, name), "name": name, "status": agent.status,
            "description": agent.description, "last_status_change": wire.i64(agent.last_status_change),
            "status_duration": wire.i64(max(0, now - agent.last_status_change) // 1000),
            "progressive_count": agent.progressive_count, "channel": [channel],
            "greeting_media": wire.ref(agent.greeting_media_id), "allow_channels": agent.allow_channels,
            "chat_count": agent.chat_count, "supervisor": [self._agent_ref(a) for a in agent.supervisor_ids],
            "team": self._team_ref(agent.team_id), "region": wire.ref(agent.region_id),
            "auditor": [self._user(u) for u in agent.auditor_ids], "is_supervisor": agent.is_supervisor,
            "skills": [self._skill_ref(s) for s in sorted(cc.rows_of.get(agent.id, {}))],
            "extension": user.extension if user else "", "task_count": agent.task_count,
            "screen_control": agent.screen_control,
            "user_presence_status": wire.compact({"status": user.presence if user else ""}),
            "extra_chat_count": agent.extra_chat_count,
        })

    def agent_skill(self, row: AgentSkill) -> dict:
        return wire.compact({
            "id": str(row.id), "domain_id": str(self.cc.domain.id), **self._audit(row),
            "agent": self._agent_ref(row.agent_id), "skill": self._skill_ref(row.skill_id),
            "capacity": row.capacity, "enabled": row.enabled,
        }, keep_zero=WRAPPERS)

    def agent_skill_item(self, row: AgentSkill) -> dict:
        """An item of ``GET /agents/{agent_id}/skills`` (engine.AgentSkillItem)."""
        return wire.compact({"id": str(row.id), "skill": self._skill_ref(row.skill_id), "capacity": row.capacity,
                             "enabled": row.enabled}, keep_zero=WRAPPERS)

    def skill_agent_item(self, row: AgentSkill) -> dict:
        """An item of ``/skills/{skill_id}/agents`` (engine.SkillAgentItem)."""
        agent = self.cc.agents.get(row.agent_id)
        return wire.compact({
            "id": str(row.id), "skill": self._skill_ref(row.skill_id), "capacity": row.capacity,
            "enabled": row.enabled, "agent": self._agent_ref(row.agent_id),
            "team": self._team_ref(agent.team_id) if agent else None,
        }, keep_zero=WRAPPERS)

    def queue(self, queue: Queue) -> dict:
        waiting, active = self.cc.switchboard.counts(queue.id)
        return wire.compact({
            "id": str(queue.id), "domain_id": str(self.cc.domain.id), **self._audit(queue),
            "strategy": queue.strategy, "enabled": queue.enabled, "payload": queue.payload,
            "priority": queue.priority, "name": queue.name, "variables": queue.variables, "timeout": queue.timeout,
            "sec_locate_agent": queue.sec_locate_agent, "type": queue.type, "description": queue.description,
            "team": self._team_ref(queue.team_id), "count": waiting + active, "waiting": waiting, "active": active,
            "sticky_agent": queue.sticky_agent, "tags": [{"name": t} for t in queue.tags],
            **{name: wire.ref(ref_id) for name, ref_id in queue.refs.items()},
        })

    def queue_skill(self, qs: QueueSkill) -> dict:
        # engine.QueueSkill declares its id an integer (not an int64 string) and Webitel's docs show
        # it so: {"id":4, ...} (webitel-api.md §2.10).
        return wire.compact({
            "id": qs.id, "skill": self._skill_ref(qs.skill_id), "buckets": [wire.ref(b) for b in qs.bucket_ids],
            "lvl": qs.lvl, "min_capacity": qs.min_capacity, "max_capacity": qs.max_capacity, "enabled": qs.enabled,
        }, keep_zero=WRAPPERS)

    def dump(self) -> dict:
        """The call center for ``GET /__emulator__/state``: records plus the runtime state."""
        cc = self.cc
        board = cc.switchboard
        return {
            "teams": [self.team(t) for t in cc.teams.values()],
            "skills": [self.skill(s) for s in cc.skills.values()],
            "agents": [{**self.agent(a), "free": a.id in cc.free,
                        **wire.compact({"status_payload": a.status_payload, "no_answers": a.no_answers,
                                        "call_id": wire.i64(a.call_id)})} for a in cc.agents.values()],
            "agent_skills": [self.agent_skill(r) for r in cc.agent_skills.values()],
            "queues": [self.queue(q) for q in cc.queues.values()],
            "queue_skills": [{**self.queue_skill(qs), "queue_id": str(qs.queue_id)} for qs in cc.queue_skills.values()],
            "calls": [board.wire(c) for c in board.calls.values()],
        }
