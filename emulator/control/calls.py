"""Simulated inbound calls: what the control plane's ``/__emulator__/calls`` and ``/clock`` drive.

A call enters a queue and is offered to the agent routing picks (``emulator.routing``), or waits.
The offered agent answers, lets it ring out (a miss), or the call ends (hangup). Webitel's rules
after an offer (``webitel-api.md`` §3 "After an offer", from ``webitel/call_center: queue/team.go``):

- a miss puts the call back to waiting, counts a no-answer, parks the agent's channel in
  ``missed`` for the team's ``no_answer_delay_time``, and sets the agent ``break_out`` once its
  no-answers reach the team's ``max_no_answer``; a call ringing longer than the team's
  ``call_timeout`` (when set) is missed on its own when the clock passes that;
- a hangup after an answer parks the channel in ``wrap_time`` for the team's ``wrap_up_time``,
  then the agent waits again and the oldest waiting call is offered.

Every change that frees an agent or makes one eligible ends in :meth:`Switchboard.dispatch`.
Timers run on the emulator's clock, caught up lazily (:meth:`Switchboard.catch_up`) before every
call-center request and when the clock is advanced.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .. import routing, wire
from ..callcenter.entities import BREAK_OUT, BRIDGED, INBOUND_QUEUE, MISSED, OFFERING, WAITING, WRAP_TIME
from ..errors import WebitelError, bad_request, not_found

if TYPE_CHECKING:
    from ..callcenter.entities import Agent
    from ..callcenter.models import CallCenter
    from ..state import World

# Call states.
CALL_WAITING, CALL_OFFERING, CALL_ACTIVE, CALL_ENDED = "waiting", "offering", "active", "ended"

E_CALL_NOT_FOUND = "emulator.call.not_found"
E_CALL_STATE = "emulator.call.state"
E_CALL_QUEUE = "emulator.call.queue"
E_CLOCK = "emulator.clock.invalid"


@dataclass
class Call:
    id: int
    queue_id: int
    from_number: str = ""
    bucket_id: int | None = None
    state: str = CALL_WAITING
    agent_id: int | None = None
    created_at: int = 0
    offered_at: int = 0
    ring_until: int = 0  # unix ms the offer rings out on its own; 0 = rings until told
    answered_at: int = 0
    ended_at: int = 0
    offers: int = 0
    missed_by: list[int] = field(default_factory=list)


class Switchboard:
    """The calls of one domain's call center."""

    def __init__(self, cc: CallCenter) -> None:
        self.cc = cc
        self.calls: dict[int, Call] = {}
        self.waiting: set[int] = set()
        self.ringing: set[int] = set()  # offered calls that ring out on their own (ring_until set)

    # -- the control plane's verbs --------------------------------------------------------------
    def enqueue(self, queue_id: int, from_number: str = "", bucket_id: int | None = None) -> Call:
        cc = self.cc
        with cc.changing():
            queue = cc.queues.get(queue_id)
            if queue is None:
                raise not_found(E_CALL_QUEUE, f"queue: id={queue_id} not found")
            # The exceptions of cc_distribute_inbound_call_to_queue (webitel-api.md §3).
            if queue.type != INBOUND_QUEUE:
                raise bad_request(E_CALL_QUEUE, f"queue not inbound: id={queue_id} has type {queue.type}")
            if not queue.enabled:
                raise bad_request(E_CALL_QUEUE, f"queue disabled: id={queue_id}")
            call = Call(id=cc.world.next_id("call"), queue_id=queue_id, from_number=from_number,
                        bucket_id=bucket_id, created_at=cc.now())
            self.calls[call.id] = call
            self.waiting.add(call.id)
        return call

    def get(self, call_id: int) -> Call:
        call = self.calls.get(call_id)
        if call is None:
            raise not_found(E_CALL_NOT_FOUND, f"call: id={call_id} not found")
        return call

    def answer(self, call_id: int) -> Call:
        cc = self.cc
        with cc.changing():
            call = self._in_state(call_id, CALL_OFFERING, "answer")
            now = cc.now()
            agent = cc.agents[call.agent_id]
            call.state, call.answered_at, call.ring_until = CALL_ACTIVE, now, 0
            self.ringing.discard(call.id)
            agent.no_answers = 0
            agent.calls_answered += 1
            cc.set_channel(agent, BRIDGED, now, call_id=call.id)
        return call

    def miss(self, call_id: int) -> Call:
        cc = self.cc
        with cc.changing():
            call = self._in_state(call_id, CALL_OFFERING, "miss")
            self._missed(call, cc.now())
        return call

    def hangup(self, call_id: int) -> Call:
        cc = self.cc
        with cc.changing():
            call = self._in_state(call_id, (CALL_WAITING, CALL_OFFERING, CALL_ACTIVE), "hang up")
            self.end(call, cc.now())
        return call

    # -- rules ------------------------------------------------------------------------------------
    def _in_state(self, call_id: int, states: str | tuple[str, ...], verb: str) -> Call:
        call = self.get(call_id)
        allowed = (states,) if isinstance(states, str) else states
        if call.state not in allowed:
            raise WebitelError(409, E_CALL_STATE, f"call: id={call_id} is {call.state}: cannot {verb} it")
        return call

    def end(self, call: Call, at: int) -> None:
        """The call is over: a waiting caller hung up, a ringing agent stops ringing, a bridged
        agent goes to wrap-up."""
        cc = self.cc
        agent = cc.agents.get(call.agent_id) if call.agent_id is not None else None
        previous = call.state
        call.state, call.ended_at, call.ring_until = CALL_ENDED, at, 0
        self.waiting.discard(call.id)
        self.ringing.discard(call.id)
        if agent is None:
            return
        if previous == CALL_ACTIVE:
            agent.last_bridge_end = at
            wrap_up = cc.team_setting(agent, "wrap_up_time")
            cc.set_channel(agent, WRAP_TIME if wrap_up else WAITING, at, timeout=at + wrap_up * 1000 if wrap_up else 0)
        else:
            cc.set_channel(agent, WAITING, at)

    def _missed(self, call: Call, at: int) -> None:
        cc = self.cc
        agent = cc.agents[call.agent_id]
        call.state, call.agent_id, call.ring_until = CALL_WAITING, None, 0
        call.missed_by.append(agent.id)
        self.waiting.add(call.id)
        self.ringing.discard(call.id)
        agent.no_answers += 1
        delay = cc.team_setting(agent, "no_answer_delay_time")
        cc.set_channel(agent, MISSED if delay else WAITING, at, timeout=at + delay * 1000 if delay else 0)
        # ">=" as call_center's queue/team.go has it: with max_no_answer 0 the first miss breaks out.
        if agent.no_answers >= cc.team_setting(agent, "max_no_answer"):
            cc.set_status(agent, BREAK_OUT, at)

    def _offer(self, call: Call, agent: Agent, at: int) -> None:
        cc = self.cc
        ring = cc.team_setting(agent, "call_timeout")
        call.state, call.agent_id, call.offered_at = CALL_OFFERING, agent.id, at
        call.ring_until = at + ring * 1000 if ring else 0
        call.offers += 1
        self.waiting.discard(call.id)
        if call.ring_until:
            self.ringing.add(call.id)
        cc.set_channel(agent, OFFERING, at, call_id=call.id)
        cc.offered(call, agent)

    def dispatch(self, at: int) -> None:
        """Offer waiting calls to free eligible agents: queues by priority, oldest call first."""
        cc = self.cc
        if not self.waiting or not cc.free:
            return
        calls = [self.calls[i] for i in self.waiting]
        queues = cc.queues
        calls.sort(key=lambda c: routing.waiting_order(queues[c.queue_id].priority, queues[c.queue_id].strategy,
                                                       c.created_at, c.id))
        for call in calls:
            if not cc.free:
                break
            queue = queues[call.queue_id]
            if not queue.enabled:
                continue
            agent_id = routing.pick(cc.index, cc.free, cc.agents, cc.ask(queue, call))
            if agent_id is not None:
                self._offer(call, cc.agents[agent_id], at)

    def catch_up(self, now: int) -> None:
        """Run the timers that fell due up to ``now``, in time order, each followed by what Webitel
        would do at that moment (license checks, offers)."""
        cc = self.cc
        while True:
            due = self._next_timer(now)
            if due is None:
                break
            at, kind, key = due
            if kind == "ring":
                self._missed(self.calls[key], at)
            else:
                cc.set_channel(cc.agents[key], WAITING, at)
            cc.enforce_licenses(at)
            self.dispatch(at)
        cc.enforce_licenses(now)

    def _next_timer(self, now: int) -> tuple[int, str, int] | None:
        best = None
        for agent_id, timeout in self.cc.timers.items():
            if timeout <= now and (best is None or (timeout, "channel", agent_id) < best):
                best = (timeout, "channel", agent_id)
        for call_id in self.ringing:
            ring = self.calls[call_id].ring_until
            if ring <= now and (best is None or (ring, "ring", call_id) < best):
                best = (ring, "ring", call_id)
        return best

    # -- queue lifecycle --------------------------------------------------------------------------
    def drop_queue(self, queue_id: int, at: int) -> None:
        """A deleted queue's calls end (its members cascade away in Webitel)."""
        for call in list(self.calls.values()):
            if call.queue_id == queue_id and call.state != CALL_ENDED:
                self.end(call, at)

    def counts(self, queue_id: int) -> tuple[int, int]:
        """(waiting, active) calls of a queue; active = offering or bridged."""
        waiting = sum(1 for i in self.waiting if self.calls[i].queue_id == queue_id)
        active = sum(1 for c in self.calls.values()
                     if c.queue_id == queue_id and c.state in (CALL_OFFERING, CALL_ACTIVE))
        return waiting, active

    # -- wire -------------------------------------------------------------------------------------
    def wire(self, call: Call, *, brief: bool = False) -> dict:
        agent = self.cc.agents.get(call.agent_id) if call.agent_id is not None else None
        out = {"id": str(call.id), "state": call.state}
        if agent is not None:
            out["agent"] = {"id": str(agent.id), "user_id": str(agent.user_id)}
        if brief:
            return out
        queue = self.cc.queues.get(call.queue_id)
        return {**out, **wire.compact({
            "queue": wire.ref(call.queue_id, queue.name if queue else None),
            "from": call.from_number, "bucket_id": wire.i64(call.bucket_id),
            "created_at": wire.i64(call.created_at), "offered_at": wire.i64(call.offered_at),
            "ring_until": wire.i64(call.ring_until), "answered_at": wire.i64(call.answered_at),
            "ended_at": wire.i64(call.ended_at), "missed_by": [str(a) for a in call.missed_by],
        })}


