"""The switchboard: simulated calls and the runtime of routing (``webitel-api.md`` §3).

A call enters a queue and is offered to the agent routing picks (``routing.pick``), or waits. The
offered agent answers, lets it ring out (a miss), or the call ends (hangup). Webitel's rules after
an offer (``webitel/call_center: queue/team.go``):

- a miss puts the call back to waiting, counts a no-answer, parks the agent's channel in
  ``missed`` for the team's ``no_answer_delay_time``, and sets the agent ``break_out`` once its
  no-answers reach the team's ``max_no_answer``; a call ringing longer than the team's
  ``call_timeout`` (when set) is missed on its own when the clock passes that;
- a hangup after an answer parks the channel in ``wrap_time`` for the team's ``wrap_up_time``,
  then the agent waits again and the oldest waiting call is offered.

The switchboard keeps the set of free agents (online, waiting, no call) and the agents' timers; it
offers waiting calls after every change of the call center (``call_center.changed``) and runs the
timers that fell due before each call-center request (``catch_up``). Agent status changes
(``PATCH /agents/{id}/status``), presence and license rules that log agents out live here too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..directory.users import User, Users
from ..errors import PERMISSION_DENIED, WebitelError, bad_request, forbidden, internal, not_found
from ..state import Domain, dump_section
from ..store import Store, on
from . import routing
from .agent_skills import AgentSkills
from .agents import (
    BREAK_OUT,
    BRIDGED,
    E_LICENSE_CC,
    MISSED,
    OFFERING,
    OFFLINE,
    ONLINE,
    PAUSE,
    WAITING,
    WRAP_TIME,
    Agent,
    Agents,
)
from .queue_skills import QueueSkills
from .queues import INBOUND_QUEUE, Queue, Queues
from .teams import Teams

CALL_WAITING, CALL_OFFERING, CALL_ACTIVE, CALL_ENDED = "waiting", "offering", "active", "ended"
SETTABLE_STATUSES = (ONLINE, PAUSE, OFFLINE)
NO_CC_LICENSE = "system/no_cc_license"  # the payload call_center gives an agent it logs out for that
REACHABLE = ("sip", "web")  # the presences cc_agent_set_login accepts (push sessions: not emulated)

E_AGENT_STATUS = "grpc.agent.update_status"
E_AGENT_ONLINE = "store.sql_agent.set_online.app_error"
E_CALL_NOT_FOUND = "emulator.call.not_found"
E_CALL_STATE = "emulator.call.state"
E_CALL_QUEUE = "emulator.call.queue"


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


def reachable(user: User) -> bool:
    return any(p.strip() in REACHABLE for p in user.presence.split(","))


class Switchboard(Store):
    """The calls of one domain's call center, and the routing state they need."""

    def __init__(self, domain: Any) -> None:
        super().__init__(domain)
        self.calls: dict[int, Call] = {}
        self.waiting: set[int] = set()
        self.ringing: set[int] = set()  # offered calls that ring out on their own (ring_until set)
        self.free: set[int] = set()  # agents online, waiting, without a call
        self.logged_in: set[int] = set()  # agents whose status is not offline (license checks look at these only)
        self.timers: dict[int, int] = {}  # agent id -> unix ms its wrap_time / missed state ends
        self.cursors: dict[int, int] = {}  # round-robin: team id (or -queue id) -> agent last offered

    @property
    def agents(self) -> Agents:
        return self.domain.store(Agents)

    # -- agents' runtime ---------------------------------------------------------------------------
    def set_channel(self, agent: Agent, state: str, at: int, *, timeout: int = 0, call_id: int | None = None) -> None:
        agent.channel_state, agent.channel_joined_at, agent.channel_timeout = state, at, timeout
        agent.call_id = call_id
        if state == WAITING:
            agent.idle_since = at
        if timeout:
            self.timers[agent.id] = timeout
        else:
            self.timers.pop(agent.id, None)
        self.refresh(agent)

    def set_status(self, agent: Agent, status: str, at: int, payload: str = "") -> None:
        if status != agent.status or payload != agent.status_payload:
            self.domain.emit("agent.status", agent, status, payload, at)  # pause causes count the time
        if status == ONLINE and agent.status != ONLINE:
            # cc_agent_set_login: the no-answer count starts over, and a channel without a call waits.
            agent.no_answers = 0
            if agent.call_id is None:
                self.set_channel(agent, WAITING, at)
        if agent.status != status:
            agent.last_status_change = at
        agent.status, agent.status_payload = status, payload
        if status == OFFLINE:
            self.logged_in.discard(agent.id)
        else:
            self.logged_in.add(agent.id)
        self.refresh(agent)

    def refresh(self, agent: Agent) -> None:
        if routing.is_free(agent):
            self.free.add(agent.id)
        else:
            self.free.discard(agent.id)

    def change_status(self, agent_id: int, status: str, payload: str, *, user_id: int, admin: bool) -> Agent:
        """``PATCH /agents/{id}/status``: online, pause (with a cause in ``payload``) or offline."""
        agent = self.agents.get(agent_id)
        if not admin and agent.user_id != user_id:  # an agent may change its own status only
            raise forbidden(PERMISSION_DENIED, f"userId={user_id}, permission=cc_agent access=update")
        status = status.strip()
        if status not in SETTABLE_STATUSES:
            raise bad_request(E_AGENT_STATUS, f"not found status {status}")
        now = self.now()
        if status == ONLINE and agent.status != ONLINE:
            if not self.agents.licensed(agent.user_id, now):
                raise forbidden(E_LICENSE_CC, 'Not found "CALL_CENTER" license')
            user = self.domain.store(Users).find(agent.user_id)
            if user is None or not reachable(user):
                raise internal(E_AGENT_ONLINE, f"AgenetId={agent.id}, Status=online, pq: not found: sip, web or pn")
        if status == PAUSE:  # the cause must be the domain's (pause_causes.py)
            self.domain.emit("agent.pausing", agent, payload, agent.user_id == user_id and not admin)
        self.set_status(agent, status, now, payload if status == PAUSE else "")
        self.dispatch(now)
        return agent

    def enforce_licenses(self, at: int, agents: list[Agent] | None = None) -> None:
        """An agent who is not offline and no longer holds a valid CALL_CENTER license is logged
        out (call_center agent_store.go ``OnlineWithOutActive``, agent_manager ``changeDeadlineState``)."""
        rows = self.agents.rows
        for agent in [rows[i] for i in sorted(self.logged_in) if i in rows] if agents is None else agents:
            if agent.status != OFFLINE and not self.agents.licensed(agent.user_id, at):
                self.set_status(agent, OFFLINE, at, NO_CC_LICENSE)

    @on("user.saved")
    def _user_saved(self, change: Any) -> None:
        agent = self.agents.of(change.user.id)
        if agent is not None:
            self.enforce_licenses(self.now(), [agent])

    @on("presence.changed")
    def _presence(self, user: User) -> None:
        """An online (or broken out) agent whose phone went away is logged out, as call_center's
        ``OnlineWithOutActive`` does for agents without a sip/web presence."""
        agent = self.agents.of(user.id)
        if agent is not None and agent.status in (ONLINE, BREAK_OUT) and not reachable(user):
            self.set_status(agent, OFFLINE, self.now())
        self.dispatch(self.now())

    @on("agent.saved")
    def _agent_saved(self, agent: Agent) -> None:
        self.refresh(agent)

    @on("agent.deleted")
    def _agent_deleted(self, agent: Agent) -> None:
        self.free.discard(agent.id)
        self.logged_in.discard(agent.id)
        self.timers.pop(agent.id, None)

    @on("queue.deleted")
    def _queue_deleted(self, queue: Queue) -> None:
        """A deleted queue's calls end (its members cascade away in Webitel)."""
        now = self.now()
        for call in list(self.calls.values()):
            if call.queue_id == queue.id and call.state != CALL_ENDED:
                self.end(call, now)
        self.cursors.pop(-queue.id, None)

    # -- the control plane's verbs -----------------------------------------------------------------
    def enqueue(self, queue_id: int, from_number: str = "", bucket_id: int | None = None) -> Call:
        self.catch_up()
        queue = self.domain.store(Queues).find(queue_id)
        if queue is None:
            raise not_found(E_CALL_QUEUE, f"queue: id={queue_id} not found")
        # The exceptions of cc_distribute_inbound_call_to_queue (webitel-api.md §3).
        if queue.type != INBOUND_QUEUE:
            raise bad_request(E_CALL_QUEUE, f"queue not inbound: id={queue_id} has type {queue.type}")
        if not queue.enabled:
            raise bad_request(E_CALL_QUEUE, f"queue disabled: id={queue_id}")
        call = Call(id=self.world.next_id("call"), queue_id=queue_id, from_number=from_number,
                    bucket_id=bucket_id, created_at=self.now())
        self.calls[call.id] = call
        self.waiting.add(call.id)
        self.dispatch(self.now())
        return call

    def get(self, call_id: int) -> Call:
        call = self.calls.get(call_id)
        if call is None:
            raise not_found(E_CALL_NOT_FOUND, f"call: id={call_id} not found")
        return call

    def answer(self, call_id: int) -> Call:
        call = self._in_state(call_id, CALL_OFFERING, "answer")
        now = self.now()
        agent = self.agents.get(call.agent_id)  # type: ignore[arg-type]
        call.state, call.answered_at, call.ring_until = CALL_ACTIVE, now, 0
        self.ringing.discard(call.id)
        agent.no_answers = 0
        agent.calls_answered += 1
        self.set_channel(agent, BRIDGED, now, call_id=call.id)
        self.dispatch(now)
        return call

    def miss(self, call_id: int) -> Call:
        call = self._in_state(call_id, CALL_OFFERING, "miss")
        self._missed(call, self.now())
        self.dispatch(self.now())
        return call

    def hangup(self, call_id: int) -> Call:
        call = self._in_state(call_id, (CALL_WAITING, CALL_OFFERING, CALL_ACTIVE), "hang up")
        self.end(call, self.now())
        self.dispatch(self.now())
        return call

    def _in_state(self, call_id: int, states: str | tuple[str, ...], verb: str) -> Call:
        self.catch_up()
        call = self.get(call_id)
        allowed = (states,) if isinstance(states, str) else states
        if call.state not in allowed:
            raise WebitelError(409, E_CALL_STATE, f"call: id={call_id} is {call.state}: cannot {verb} it")
        return call

    # -- rules -------------------------------------------------------------------------------------
    def end(self, call: Call, at: int) -> None:
        """The call is over: a waiting caller hung up, a ringing agent stops ringing, a bridged
        agent goes to wrap-up."""
        agent = self.agents.find(call.agent_id)
        previous = call.state
        call.state, call.ended_at, call.ring_until = CALL_ENDED, at, 0
        self.waiting.discard(call.id)
        self.ringing.discard(call.id)
        if agent is None:
            return
        if previous == CALL_ACTIVE:
            agent.last_bridge_end = at
            wrap_up = self.domain.store(Teams).setting(agent.team_id, "wrap_up_time")
            self.set_channel(agent, WRAP_TIME if wrap_up else WAITING, at,
                             timeout=at + wrap_up * 1000 if wrap_up else 0)
        else:
            self.set_channel(agent, WAITING, at)

    def _missed(self, call: Call, at: int) -> None:
        agent = self.agents.get(call.agent_id)  # type: ignore[arg-type]
        teams = self.domain.store(Teams)
        call.state, call.agent_id, call.ring_until = CALL_WAITING, None, 0
        call.missed_by.append(agent.id)
        self.waiting.add(call.id)
        self.ringing.discard(call.id)
        agent.no_answers += 1
        delay = teams.setting(agent.team_id, "no_answer_delay_time")
        self.set_channel(agent, MISSED if delay else WAITING, at, timeout=at + delay * 1000 if delay else 0)
        # ">=" as call_center's queue/team.go has it: with max_no_answer 0 the first miss breaks out.
        if agent.no_answers >= teams.setting(agent.team_id, "max_no_answer"):
            self.set_status(agent, BREAK_OUT, at)

    def _offer(self, call: Call, agent: Agent, queue: Queue, at: int) -> None:
        ring = self.domain.store(Teams).setting(agent.team_id, "call_timeout")
        call.state, call.agent_id, call.offered_at = CALL_OFFERING, agent.id, at
        call.ring_until = at + ring * 1000 if ring else 0
        call.offers += 1
        self.waiting.discard(call.id)
        if call.ring_until:
            self.ringing.add(call.id)
        self.set_channel(agent, OFFERING, at, call_id=call.id)
        self.cursors[self._cursor_key(queue)] = agent.id

    @staticmethod
    def _cursor_key(queue: Queue) -> int:
        return queue.team_id if queue.team_id is not None else -queue.id

    def ask(self, queue: Queue, call: Call) -> routing.Ask:
        team = self.domain.store(Teams).find(queue.team_id)
        return routing.ask_for(
            queue.team_id, self.domain.store(QueueSkills).of(queue.id), call.bucket_id,
            strategy=team.strategy if team else routing.DEFAULT_STRATEGY,
            seed=call.id * 1_000_003 + call.offers,  # repeatable, and a new draw after each miss
            cursor=self.cursors.get(self._cursor_key(queue), 0))

    def serves(self, agent: Agent, queue: Queue, bucket_id: int | None = None) -> bool:
        """The agent is eligible for the queue (team and an enabled skill in range), whatever its status."""
        ask = routing.ask_for(queue.team_id, self.domain.store(QueueSkills).of(queue.id), bucket_id)
        rows = self.domain.store(AgentSkills).of(agent.id).values()
        return queue.enabled and routing.eligible(agent, rows, ask)  # type: ignore[arg-type]

    @on("call_center.changed")
    def _changed(self) -> None:
        self.dispatch(self.now())

    def dispatch(self, at: int) -> None:
        """Offer waiting calls to free eligible agents: queues by priority, oldest call first."""
        if not self.waiting or not self.free:
            return
        queues, agents = self.domain.store(Queues), self.agents
        index = self.domain.store(AgentSkills).index
        calls = [self.calls[i] for i in self.waiting]
        calls.sort(key=lambda c: routing.waiting_order(queues.rows[c.queue_id].priority,
                                                       queues.rows[c.queue_id].strategy, c.created_at, c.id))
        for call in calls:
            if not self.free:
                break
            queue = queues.rows[call.queue_id]
            if not queue.enabled:
                continue
            agent_id = routing.pick(index, self.free, agents.rows, self.ask(queue, call))
            if agent_id is not None:
                self._offer(call, agents.rows[agent_id], queue, at)

    @on("catch_up")
    def catch_up(self) -> None:
        """Run the timers that fell due up to now, in time order, each followed by what Webitel
        would do at that moment (license checks, offers)."""
        now = self.now()
        while True:
            due = self._next_timer(now)
            if due is None:
                break
            at, kind, key = due
            if kind == "ring":
                self._missed(self.calls[key], at)
            else:
                self.set_channel(self.agents.rows[key], WAITING, at)
            self.enforce_licenses(at)
            self.dispatch(at)
        self.enforce_licenses(now)

    def _next_timer(self, now: int) -> tuple[int, str, int] | None:
        best = None
        for agent_id, timeout in self.timers.items():
            if timeout <= now and (best is None or (timeout, "channel", agent_id) < best):
                best = (timeout, "channel", agent_id)
        for call_id in self.ringing:
            ring = self.calls[call_id].ring_until
            if ring <= now and (best is None or (ring, "ring", call_id) < best):
                best = (ring, "ring", call_id)
        return best

    def counts(self, queue_id: int) -> tuple[int, int]:
        """(waiting, active) calls of a queue; active = offering or bridged."""
        waiting = sum(1 for i in self.waiting if self.calls[i].queue_id == queue_id)
        active = sum(1 for c in self.calls.values()
                     if c.queue_id == queue_id and c.state in (CALL_OFFERING, CALL_ACTIVE))
        return waiting, active

    def wire(self, call: Call, *, brief: bool = False) -> dict:
        agent = self.agents.find(call.agent_id)
        out: dict[str, Any] = {"id": str(call.id), "state": call.state}
        if agent is not None:
            out["agent"] = {"id": str(agent.id), "user_id": str(agent.user_id)}
        if brief:
            return out
        queue = self.domain.store(Queues).find(call.queue_id)
        extra = {"queue": {"id": str(call.queue_id), **({"name": queue.name} if queue and queue.name else {})},
                 "from": call.from_number, "bucket_id": str(call.bucket_id) if call.bucket_id else "",
                 "created_at": call.created_at, "offered_at": call.offered_at, "ring_until": call.ring_until,
                 "answered_at": call.answered_at, "ended_at": call.ended_at,
                 "missed_by": [str(a) for a in call.missed_by]}
        return {**out, **{k: (str(v) if isinstance(v, int) else v) for k, v in extra.items() if v}}


@dump_section("call_center.calls", order=170)
def _dump(domain: Domain) -> list[dict]:
    board = domain.store(Switchboard)
    return [board.wire(c) for c in board.calls.values()]
