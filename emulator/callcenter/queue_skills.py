"""Queue skills (engine ``QueueSkillService``): which skills, at which capacities and levels, a
queue's calls need (``docs/call-center.md``). Capacities are 0..100 (min checked first);
min <= max is not checked; one row per (lvl, skill, buckets) in a queue."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..errors import bad_request, not_found
from ..store import Table, ilike, on
from .base import dup, mutation
from .queues import Queue, Queues
from .skills import Skill, Skills

E_QUEUE_SKILL_NOT_FOUND = "store.sql_queue_skill.get.app_error"
E_QUEUE_SKILL_SAVE = "store.sql_queue_skill.save.app_error"
E_QUEUE_SKILL_UPDATE = "store.sql_queue_skill.update.app_error"
E_QUEUE_SKILL_MIN = "queue_skill.valid.min_capacity"
E_QUEUE_SKILL_MAX = "queue_skill.valid.max_capacity"


@dataclass
class QueueSkill:
    id: int = 0
    queue_id: int = 0
    skill_id: int = 0
    bucket_ids: list[int] = field(default_factory=list)
    lvl: int = 0
    min_capacity: int = 0
    max_capacity: int = 0
    enabled: bool = False


class QueueSkills(Table[QueueSkill]):  # type: ignore[type-var]
    kind = "queue_skill"

    def __init__(self, domain: Any) -> None:
        super().__init__(domain)
        self.of_queue: dict[int, dict[int, QueueSkill]] = {}

    def of(self, queue_id: int) -> list[QueueSkill]:
        return list(self.of_queue.get(queue_id, {}).values())

    def get_of(self, queue_id: int, qs_id: int) -> QueueSkill:
        qs = self.rows.get(qs_id)
        if qs is None or qs.queue_id != queue_id:
            raise not_found(E_QUEUE_SKILL_NOT_FOUND, f"QueueId={queue_id}, Id={qs_id}, sql: no rows in result set")
        return qs

    @mutation
    def create(self, queue_id: int, **attrs: Any) -> QueueSkill:
        qs = QueueSkill(queue_id=queue_id, **attrs)
        self._check(qs, E_QUEUE_SKILL_SAVE)
        qs.id = self.world.next_id(self.kind)
        return self._store(qs)

    @mutation
    def update(self, queue_id: int, qs_id: int, **changes: Any) -> QueueSkill:
        qs = dup(self.get_of(queue_id, qs_id))
        for name, value in changes.items():
            setattr(qs, name, value)
        self._check(qs, E_QUEUE_SKILL_UPDATE)
        return self._store(qs)

    def _store(self, qs: QueueSkill) -> QueueSkill:
        self.rows[qs.id] = qs
        self.of_queue.setdefault(qs.queue_id, {})[qs.id] = qs
        return qs

    def _check(self, qs: QueueSkill, error_id: str) -> None:
        if not 0 <= qs.min_capacity <= 100:
            raise bad_request(E_QUEUE_SKILL_MIN, "Min capacity must be between 0 and 100")
        if not 0 <= qs.max_capacity <= 100:
            raise bad_request(E_QUEUE_SKILL_MAX, "Max capacity must be between 0 and 100")
        if qs.queue_id not in self.domain.store(Queues):
            raise bad_request(error_id, f"queue id={qs.queue_id} not found: pq: insert or update on table "
                                        "\"cc_queue_skill\" violates foreign key constraint")
        if qs.skill_id not in self.domain.store(Skills):
            raise bad_request(error_id, f"skill id={qs.skill_id} not found: pq: insert or update on table "
                                        "\"cc_queue_skill\" violates foreign key constraint")
        key = (qs.lvl, qs.skill_id, sorted(qs.bucket_ids))
        if any(o.id != qs.id and (o.lvl, o.skill_id, sorted(o.bucket_ids)) == key for o in self.of(qs.queue_id)):
            raise bad_request(error_id, "pq: duplicate key value violates unique constraint "
                                        "(lvl, queue_id, skill_id, bucket_ids)")

    @mutation
    def delete(self, queue_id: int, qs_id: int) -> QueueSkill:
        qs = self.get_of(queue_id, qs_id)
        del self.rows[qs_id]
        del self.of_queue[queue_id][qs_id]
        return qs

    def search(self, queue_id: int, *, q: str | None = None, enabled: bool | None = None,
               **wanted: list[int]) -> list[QueueSkill]:
        """A queue's skills; ``wanted`` narrows by id, skill_id, bucket_id, lvl, min/max_capacity."""
        skills = self.domain.store(Skills)
        out = []
        for qs in self.of(queue_id):
            values = {"id": {qs.id}, "skill_id": {qs.skill_id}, "bucket_id": set(qs.bucket_ids), "lvl": {qs.lvl},
                      "min_capacity": {qs.min_capacity}, "max_capacity": {qs.max_capacity}}
            if any(ids and not set(ids) & values[name] for name, ids in wanted.items()):
                continue
            if (enabled is not None and qs.enabled != enabled) or (q and not ilike(q, skills.name_of(qs.skill_id))):
                continue
            out.append(qs)
        return out

    @on("queue.deleted")
    def _queue_deleted(self, queue: Queue) -> None:
        for qs_id in self.of_queue.pop(queue.id, {}):  # ON DELETE CASCADE
            del self.rows[qs_id]

    @on("skill.deleting")
    def _skill_deleting(self, skill: Skill, users: list[str]) -> None:
        queues = sorted({qs.queue_id for qs in self.rows.values() if qs.skill_id == skill.id})
        if queues:
            users.append(f"queues {queues}")
