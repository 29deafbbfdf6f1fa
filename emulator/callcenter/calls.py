"""The switchboard: every call of a domain and the runtime of routing (``docs/call-center.md``).

One model of a call serves the control plane (``/__emulator__/calls``), the engine's
``CallService`` (active calls and call history) and ``MemberService`` (a call through a queue is
that queue's *attempt*, with the same id). A call is inbound (a caller enters a queue), outbound
(the dialer calls a member of an outbound queue, ``dialer.py``), or outside any queue (a user's
own call, ``POST /calls``). Its ``state``: ``waiting`` (for an agent), ``offering`` (an agent's
phone rings; for an outbound call, the member's), ``active`` (bridged) and ``ended``.

Webitel's rules after an offer (``webitel/call_center: queue/team.go``, ``cc_attempt_leaving``):

- an inbound miss puts the call back to waiting, counts a no-answer, parks the agent's channel in
  ``missed`` for the team's ``no_answer_delay_time``, and sets the agent ``break_out`` once its
  no-answers reach the team's ``max_no_answer``; a call ringing longer than the team's
  ``call_timeout`` is missed on its own when the clock passes that. An outbound call nobody
  answers ends (``abandoned``) and the agent waits again;
- a bridged call's end parks the agent in ``processing`` while the queue asks agents to report
  the attempt's result (``processing``, ``task_processing``), then in ``wrap_time`` for the
  team's ``wrap_up_time``, then the agent waits and the oldest waiting call is offered;
- when a queue's attempt is over, its member learns the result (``Members.settle``).

The switchboard keeps the set of free agents (online, waiting, no call) and the agents' timers;
it offers waiting calls and dials members after every change of the call center
(``call_center.changed``) and runs the timers that fell due before each call-center request
(``catch_up``). Agent status changes (``PATCH /agents/{id}/status``), presence and license rules
that log agents out live here too; every change of an agent's status or channel is written to
its state history (``agent_states.py``). Every change of a call on a user's phone (offered,
answered, rang out, ended) is announced as ``call.changed`` (the WebSocket's call events).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..directory.users import User, Users
from ..errors import PERMISSION_DENIED, WebitelError, bad_request, forbidden, internal, not_found
from ..state import Domain, dump_records
from ..store import Store, on
from . import dialer, routing
from .agent_skills import AgentSkills
from .agent_states import CALL_CHANNEL, STATUS_CHANNEL, AgentStates
from .agents import (
    BREAK_OUT,
    BRIDGED,
    E_LICENSE_CC,
    MISSED,
    OFFERING,
    OFFLINE,
    ONLINE,
    PAUSE,
    PROCESSING,
    WAITING,
    WRAP_TIME,
    Agent,
    Agents,
)
from .members import Member, Members
from .queue_skills import QueueSkills
from .queues import INBOUND_QUEUE, Queue, Queues
from .teams import Teams

CALL_WAITING, CALL_OFFERING, CALL_ACTIVE, CALL_ENDED = "waiting", "offering", "active", "ended"
INBOUND, OUTBOUND = "inbound", "outbound"
SETTABLE_STATUSES = (ONLINE, PAUSE, OFFLINE)
NO_CC_LICENSE = "system/no_cc_license"  # the payload call_center gives an agent it logs out for that
REACHABLE = ("sip", "web")  # the presences cc_agent_set_login accepts (push sessions: not emulated)
NORMAL_CLEARING = "NORMAL_CLEARING"
SUCCESS, ABANDONED, TIMEOUT, CANCELED_BY_TIMEOUT = "success", "abandoned", "timeout", "canceled_by_timeout"

E_AGENT_STATUS = "grpc.agent.update_status"
E_AGENT_ONLINE = "store.sql_agent.set_online.app_error"
E_AGENT_WAITING = "app.agent.waiting.app_err"
E_CALL_NOT_FOUND = "emulator.call.not_found"
E_CALL_STATE = "emulator.call.state"
E_CALL_QUEUE = "emulator.call.queue"


@dataclass
class Call:
    id: int
    queue_id: int | None  # None: a call outside any queue (POST /calls)
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
    missed_at: list[int] = field(default_factory=list)  # when each of missed_by let it ring out
    offered: list[int] = field(default_factory=list)  # every agent it was offered to, in order
    direction: str = INBOUND
    destination: str = ""  # the number called (an outbound attempt's, a user's own call's)
    from_name: str = ""
    member_id: int | None = None
    communication: int = -1  # the index of the member's number called
    user_id: int | None = None  # the user on the call: the agent's, or whoever made it
    team_id: int | None = None  # the agent's team when it was offered
    parent_id: int | None = None  # the call an eavesdropping call listens to
    hold_since: int = 0
    holds: list[tuple[int, int]] = field(default_factory=list)
    variables: dict[str, str] = field(default_factory=dict)
    dtmf: str = ""
    cause: str = ""  # the hangup cause
    transfer_to: str = ""  # where a blind transfer sent it
    result: str = ""  # the attempt's result, once it is over
    processing_until: int = 0  # unix ms the agent's report of the attempt is awaited until; 0 = none
    reported_at: int = 0
    description: str = ""
    hide_missed: bool = False

    @property
    def hold_ms(self) -> int:
        return sum(stop - start for start, stop in self.holds)

    @property
    def attempt_over(self) -> bool:
        return self.state == CALL_ENDED and not self.processing_until


def reachable(user: User) -> bool:
    return any(p.strip() in REACHABLE for p in user.presence.split(","))


class Switchboard(Store):
    """The calls of one domain's call center, and the routing state they need."""

    def __init__(self, domain: Any) -> None:
        super().__init__(domain)
        self.calls: dict[int, Call] = {}
        self.live: set[int] = set()  # calls not ended
        self.processing: set[int] = set()  # ended calls whose attempt awaits its report
        self.waiting: set[int] = set()
        self.ringing: set[int] = set()  # offered calls that ring out on their own (ring_until set)
        self.free: set[int] = set()  # agents online, waiting, without a call
        self.logged_in: set[int] = set()  # agents whose status is not offline (license checks look at these only)
        self.timers: dict[int, int] = {}  # agent id -> unix ms its wrap_time / missed / processing state ends
        self.cursors: dict[int, int] = {}  # round-robin: team id (or -queue id) -> agent last offered
        self.of_member: dict[int, list[int]] = {}  # member id -> its attempts (call ids), oldest first
        self.children: dict[int, list[int]] = {}  # call id -> the calls listening in on it
        self.next_dial_at = dialer.NEVER  # when the clock alone may let the dialer dial again

    @property
    def agents(self) -> Agents:
        return self.domain.store(Agents)

    @property
    def history(self) -> AgentStates:
        return self.domain.store(AgentStates)

    # -- agents' runtime ---------------------------------------------------------------------------
    def _started(self, agent: Agent) -> None:
        """An agent's history begins offline and waiting, when the agent was made."""
        if (agent.id, STATUS_CHANNEL) not in self.history.current:
            self.history.record(agent.id, STATUS_CHANNEL, OFFLINE, agent.created_at)
            self.history.record(agent.id, CALL_CHANNEL, WAITING, agent.created_at)

    def set_channel(self, agent: Agent, state: str, at: int, *, timeout: int = 0, call_id: int | None = None) -> None:
        agent.channel_state, agent.channel_joined_at, agent.channel_timeout = state, at, timeout
        agent.call_id = call_id
        if state == WAITING:
            agent.idle_since = at
        if timeout:
            self.timers[agent.id] = timeout
        else:
            self.timers.pop(agent.id, None)
        self._started(agent)
        call = self.calls.get(call_id) if call_id is not None else None
        self.history.record(agent.id, CALL_CHANNEL, state, at, queue_id=call.queue_id if call else None)
        self.refresh(agent)

    def set_status(self, agent: Agent, status: str, at: int, payload: str = "") -> None:
        self._started(agent)
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
        self.history.record(agent.id, STATUS_CHANNEL, status, at, payload=payload)
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

    def waiting_channel(self, agent_id: int, channel: str) -> int:
        """call_center's ``cc_agent_set_channel_waiting``: the agent's ``channel`` in wrap-up or a
        missed-call pause waits again at once; refused while the agent holds an attempt on it, or
        when the channel is in no such state (or is not one the agent has). Answers the unix ms
        the channel began waiting. The engine answers every refusal as 400 ``app.agent.waiting.app_err``."""
        agent = self.agents.find(agent_id)
        if agent is None:
            raise bad_request(E_AGENT_WAITING, f"store.sql_agent.get.app_error: Id={agent_id}, sql: no rows in result "
                                               "set")
        call = self.calls.get(agent.call_id) if agent.call_id is not None else None
        if channel == CALL_CHANNEL and call is not None and call.queue_id is not None:
            raise bad_request(E_AGENT_WAITING, f"store.sql_agent.waiting_channel.app_error: agent {agent_id} has task "
                                               f"{call.id} in the status of {agent.channel_state}")
        if channel != CALL_CHANNEL or agent.channel_state not in (WRAP_TIME, MISSED):
            raise bad_request(E_AGENT_WAITING, f"store.sql_agent.waiting_channel.app_error: AgenetId={agent_id}, "
                                               f"Channel={channel} not allowed")
        now = self.now()
        self.set_channel(agent, WAITING, now)
        self.dispatch(now)
        return now

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
        for call_id in sorted(self.live):
            call = self.calls[call_id]
            if call.queue_id == queue.id:
                self.end(call, now)
        for call_id in sorted(self.processing):
            if self.calls[call_id].queue_id == queue.id:
                self.finish_processing(self.calls[call_id], self.calls[call_id].result or SUCCESS, now)
        self.cursors.pop(-queue.id, None)

    @on("member.cancelled")
    def _member_cancelled(self, member: Member) -> None:
        """A member patched to ``stop_cause: cancel`` ends its attempt in progress (CancelAttempt)."""
        call = self.calls.get(member.attempt_id) if member.attempt_id is not None else None
        if call is not None and call.state != CALL_ENDED:
            self.end(call, self.now(), result="cancel")

    # -- calls -------------------------------------------------------------------------------------
    def new_call(self, queue_id: int | None, *, at: int | None = None, **attributes: Any) -> Call:
        call = Call(id=self.world.next_id("call"), queue_id=queue_id, created_at=self.now() if at is None else at,
                    **attributes)
        self.calls[call.id] = call
        self.live.add(call.id)
        if call.member_id is not None:
            self.of_member.setdefault(call.member_id, []).append(call.id)
        if call.parent_id is not None:
            self.children.setdefault(call.parent_id, []).append(call.id)
        return call

    def enqueue(self, queue_id: int, from_number: str = "", bucket_id: int | None = None) -> Call:
        self.catch_up()
        queue = self.domain.store(Queues).find(queue_id)
        if queue is None:
            raise not_found(E_CALL_QUEUE, f"queue: id={queue_id} not found")
        # The exceptions of cc_distribute_inbound_call_to_queue (docs/call-center.md).
        if queue.type != INBOUND_QUEUE:
            raise bad_request(E_CALL_QUEUE, f"queue not inbound: id={queue_id} has type {queue.type}")
        if not queue.enabled:
            raise bad_request(E_CALL_QUEUE, f"queue disabled: id={queue_id}")
        if not self.domain.store(Queues).open_at(queue, self.now()):
            raise bad_request(E_CALL_QUEUE, f"number {from_number} calendar not working [{queue.calendar_id}]: "
                                            f"queue id={queue_id} is outside its calendar's hours")
        call = self.new_call(queue_id, from_number=from_number, bucket_id=bucket_id)
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
        self.domain.emit("call.changed", call, call.user_id, now)
        self.dispatch(now)
        return call

    def miss(self, call_id: int) -> Call:
        call = self._in_state(call_id, CALL_OFFERING, "miss")
        self._ring_out(call, self.now())
        self.dispatch(self.now())
        return call

    def hangup(self, call_id: int, cause: str = "") -> Call:
        call = self._in_state(call_id, (CALL_WAITING, CALL_OFFERING, CALL_ACTIVE), "hang up")
        self.end(call, self.now(), cause=cause)
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
    def end(self, call: Call, at: int, *, cause: str = "", result: str = "", process: bool = True) -> None:
        """The call is over: a waiting caller hung up, a ringing phone stops ringing, a bridged
        agent goes to processing (unless ``process`` is false or the attempt was cancelled) or
        wrap-up; the attempt's member learns the result."""
        agent = self.agents.find(call.agent_id) if call.queue_id is not None else self.agents.of(call.user_id or 0)
        previous = call.state
        call.state, call.ended_at, call.ring_until = CALL_ENDED, at, 0
        call.cause = cause or call.cause or NORMAL_CLEARING
        if call.hold_since:
            call.holds.append((call.hold_since, at))
            call.hold_since = 0
        for discard in (self.live, self.waiting, self.ringing):
            discard.discard(call.id)
        for child in [self.calls[i] for i in self.children.get(call.id, ()) if i in self.live]:
            self.end(child, at)  # an eavesdropper's call ends with the call it listens to
        result = result or (SUCCESS if previous == CALL_ACTIVE else ABANDONED)
        if previous in (CALL_OFFERING, CALL_ACTIVE):  # a phone was ringing or talking: it hangs up
            self.domain.emit("call.changed", call, call.user_id, at)
        if agent is not None and agent.call_id == call.id:
            if call.queue_id is None:  # the user's own call: the agent's channel was never taken
                agent.call_id = None
                self.refresh(agent)
            elif previous == CALL_ACTIVE:
                agent.last_bridge_end = at
                queue = self.domain.store(Queues).find(call.queue_id)
                enabled, seconds, _renewal = queue.processing_window() if queue else (False, 0, 0)
                if enabled and process and result != "cancel":
                    call.processing_until = at + seconds * 1000
                    call.result = result
                    self.processing.add(call.id)
                    self.set_channel(agent, PROCESSING, at, timeout=call.processing_until, call_id=call.id)
                    return
                self._wrap_up(agent, at)
            else:
                self.set_channel(agent, WAITING, at)
        self._settle(call, result, at)

    def _wrap_up(self, agent: Agent, at: int) -> None:
        wrap_up = self.domain.store(Teams).setting(agent.team_id, "wrap_up_time")
        self.set_channel(agent, WRAP_TIME if wrap_up else WAITING, at, timeout=at + wrap_up * 1000 if wrap_up else 0)

    def _settle(self, call: Call, result: str, at: int, **report: Any) -> None:
        """The attempt is over: its result, and its member's (``cc_attempt_leaving``)."""
        call.result = result
        members = self.domain.store(Members)
        member = members.find(call.member_id)
        queue = self.domain.store(Queues).find(call.queue_id)
        if member is not None and member.attempt_id == call.id:
            params: dict[str, Any] = {"max_attempts": queue.setting("max_attempts") if queue else 0,
                                      "wait_between_retries": queue.setting("wait_between_retries") if queue else 0,
                                      **report}
            members.settle(member, result, at, communication=call.communication, **params)

    def finish_processing(self, call: Call, result: str, at: int, **report: Any) -> None:
        """The attempt's processing ends (the agent reported it, or its time ran out): the agent
        goes to wrap-up, the member learns the result."""
        call.processing_until = 0
        self.processing.discard(call.id)
        agent = self.agents.find(call.agent_id)
        if agent is not None and agent.call_id == call.id:
            self._wrap_up(agent, at)
        self._settle(call, result, at, **report)

    def _ring_out(self, call: Call, at: int) -> None:
        """Nobody answered the offer: an inbound call waits again and its agent missed it; an
        outbound call is over (the member did not answer) and its agent waits again."""
        if call.direction == OUTBOUND:
            self.end(call, at, cause="NO_ANSWER", result=ABANDONED)
            return
        agent = self.agents.get(call.agent_id)  # type: ignore[arg-type]
        teams = self.domain.store(Teams)
        call.state, call.agent_id, call.ring_until = CALL_WAITING, None, 0
        call.missed_by.append(agent.id)
        call.missed_at.append(at)
        self.waiting.add(call.id)
        self.ringing.discard(call.id)
        agent.no_answers += 1
        self.domain.emit("call.changed", call, agent.user_id, at)  # the agent's phone stops ringing
        delay = teams.setting(agent.team_id, "no_answer_delay_time")
        self.set_channel(agent, MISSED if delay else WAITING, at, timeout=at + delay * 1000 if delay else 0)
        # ">=" as call_center's queue/team.go has it: with max_no_answer 0 the first miss breaks out.
        if agent.no_answers >= teams.setting(agent.team_id, "max_no_answer"):
            self.set_status(agent, BREAK_OUT, at)

    def offer(self, call: Call, agent: Agent, queue: Queue, at: int) -> None:
        ring = self.domain.store(Teams).setting(agent.team_id, "call_timeout")
        call.state, call.agent_id, call.offered_at = CALL_OFFERING, agent.id, at
        call.user_id, call.team_id = agent.user_id, agent.team_id
        call.ring_until = at + ring * 1000 if ring else 0
        call.offers += 1
        call.offered.append(agent.id)
        self.waiting.discard(call.id)
        if call.ring_until:
            self.ringing.add(call.id)
        self.set_channel(agent, OFFERING, at, call_id=call.id)
        self.domain.emit("call.changed", call, call.user_id, at)
        self.cursors[self._cursor_key(queue)] = agent.id

    @staticmethod
    def _cursor_key(queue: Queue) -> int:
        return queue.team_id if queue.team_id is not None else -queue.id

    def ask(self, queue: Queue, call_id: int, offers: int, bucket_id: int | None,
            skill_id: int | None = None) -> routing.Ask:
        team = self.domain.store(Teams).find(queue.team_id)
        queue_skills = self.domain.store(QueueSkills).of(queue.id)
        if skill_id is not None:  # a member bound to a skill is served by that skill's queue skills only
            queue_skills = [qs for qs in queue_skills if qs.skill_id == skill_id]
        return routing.ask_for(
            queue.team_id, queue_skills, bucket_id,
            strategy=team.strategy if team else routing.DEFAULT_STRATEGY,
            seed=call_id * 1_000_003 + offers,  # repeatable, and a new draw after each miss
            cursor=self.cursors.get(self._cursor_key(queue), 0))

    def pick(self, ask: routing.Ask, only: int | None = None) -> int | None:
        """The free eligible agent routing offers to (``only``: that agent, if it qualifies)."""
        index = self.domain.store(AgentSkills).index
        free = self.free if only is None else self.free & {only}
        return routing.pick(index, free, self.agents.rows, ask)

    def serves(self, agent: Agent, queue: Queue, bucket_id: int | None = None) -> bool:
        """The agent is eligible for the queue (team and an enabled skill in range), whatever its status."""
        ask = routing.ask_for(queue.team_id, self.domain.store(QueueSkills).of(queue.id), bucket_id)
        rows = self.domain.store(AgentSkills).of(agent.id).values()
        return queue.enabled and routing.eligible(agent, rows, ask)  # type: ignore[arg-type]

    @on("call_center.changed")
    def _changed(self) -> None:
        self.dispatch(self.now())

    def dispatch(self, at: int) -> None:
        """Offer waiting calls to free eligible agents (queues by priority, oldest call first),
        then let outbound queues call their members (``dialer.dial``)."""
        if not self.free:
            return
        queues = self.domain.store(Queues)
        if self.waiting:
            calls = [self.calls[i] for i in self.waiting]
            calls.sort(key=lambda c: routing.waiting_order(queues.rows[c.queue_id].priority,  # type: ignore[index]
                                                           queues.rows[c.queue_id].strategy,  # type: ignore[index]
                                                           c.created_at, c.id))
            for call in calls:
                if not self.free:
                    break
                queue = queues.rows[call.queue_id]  # type: ignore[index]
                if not queue.enabled:
                    continue
                agent_id = self.pick(self.ask(queue, call.id, call.offers, call.bucket_id))
                if agent_id is not None:
                    self.offer(call, self.agents.rows[agent_id], queue, at)
        dialer.dial(self, at)

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
                self._ring_out(self.calls[key], at)
            else:
                agent = self.agents.rows[key]
                call = self.calls.get(agent.call_id) if agent.call_id is not None else None
                if agent.channel_state == PROCESSING and call is not None:
                    self.processing_timed_out(call, at)
                else:
                    self.set_channel(agent, WAITING, at)
            self.enforce_licenses(at)
            self.dispatch(at)
        self.enforce_licenses(now)
        if self.free and now >= self.next_dial_at:
            dialer.dial(self, now)  # a calendar opened, or a member's min_offering_at came

    def processing_timed_out(self, call: Call, at: int) -> None:
        """No report came in time (``cc_attempt_timeout``): ``canceled_by_timeout`` when the
        queue makes one attempt only, else ``timeout``."""
        queue = self.domain.store(Queues).find(call.queue_id)
        one_try = queue is not None and queue.setting("max_attempts") == 1
        self.finish_processing(call, CANCELED_BY_TIMEOUT if one_try else TIMEOUT, at)

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
        waiting = active = 0
        for call_id in self.live:
            call = self.calls[call_id]
            if call.queue_id == queue_id:
                if call.state == CALL_WAITING:
                    waiting += 1
                else:
                    active += 1
        return waiting, active

    def wire(self, call: Call, *, brief: bool = False) -> dict:
        """A call as the control plane shows it."""
        agent = self.agents.find(call.agent_id)
        out: dict[str, Any] = {"id": str(call.id), "state": call.state}
        if agent is not None:
            out["agent"] = {"id": str(agent.id), "user_id": str(agent.user_id)}
        if brief:
            return out
        queue = self.domain.store(Queues).find(call.queue_id)
        extra = {"queue": {"id": str(call.queue_id), **({"name": queue.name} if queue and queue.name else {})}
                 if call.queue_id is not None else None,
                 "direction": call.direction, "from": call.from_number, "destination": call.destination,
                 "member_id": str(call.member_id) if call.member_id else "",
                 "user_id": str(call.user_id) if call.user_id else "",
                 "bucket_id": str(call.bucket_id) if call.bucket_id else "",
                 "created_at": call.created_at, "offered_at": call.offered_at, "ring_until": call.ring_until,
                 "answered_at": call.answered_at, "ended_at": call.ended_at,
                 "missed_by": [str(a) for a in call.missed_by], "on_hold": bool(call.hold_since),
                 "hold_ms": call.hold_ms, "dtmf": call.dtmf, "cause": call.cause if call.ended_at else "",
                 "transfer_to": call.transfer_to, "result": call.result,
                 "processing_until": call.processing_until}
        return {**out, **{k: (str(v) if isinstance(v, int) and not isinstance(v, bool) else v)
                          for k, v in extra.items() if v}}


@dump_records("call_center.calls", lambda domain: domain.store(Switchboard).calls.values(), order=170)
def _dump(domain: Domain, c: Call) -> dict:
    return domain.store(Switchboard).wire(c)
