"""Pause causes (engine ``AgentPauseCauseService``, ``/call_center/pause_causes``): the reasons an
agent may give for a pause (``PATCH /agents/{id}/status {"status": "pause", "payload": <name>}``),
and ``GET /agents/{agent_id}/pause_causes``, the causes an agent may choose with the minutes spent
in each today.

Webitel: engine ``model/cc_pause_cause.go`` (``IsValid`` checks nothing, default order ``-name``),
``store/sqlstore/cc_pause_cause_store.go`` (error ids; names unique per domain,
``cc_pause_cause_domain_id_name_uindex``, case-sensitive), ``cc_agent_store.go PauseCause`` (the
agent's list: the caller must be an agent; ``allow_change`` keeps the causes the caller may set:
``allow_supervisor`` for a supervisor of the agent, ``allow_agent`` for the agent itself,
``allow_admin`` for an admin of the agent's team), call_center's ``cc_agent_today_pause_cause``
(minutes paused today per cause). The ``cc_pause_cause_list`` view writes the creator as
``updated_by``; the emulator answers the same.

The emulator's choices (docs/call-center.md, "Pause causes"): a pause naming a cause the domain
does not have is refused (:data:`E_PAUSE_CAUSE`); an agent pausing itself needs ``allow_agent``
(:data:`E_PAUSE_NOT_ALLOWED`); a pause without a cause is allowed; "today" is the UTC day.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from typing import Any

from ..api.fields import Fields
from ..api.protojson import render_as
from ..api.request import Call
from ..api.service import Service, crud
from ..directory.users import Users, user_ref
from ..errors import bad_args, bad_request, not_found
from ..seed import SeedContext, section, seed_named
from ..state import Domain, dump_section
from ..store import ListQuery, Record, Store, Table, UniqueIndex, any_ilike, on
from .agents import PAUSE, Agent, Agents
from .agents_http import api as agent_api
from .base import ENGINE_PAGE_SIZE
from .seeding import _plain
from .teams import Teams

E_CAUSE_NOT_FOUND = "store.sql_pause_cause.get.app_error"
E_CAUSE_CREATE = "store.sql_pause_cause.create.app_error"
E_CAUSE_UPDATE = "store.sql_pause_cause.update.app_error"
# The emulator's refusals of a pause (Webitel's call_center stores any payload): the ids of
# call_center's own pause refusals (app/agent.go SetAgentPause), answered 400 as the engine does.
E_PAUSE_CAUSE = "app.agent.set_pause.payload"
E_PAUSE_NOT_ALLOWED = "app.agent.set_pause.not_allow"
UINT32_MAX = 2**32 - 1  # limit_min is a uint32 in the engine's model
DAY_MS = 86_400_000


@dataclass
class PauseCause(Record):
    name: str = ""
    description: str = ""
    limit_min: int = 0
    allow_supervisor: bool = False
    allow_agent: bool = False
    allow_admin: bool = False


class PauseCauses(Table[PauseCause]):
    kind = "pause_cause"

    def __init__(self, domain: Domain) -> None:
        super().__init__(domain)
        self.names = UniqueIndex(fold=False)

    def missing(self, row_id: int) -> Exception:
        return not_found(E_CAUSE_NOT_FOUND, f"Id={row_id}, sql: no rows in result set")

    def named(self, name: str) -> PauseCause | None:
        row_id = self.names.owner(name)
        return self.rows[row_id] if isinstance(row_id, int) else None

    def create(self, *, actor: int | None, **attributes: Any) -> PauseCause:
        cause = self._checked(PauseCause(**attributes), E_CAUSE_CREATE)
        self.insert(cause, actor)
        self.names.move("", cause.name, cause.id)
        return cause

    def update(self, cause_id: int, *, actor: int | None, **changes: Any) -> PauseCause:
        """PUT passes every attribute, PATCH those in its mask."""
        current = self.get(cause_id)
        cause = self._checked(replace(current, **changes), E_CAUSE_UPDATE)
        self.put(cause, actor)
        self.names.move(current.name, cause.name, cause.id)
        return cause

    def delete(self, cause_id: int) -> PauseCause:
        """Agents paused with the cause keep it as their payload (no foreign key)."""
        cause = self.pop(cause_id)
        self.names.move(cause.name, "", cause.id)
        return cause

    def _checked(self, cause: PauseCause, error_id: str) -> PauseCause:
        if not 0 <= cause.limit_min <= UINT32_MAX:
            raise bad_args(f"limit_min: value out of range for uint32: {cause.limit_min}")
        if self.names.taken(cause.name, cause.id):
            raise bad_request(error_id, f"name={cause.name}, pq: duplicate key value violates unique constraint "
                                        "\"cc_pause_cause_domain_id_name_uindex\"")
        return cause

    def search(self, *, ids: Collection[int] = (), q: str | None = None) -> list[PauseCause]:
        """``q`` on name or description; by name, descending (``PauseCause.DefaultOrder``)."""
        rows = [c for c in self if (not ids or c.id in ids) and any_ilike(q, c.name, c.description)]
        return sorted(rows, key=lambda c: (c.name.casefold(), c.name), reverse=True)

    # -- the pause itself --------------------------------------------------------------------------
    @on("agent.pausing")
    def _pausing(self, agent: Agent, cause_name: str, by_agent: bool) -> None:
        """A pause names a cause of the domain; an agent pausing itself, one that allows agents."""
        if not cause_name:
            return
        cause = self.named(cause_name)
        if cause is None:
            raise bad_request(E_PAUSE_CAUSE, f"AgentId={agent.id}: pause cause \"{cause_name}\" not found")
        if by_agent and not cause.allow_agent:
            raise bad_request(E_PAUSE_NOT_ALLOWED, f"AgentId={agent.id}: pause cause \"{cause_name}\" "
                                                   "is not allowed to agents (allow_agent)")

    def for_agent(self, caller_id: int, agent_id: int, allow_change: bool) -> list[tuple[PauseCause, int]]:
        """``GET /agents/{agent_id}/pause_causes``: (cause, minutes paused with it today), by name.
        Empty when the caller is not an agent or the agent does not exist (the SQL's joins)."""
        agents = self.domain.store(Agents)
        caller, agent = agents.of(caller_id), agents.find(agent_id)
        if caller is None or agent is None:
            return []
        team = self.domain.store(Teams).find(agent.team_id)
        supervisor = caller.is_supervisor or caller.id in agent.supervisor_ids
        team_admin = team is not None and caller.team_id == agent.team_id and caller.id in team.admin_ids

        def may_set(cause: PauseCause) -> bool:
            return (supervisor and cause.allow_supervisor) or (caller.id == agent.id and cause.allow_agent) \
                or (team_admin and cause.allow_admin)

        clock = self.domain.store(PauseClock)
        return [(c, clock.minutes(agent, c.name)) for c in sorted(self, key=lambda c: c.name)
                if not allow_change or may_set(c)]


class PauseClock(Store):
    """Time each agent spent in each pause cause today (call_center's ``cc_agent_today_pause_cause``):
    a pause counts on the day it began; the current one, until now."""

    def __init__(self, domain: Domain) -> None:
        super().__init__(domain)
        self.open: dict[int, tuple[str, int]] = {}  # agent id -> (cause, paused since)
        self.spent: dict[tuple[int, str], tuple[int, int]] = {}  # (agent id, cause) -> (day, ms)

    @on("agent.status")
    def _status(self, agent: Agent, status: str, payload: str, at: int) -> None:
        paused = self.open.pop(agent.id, None)
        if paused is not None:
            cause, since = paused
            day = since // DAY_MS
            counted_day, ms = self.spent.get((agent.id, cause), (day, 0))
            self.spent[(agent.id, cause)] = (day, (ms if counted_day == day else 0) + at - since)
        if status == PAUSE and payload:
            self.open[agent.id] = (payload, at)

    @on("agent.deleted")
    def _agent_deleted(self, agent: Agent) -> None:
        self.open.pop(agent.id, None)
        for key in [k for k in self.spent if k[0] == agent.id]:
            del self.spent[key]

    def minutes(self, agent: Agent, cause: str) -> int:
        now = self.now()
        day, ms = self.spent.get((agent.id, cause), (0, 0))
        total = ms if day == now // DAY_MS else 0
        paused = self.open.get(agent.id)
        if paused is not None and paused[0] == cause:
            total += now - paused[1]
        return round(total / 60_000)


def wire_cause(domain: Domain, cause: PauseCause) -> dict:
    creator = user_ref(domain.store(Users), cause.created_by)
    return {"id": cause.id, "created_at": cause.created_at, "created_by": creator, "updated_at": cause.updated_at,
            "updated_by": creator,  # as Webitel's cc_pause_cause_list view writes it
            "name": cause.name, "limit_min": cause.limit_min, "allow_supervisor": cause.allow_supervisor,
            "allow_agent": cause.allow_agent, "allow_admin": cause.allow_admin, "description": cause.description}


@dump_section("call_center.pause_causes", order=61)
def _dump(domain: Domain) -> list[dict]:
    return [render_as("engine.AgentPauseCause", wire_cause(domain, c)) for c in domain.store(PauseCauses)]


SEEDED = {"allow_agent": True, "allow_supervisor": True, "allow_admin": True}  # the columns' defaults


@section("pause_causes", order=61)
def seed_causes(ctx: SeedContext, entries: list[dict], where: str) -> None:
    """``pause_causes: [{name, description?, limit_min?, allow_agent?, allow_supervisor?, allow_admin?}]``;
    the allow_* default to true, as cc_pause_cause's columns do."""
    causes = ctx.domain.store(PauseCauses)
    seed_named(ctx, entries, where, "pause_cause", lambda spec, at: causes.create(
        actor=ctx.admin_id, **{**SEEDED, **_plain(spec, PauseCause, (), at)}))


# -- HTTP --------------------------------------------------------------------------------------------
CAUSE = Fields(PauseCause, name="name", description="description", limit_min="limit_min",
               allow_supervisor="allow_supervisor", allow_agent="allow_agent", allow_admin="allow_admin")
api = Service("AgentPauseCauseService", permission="dictionaries", clocked=True)


def _search(call: Call, query: ListQuery) -> list[PauseCause]:
    return call.store(PauseCauses).search(ids=call.ids("id"), q=query.q)


crud(api, PauseCauses, wire_cause, CAUSE.read, page_size=ENGINE_PAGE_SIZE, search="SearchAgentPauseCause",
     filters=_search, create="CreateAgentPauseCause", read="ReadAgentPauseCause",
     update=("UpdateAgentPauseCause", "PatchAgentPauseCause"), delete="DeleteAgentPauseCause")


@agent_api.operation("SearchPauseCauseForAgent")
def for_agent(call: Call) -> dict:
    rows = call.store(PauseCauses).for_agent(call.user_id or 0, call.path["agent_id"],
                                              call.query.get("allow_change", False))
    return {"items": [{"id": c.id, "name": c.name, "limit_min": c.limit_min, "duration_min": minutes}
                      for c, minutes in rows]}
