"""Agents' and queues' figures, computed from what the simulation did: the calls of the
switchboard and the agents' state history (``agent_states.py``). Nothing here is stored; every
report reads the same history, so the figures of different reports agree.

Over a time range ``[start, end)`` (unix ms), for each agent:

- time ``online`` / ``pause`` / ``offline`` (its status), and time in each call-channel state;
- ``offered``: calls offered to it (by when they were offered), ``handled``: calls it answered
  (by when they were answered), ``missed``: offers it let ring out, ``abandoned``: calls whose
  caller hung up while its phone rang, ``transferred``: calls it transferred;
- talk (the call's answered time less its time on hold) and hold seconds of the calls it handled;
- ``utilization``: % of its online time spent on calls (ringing, talking, processing, wrap-up);
- ``occupancy``: % of its time on calls or waiting for one that was spent on calls.

Webitel computes these in SQL views that are not all public; the emulator's definitions are
the ones above (docs/call-center.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from .agent_states import CALL_CHANNEL, STATUS_CHANNEL, AgentStates
from .agents import BRIDGED, OFFERING, OFFLINE, ONLINE, PROCESSING, WAITING, WRAP_TIME
from .calls import CALL_ENDED, INBOUND, Call

ON_CALL = (OFFERING, BRIDGED, PROCESSING, WRAP_TIME)


def today(now: int) -> tuple[int, int]:
    """Midnight (UTC, the emulator's clock) to now: what "today" means for today's statistics."""
    midnight = datetime.fromtimestamp(now / 1000, UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return int(midnight.timestamp() * 1000), now


@dataclass
class AgentFigures:
    status_ms: dict[str, int] = field(default_factory=dict)
    channel_ms: dict[str, int] = field(default_factory=dict)
    offered: int = 0
    handled: int = 0
    missed: int = 0
    abandoned: int = 0
    transferred: int = 0
    inbound: int = 0  # handled calls that came in (to a queue or not)
    inbound_queue: int = 0
    dialer_queue: int = 0
    manual: int = 0  # the agent's user's own calls
    talk: list[int] = field(default_factory=list)  # seconds, per handled call
    hold: list[int] = field(default_factory=list)
    queue_talk: int = 0
    max_offering_at: int = 0
    max_bridged_at: int = 0

    def seconds(self, status: str) -> int:
        return self.status_ms.get(status, 0) // 1000

    @property
    def online_ms(self) -> int:
        return self.status_ms.get(ONLINE, 0)

    @property
    def utilization(self) -> float:
        busy = sum(self.channel_ms.get(s, 0) for s in ON_CALL)
        return round(100.0 * min(busy, self.online_ms) / self.online_ms, 2) if self.online_ms else 0.0

    @property
    def occupancy(self) -> float:
        busy = sum(self.channel_ms.get(s, 0) for s in (BRIDGED, PROCESSING, WRAP_TIME))
        idle = self.channel_ms.get(WAITING, 0)
        return round(100.0 * busy / (busy + idle), 2) if busy + idle else 0.0

    @property
    def sum_talk(self) -> int:
        return sum(self.talk)

    @staticmethod
    def avg(values: list[int]) -> float:
        return round(sum(values) / len(values), 2) if values else 0.0


def _in(at: int, start: int, end: int) -> bool:
    return bool(at) and start <= at < end


def figures(agent_ids: Iterable[int], calls: Iterable[Call], history: AgentStates, created: dict[int, int],
            user_of: dict[int, int], start: int, end: int, now: int) -> dict[int, AgentFigures]:
    """Each agent's figures over ``[start, end)``; ``created``: agent id -> when it was made (an
    agent without history was offline since then), ``user_of``: agent id -> its user."""
    out = {a: AgentFigures() for a in agent_ids}
    for agent_id, fig in out.items():
        if (agent_id, STATUS_CHANNEL) in history.current:
            fig.status_ms = history.time_in(agent_id, STATUS_CHANNEL, start, end, now)
            fig.channel_ms = history.time_in(agent_id, CALL_CHANNEL, start, end, now)
        else:
            fig.status_ms = {OFFLINE: max(0, min(end, now) - max(start, created.get(agent_id, start)))}
    by_user = {user: agent for agent, user in user_of.items() if agent in out}
    for call in calls:
        for missed_by, missed_at in zip(call.missed_by, call.missed_at, strict=False):
            if missed_by in out and _in(missed_at, start, end):
                out[missed_by].missed += 1
                out[missed_by].offered += 1
        fig_or_none = out.get(call.agent_id) if call.agent_id is not None else None
        if call.queue_id is None:
            owner = by_user.get(call.user_id) if call.user_id is not None else None
            if owner is not None and _in(call.created_at, start, end):
                out[owner].manual += 1
            continue
        if fig_or_none is None:
            continue
        fig = fig_or_none
        if _in(call.offered_at, start, end):
            fig.offered += 1
            fig.max_offering_at = max(fig.max_offering_at, call.offered_at)
        if call.state == CALL_ENDED and not call.answered_at and call.direction == INBOUND \
                and _in(call.ended_at, start, end) and call.offered and call.offered[-1] == call.agent_id:
            fig.abandoned += 1
        if not _in(call.answered_at, start, end):
            continue
        fig.handled += 1
        fig.max_bridged_at = max(fig.max_bridged_at, call.answered_at)
        stop = call.ended_at or now
        hold = (call.hold_ms + ((now - call.hold_since) if call.hold_since else 0)) // 1000
        talk = max(0, (stop - call.answered_at) // 1000 - hold)
        fig.talk.append(talk)
        fig.hold.append(hold)
        fig.queue_talk += talk
        fig.transferred += bool(call.transfer_to)
        if call.direction == INBOUND:
            fig.inbound += 1
            fig.inbound_queue += 1
        else:
            fig.dialer_queue += 1
    return out


def active_call(calls: Iterable[Call], agent_id: int) -> Call | None:
    return next((c for c in calls if c.agent_id == agent_id and c.state != CALL_ENDED), None)

