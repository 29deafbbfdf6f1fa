"""Teams (engine ``AgentTeamService``): agents' groups, whose strategy and timings routing uses
(``docs/call-center.md``). A team needs a name and a strategy routing knows; one still used by an
agent or a queue cannot be deleted (FK RESTRICT answered as the store's internal error)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from ..errors import bad_request, internal, not_found
from ..store import Record, Table, any_ilike
from . import routing
from .base import dup, mutation

E_TEAM_NOT_FOUND = "store.sql_agent_team.get.app_error"
E_TEAM_NAME = "model.cc_team.is_valid.name.app_error"
E_TEAM_STRATEGY = "model.cc_team.is_valid.strategy.app_error"
E_TEAM_DELETE = "store.sql_agent_team.delete.app_error"


@dataclass
class Team(Record):
    name: str = ""
    description: str = ""
    strategy: str = ""
    max_no_answer: int = 0
    no_answer_delay_time: int = 0
    wrap_up_time: int = 0
    call_timeout: int = 0
    admin_ids: list[int] = field(default_factory=list)
    invite_chat_timeout: int = 0
    task_accept_timeout: int = 0
    forecast_calculation_id: int | None = None
    screen_control: bool = False


class Teams(Table[Team]):
    kind = "team"

    def missing(self, row_id: int) -> Exception:
        return not_found(E_TEAM_NOT_FOUND, f"Id={row_id}, sql: no rows in result set")

    @mutation
    def create(self, *, actor: int | None, **attrs: Any) -> Team:
        return self.insert(self._checked(Team(**attrs)), actor)

    @mutation
    def update(self, team_id: int, *, actor: int | None, **changes: Any) -> Team:
        team = dup(self.get(team_id))
        for name, value in changes.items():
            setattr(team, name, value)
        return self.put(self._checked(team), actor)

    @staticmethod
    def _checked(team: Team) -> Team:
        team.name = team.name.strip()
        if not team.name:
            raise bad_request(E_TEAM_NAME, "Name is required")
        if not team.strategy:
            raise bad_request(E_TEAM_STRATEGY, "Strategy is required")
        if team.strategy not in routing.STRATEGIES:
            raise bad_request(E_TEAM_STRATEGY, f"Strategy '{team.strategy}' is not one of: "
                                               + ", ".join(routing.STRATEGIES))
        return team

    @mutation
    def delete(self, team_id: int) -> Team:
        team = self.get(team_id)
        users: list[str] = []
        self.domain.emit("team.deleting", team, users)  # agents and queues name themselves
        if users:
            # FK ON DELETE RESTRICT, and the team store answers it as an internal error (docs/call-center.md).
            raise internal(E_TEAM_DELETE, f"Id={team_id}, pq: update or delete on table \"cc_team\" violates "
                                          f"foreign key constraint: still used by {', '.join(users)}")
        return self.pop(team_id)

    def setting(self, team_id: int | None, name: str) -> int:
        """A timing of a team (0 without one; negatives count as 0)."""
        team = self.find(team_id)
        return max(0, getattr(team, name)) if team is not None else 0

    def search(self, *, ids: Collection[int] = (), strategies: Collection[str] = (), admins: Collection[int] = (),
               q: str | None = None) -> list[Team]:
        return [t for t in self if (not ids or t.id in ids) and (not strategies or t.strategy in strategies)
                and (not admins or set(admins) & set(t.admin_ids)) and any_ilike(q, t.name)]