# -- the whole world: finding a call or a queue across domains, and the clock ------------------
def switchboard_of_queue(world: World, queue_id: int) -> Switchboard:
    for domain in world.domains.values():
        if queue_id in domain.call_center.queues:
            return domain.call_center.switchboard
    raise not_found(E_CALL_QUEUE, f"queue: id={queue_id} not found")


def find_call(world: World, call_id: int) -> tuple[Switchboard, Call]:
    for domain in world.domains.values():
        board = domain.call_center.switchboard
        if call_id in board.calls:
            domain.call_center.catch_up()
            return board, board.calls[call_id]
    raise not_found(E_CALL_NOT_FOUND, f"call: id={call_id} not found")


def all_calls(world: World) -> list[dict]:
    out = []
    for domain in world.domains.values():
        domain.call_center.catch_up()
        board = domain.call_center.switchboard
        out.extend(board.wire(c) for c in board.calls.values())
    return sorted(out, key=lambda c: int(c["id"]))


def parse_call_request(body: dict) -> tuple[int, str, int | None]:
    """``{"queue_id", "from"?, "bucket_id"?}`` of ``POST /__emulator__/calls``."""
    if body.get("queue_id") in (None, ""):
        raise bad_request(E_CALL_QUEUE, "queue_id is required")
    queue_id = wire.parse_int64(body["queue_id"], "queue_id")
    bucket = body.get("bucket_id")
    bucket_id = wire.parse_int64(bucket, "bucket_id") if bucket not in (None, "") else None
    return queue_id, wire.parse_str(body.get("from"), "from"), bucket_id


def advance_clock(world: World, seconds: object) -> int:
    """Move the emulator's clock forward and let every domain's timers run; the new time (unix ms)."""
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
        raise bad_request(E_CLOCK, f"advance_s must be a number of seconds >= 0, got {seconds!r}")
    world.clock.advance(seconds)
    for domain in world.domains.values():
        domain.call_center.catch_up()
    return world.clock.now_ms()
