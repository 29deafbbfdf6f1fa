"""Agents' state history (Webitel's ``call_center.cc_agent_state_history``): one row per change of
an agent's status (``channel`` empty: online, pause with its cause, offline, break_out) or of its
call channel (``channel`` "call": waiting, offering, bridged, processing, wrap_time, missed), each
with the time it began and, once the next row of the same kind comes, how long it lasted.

The switchboard writes it (it is the only place agents' runtime changes); the state history
operations and every agent statistic read it, so that reports say what the simulation did.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from ..store import Store, on

STATUS_CHANNEL = ""  # rows of the agent's status have no channel
CALL_CHANNEL = "call"


@dataclass(slots=True)
class AgentState:
    id: int
    agent_id: int
    channel: str
    state: str
    joined_at: int  # unix ms
    payload: str = ""  # a pause's cause
    queue_id: int | None = None  # the queue of the call a channel state is about
    left_at: int = 0  # unix ms the next state of the same kind began; 0 = still in it

    def duration_ms(self, now: int) -> int:
        return (self.left_at or now) - self.joined_at

    def overlap_ms(self, start: int, end: int, now: int) -> int:
        """How long, within ``[start, end)``, the agent was in this state."""
        return max(0, min(self.left_at or now, end) - max(self.joined_at, start))


class AgentStates(Store):
    """The history, in time order, and each agent's current row of each kind."""

    def __init__(self, domain: Any) -> None:
        super().__init__(domain)
        self.rows: list[AgentState] = []
        self.of_agent: dict[int, list[AgentState]] = {}
        self.current: dict[tuple[int, str], AgentState] = {}  # (agent id, channel) -> the open row

    def record(self, agent_id: int, channel: str, state: str, at: int, *, payload: str = "",
               queue_id: int | None = None) -> None:
        """The agent entered ``state`` at ``at`` (a repeat of the open row is not a change)."""
        open_row = self.current.get((agent_id, channel))
        if open_row is not None:
            if (open_row.state, open_row.payload, open_row.queue_id) == (state, payload, queue_id):
                return
            open_row.left_at = at
        row = AgentState(self.world.next_id("agent_state"), agent_id, channel, state, at, payload, queue_id)
        self.rows.append(row)
        self.of_agent.setdefault(agent_id, []).append(row)
        self.current[(agent_id, channel)] = row

    def of(self, agent_id: int, channel: str | None = None) -> Iterator[AgentState]:
        return (r for r in self.of_agent.get(agent_id, ()) if channel is None or r.channel == channel)

    def search(self, *, agent_ids: Iterable[int] = (), joined_from: int | None = None, joined_to: int | None = None,
               from_id: int | None = None) -> list[AgentState]:
        """Rows by agent, by when they began (both ends included) and after a row id."""
        wanted = set(agent_ids)
        pool: Iterable[AgentState] = (r for a in sorted(wanted) for r in self.of_agent.get(a, ())) if wanted \
            else self.rows
        return [r for r in pool if (joined_from is None or joined_from <= r.joined_at)
                and (joined_to is None or r.joined_at <= joined_to) and (from_id is None or r.id > from_id)]

    def time_in(self, agent_id: int, channel: str, start: int, end: int, now: int) -> dict[str, int]:
        """Milliseconds spent in each state of ``channel`` within ``[start, end)``."""
        out: dict[str, int] = {}
        for row in self.of(agent_id, channel):
            spent = row.overlap_ms(start, end, now)
            if spent:
                out[row.state] = out.get(row.state, 0) + spent
        return out

    @on("agent.deleted")
    def _agent_deleted(self, agent: Any) -> None:
        """An agent's history goes with it (FK ON DELETE CASCADE, docs/call-center.md)."""
        gone = self.of_agent.pop(agent.id, [])
        if gone:
            ids = {r.id for r in gone}
            self.rows = [r for r in self.rows if r.id not in ids]
        for key in [k for k in self.current if k[0] == agent.id]:
            del self.current[key]
