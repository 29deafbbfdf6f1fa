"""A record's desired state, captured before a change so that a change Webitel refuses can be taken
back exactly (only what differs is touched: no delete-and-insert of the same detail row)."""

from __future__ import annotations

from dataclasses import dataclass

from ...models import WebitelUser, WebitelUserSkill
from . import remote

COLUMNS = ("state", "extension", "stun_enabled", "is_agent", "team_id", "team_name")


@dataclass(frozen=True)
class Desired:
    columns: dict
    licenses: dict[str, str]
    roles: dict[str, str]
    skills: dict[str, tuple[str, int, bool]]  # skill id -> (name, capacity, active)

    @classmethod
    def capture(cls, record: WebitelUser) -> Desired:
        return cls(columns={name: getattr(record, name) for name in COLUMNS},
                   licenses={row.license_id: row.product for row in record.licenses},
                   roles={row.role_id: row.name for row in record.roles},
                   skills={row.skill_id: (row.skill_name, row.capacity, row.active) for row in record.skills})

    def restore(self, record: WebitelUser) -> None:
        for name, value in self.columns.items():
            if getattr(record, name) != value:
                setattr(record, name, value)
        remote.set_licenses(record, self.licenses)
        remote.set_roles(record, self.roles)
        for row in list(record.skills):
            if row.skill_id not in self.skills:
                record.skills.remove(row)
            else:
                row.skill_name, row.capacity, row.active = self.skills[row.skill_id]
        have = {row.skill_id for row in record.skills}
        record.skills.extend(WebitelUserSkill(skill_id=skill_id, skill_name=name, capacity=capacity, active=active)
                             for skill_id, (name, capacity, active) in self.skills.items() if skill_id not in have)
