"""What the dashboard (``/__emulator__/ui``) shows, as one small JSON document
(``GET /__emulator__/overview``): per domain its agents with status and skills, its queues with
their waiting calls, the live calls; and the fault rules and the newest journal entries.

The dashboard polls it every second, so it stays small whatever the world's size: every list is
cut at ``limit`` rows (the first by id) and says how many there are in all.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ..callcenter.agent_skills import AgentSkills
from ..callcenter.agents import Agents
from ..callcenter.calls import Switchboard
from ..callcenter.queues import Queues
from ..callcenter.skills import Skills
from ..directory.users import Users
from ..state import Domain

if TYPE_CHECKING:
    from ..app import Emulator

LIMIT = 200
JOURNAL = 50


def _first(rows: Iterable[Any], limit: int) -> list[Any]:
    return list(itertools.islice(rows, limit))


def _agents(domain: Domain, limit: int) -> dict:
    agents, users, skills = domain.store(Agents), domain.store(Users), domain.store(Skills)
    rows_of, board = domain.store(AgentSkills), domain.store(Switchboard)
    items = []
    for agent in _first(agents, limit):
        user = users.find(agent.user_id)
        items.append({
            "id": str(agent.id), "name": user.display_name if user else "", "extension": user.extension if user else "",
            "presence": user.presence if user else "", "status": agent.status, "status_payload": agent.status_payload,
            "channel": agent.channel_state, "free": agent.id in board.free,
            "call_id": str(agent.call_id) if agent.call_id else "",
            "skills": [{"name": skills.name_of(skill_id), "capacity": row.capacity, "enabled": row.enabled}
                       for skill_id, row in sorted(rows_of.of(agent.id).items())]})
    return {"total": len(agents), "items": items}


def _queues(domain: Domain, limit: int) -> dict:
    queues, board = domain.store(Queues), domain.store(Switchboard)
    items = []
    for queue in _first(queues, limit):
        waiting, active = board.counts(queue.id)
        items.append({"id": str(queue.id), "name": queue.name, "type": queue.type, "enabled": queue.enabled,
                      "waiting": waiting, "active": active})
    return {"total": len(queues), "items": items}


def _calls(domain: Domain, limit: int) -> dict:
    board = domain.store(Switchboard)
    live = sorted(board.live)
    return {"total": len(live), "items": [board.wire(board.calls[i]) for i in live[:limit]]}


def domain_overview(domain: Domain, limit: int = LIMIT) -> dict:
    domain.store(Switchboard).catch_up()  # timers due by now have run, as before any call-center request
    return {"id": str(domain.id), "name": domain.name, "users": len(domain.store(Users)),
            "agents": _agents(domain, limit), "queues": _queues(domain, limit), "calls": _calls(domain, limit)}


def overview(emulator: Emulator, limit: int = LIMIT) -> dict:
    backend = emulator.backend
    with backend.lock:
        world = backend.world
        domains = [domain_overview(d, limit) for d in world.domains.values()]
        clock_ms = world.clock.now_ms()
    return {"clock_ms": str(clock_ms), "domains": domains, "faults": emulator.faults.list(),
            "requests": emulator.journal.entries(JOURNAL)}
