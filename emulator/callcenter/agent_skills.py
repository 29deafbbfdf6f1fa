"""Agent skills (engine ``AgentSkillService``): one row per agent and skill, with a capacity
0..100 and an ``enabled`` flag; only enabled rows route (``docs/call-center.md``).

The store keeps, on every change, the index routing reads (enabled rows by skill and capacity),
so that a routing decision never scans all agents.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..errors import bad_request, not_found
from ..store import Record, Table, ilike, on
from . import routing
from .agents import Agent, Agents
from .base import dup, mutation
from .skills import Skill, Skills

E_ROW_NOT_FOUND = "store.sql_skill_in_agent.get_all.app_error"  # Webitel's GetById reuses this id
E_ROW_CREATE = "store.sql_skill_in_agent.create.app_error"
E_ROW_UPDATE = "store.sql_skill_in_agent.update.app_error"
E_ROW_CAPACITY = "agent_skill.valid.capacity"


@dataclass
class AgentSkill(Record):
    agent_id: int = 0
    skill_id: int = 0
    capacity: int | None = None  # google.protobuf.Int32Value: "absent" is not 0
    enabled: bool = False  # the handler copies the bool: an omitted enabled is stored false


class AgentSkills(Table[AgentSkill]):
    kind = "agent_skill"

    def __init__(self, domain: Any) -> None:
        super().__init__(domain)
        self.rows_of: dict[int, dict[int, AgentSkill]] = {}  # agent id -> skill id -> its row
        self.of_skill: dict[int, dict[int, AgentSkill]] = {}  # skill id -> agent id -> its row
        self.index = routing.SkillIndex()

    def of(self, agent_id: int) -> dict[int, AgentSkill]:
        return self.rows_of.get(agent_id, {})

    def get_of(self, agent_id: int, row_id: int) -> AgentSkill:
        row = self.rows.get(row_id)
        if row is None or row.agent_id != agent_id:
            raise not_found(E_ROW_NOT_FOUND, f"AgentId={agent_id}, Id={row_id}, sql: no rows in result set")
        return row

    def _check(self, row: AgentSkill, error_id: str, taken: set[tuple[int, int]] | None = None) -> None:
        """IsValid (capacity), then the store's constraints (agent and skill exist, one row per pair)."""
        if row.capacity is None:
            raise bad_request(E_ROW_CAPACITY, "Capacity is required")
        if not 0 <= row.capacity <= 100:
            raise bad_request(E_ROW_CAPACITY, "Capacity must be between 0 and 100")
        what = f"AgentId={row.agent_id}, SkillId={row.skill_id} pq:"
        if row.agent_id not in self.domain.store(Agents):
            raise bad_request(error_id, f"{what} insert or update on table \"cc_skill_in_agent\" violates "
                                        "foreign key constraint (agent)")
        if row.skill_id not in self.domain.store(Skills):
            raise bad_request(error_id, f"{what} insert or update on table \"cc_skill_in_agent\" violates "
                                        "foreign key constraint (skill)")
        other = self.of(row.agent_id).get(row.skill_id)
        if (other is not None and other.id != row.id) or (taken and (row.agent_id, row.skill_id) in taken):
            raise bad_request(error_id, f"{what} duplicate key value violates unique constraint "
                                        "\"cc_skill_in_agent_agent_id_skill_id_uindex\"")

    def _store(self, row: AgentSkill) -> None:
        """Store a row (new, or replacing the one with its id) and keep the routing index true."""
        old = self.rows.get(row.id)
        if old is not None:
            self._drop(old)
        self.rows[row.id] = row
        self.rows_of.setdefault(row.agent_id, {})[row.skill_id] = row
        self.of_skill.setdefault(row.skill_id, {})[row.agent_id] = row
        if row.enabled:
            self.index.add(row.skill_id, row.capacity or 0, row.agent_id)

    def _drop(self, row: AgentSkill) -> None:
        del self.rows[row.id]
        self.rows_of.get(row.agent_id, {}).pop(row.skill_id, None)
        self.of_skill.get(row.skill_id, {}).pop(row.agent_id, None)
        if row.enabled:
            self.index.discard(row.skill_id, row.capacity or 0, row.agent_id)

    @mutation
    def add(self, rows: Iterable[tuple[int, int | None, int | None, bool]], *, actor: int | None) -> list[AgentSkill]:
        """Add rows ``(agent_id, skill_id, capacity, enabled)``, all or none."""
        made: list[AgentSkill] = []
        taken: set[tuple[int, int]] = set()
        for agent_id, skill_id, capacity, enabled in rows:
            row = AgentSkill(agent_id=agent_id, skill_id=skill_id or 0, capacity=capacity, enabled=enabled)
            self._check(row, E_ROW_CREATE, taken)
            taken.add((row.agent_id, row.skill_id))
            made.append(row)
        for row in made:
            self.stamp(row, actor, created=True)
            self._store(row)
        return made

    @mutation
    def update(self, agent_id: int, row_id: int, *, actor: int | None, **changes: Any) -> AgentSkill:
        """PUT (skill, capacity and enabled replaced) or PATCH of one row."""
        row = dup(self.get_of(agent_id, row_id))
        for name, value in changes.items():
            setattr(row, name, value)
        self._check(row, E_ROW_UPDATE)
        self.stamp(row, actor)
        self._store(row)
        return row

    @mutation
    def patch(self, rows: list[AgentSkill], *, actor: int | None, **changes: Any) -> list[AgentSkill]:
        """Bulk PATCH of ``capacity`` / ``enabled`` on the selected rows, all or none."""
        changes = {k: v for k, v in changes.items() if k in ("capacity", "enabled")}
        updated = []
        for row in rows:
            candidate = dup(row)
            for name, value in changes.items():
                setattr(candidate, name, value)
            self._check(candidate, E_ROW_UPDATE)
            updated.append(candidate)
        for row in updated:
            self.stamp(row, actor)
            self._store(row)
        return updated

    @mutation
    def delete(self, rows: list[AgentSkill]) -> list[AgentSkill]:
        for row in rows:
            self._drop(row)
        return rows

    def select(self, *, agent_id: int | None = None, skill_id: int | None = None, ids: Iterable[int] = (),
               skill_ids: Iterable[int] = (), agent_ids: Iterable[int] = (), q: str | None = None
               ) -> list[AgentSkill]:
        """The rows of an agent or of a skill, narrowed by row ids, skill ids, agent ids and ``q``
        (the skill's name for an agent's rows, the agent's name for a skill's rows)."""
        ids, skill_ids, agent_ids = set(ids), set(skill_ids), set(agent_ids)
        pool = list(self.of(agent_id).values()) if agent_id is not None else list(
            self.of_skill.get(skill_id, {}).values()) if skill_id is not None else []
        skills, agents = self.domain.store(Skills), self.domain.store(Agents)
        out = [row for row in pool
               if not (ids and row.id not in ids or skill_ids and row.skill_id not in skill_ids
                       or agent_ids and row.agent_id not in agent_ids)
               and (not q or ilike(q, skills.name_of(row.skill_id) if agent_id is not None
                                   else agents.name_of(row.agent_id)))]
        return sorted(out, key=lambda r: r.id)

    def counts(self, skill_id: int) -> tuple[int, int]:
        """(active_agents, total_agents) of a skill: agents with an enabled row, agents with any."""
        rows = self.of_skill.get(skill_id, {})
        return sum(1 for r in rows.values() if r.enabled), len(rows)

    @on("agent.deleted")
    def _agent_deleted(self, agent: Agent) -> None:
        for row in list(self.of(agent.id).values()):  # ON DELETE CASCADE
            self._drop(row)
        self.rows_of.pop(agent.id, None)

    @on("skill.deleting")
    def _skill_deleting(self, skill: Skill, users: list[str]) -> None:
        agents = sorted(self.of_skill.get(skill.id, {}))
        if agents:
            users.append(f"agents {agents}")
