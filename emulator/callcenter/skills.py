"""Skills (engine ``SkillService``): what agents have and queues need (``docs/call-center.md``).
Names are unique per domain, case-insensitively; a skill still used by an agent or a queue cannot be
deleted (answered as the store's internal error)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from ..errors import bad_request, internal, not_found
from ..store import Record, Table, UniqueIndex, any_ilike
from .base import dup, mutation

E_SKILL_NOT_FOUND = "store.sql_skill.get.app_error"
E_SKILL_NAME = "store.sql_skill.save.valid.name"
E_SKILL_DELETE = "store.sql_skill.delete.app_error"


@dataclass
class Skill(Record):
    name: str = ""
    description: str = ""


class Skills(Table[Skill]):
    kind = "skill"

    def __init__(self, domain: Any) -> None:
        super().__init__(domain)
        self.names = UniqueIndex()

    def missing(self, row_id: int) -> Exception:
        return not_found(E_SKILL_NOT_FOUND, f"Id={row_id}, sql: no rows in result set")

    def name_of(self, skill_id: int | None) -> str:
        skill = self.find(skill_id)
        return skill.name if skill else ""

    @mutation
    def create(self, *, actor: int | None, name: str = "", description: str = "") -> Skill:
        skill = self._checked(Skill(name=name.strip(), description=description))
        self.insert(skill, actor)
        self.names.move("", skill.name, skill.id)
        return skill

    @mutation
    def update(self, skill_id: int, *, actor: int | None, **changes: Any) -> Skill:
        current = self.get(skill_id)
        skill = dup(current)
        for name, value in changes.items():
            setattr(skill, name, value.strip() if name == "name" else value)
        self.put(self._checked(skill), actor)
        self.names.move(current.name, skill.name, skill.id)
        return skill

    def _checked(self, skill: Skill) -> Skill:
        if self.names.taken(skill.name, skill.id):
            raise bad_request(E_SKILL_NAME, "Skill with this name already exists.")
        return skill

    @mutation
    def delete(self, skill_id: int) -> Skill:
        skill = self.get(skill_id)
        users: list[str] = []
        self.domain.emit("skill.deleting", skill, users)  # agent skills and queue skills name themselves
        if users:
            raise internal(E_SKILL_DELETE, f"Id={skill_id}, pq: update or delete on table \"cc_skill\" violates "
                                           f"foreign key constraint: still used by {' and '.join(users)}")
        self.names.move(skill.name, "", skill.id)
        return self.pop(skill_id)

    def search(self, *, ids: Collection[int] = (), q: str | None = None,
               exclude: Collection[int] = ()) -> list[Skill]:
        return [s for s in self if (not ids or s.id in ids) and s.id not in exclude and any_ilike(q, s.name)]
