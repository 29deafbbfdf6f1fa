"""Attempts (engine ``MemberService``'s ``/attempts``): a call through a queue seen as the queue's
attempt, with the same id (call_center's ``cc_member_attempt``, history in
``cc_member_attempt_history``). An attempt is active while its call waits, rings or is bridged, and
while its agent is asked to report its result (post-call processing); then it is history, with
its ``result``.

The agent's report (``AttemptResult``, ``AttemptCallback``: ``cc_attempt_end_reporting``) ends
processing: the attempt takes the reported status as its result, the member learns it (stop, or
try again later), the agent goes to wrap-up. ``AttemptsRenewalResult`` gives processing more
time; ``AssignAttempt`` hands a waiting call to a free agent; ``ResetActiveAttempts`` ends attempts
idle for a while (``cc_member_attempt`` rows the call center lost track of).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..errors import bad_request
from ..store import Store, any_ilike
from .agents import Agents
from .calls import CALL_ACTIVE, CALL_ENDED, CALL_OFFERING, CALL_WAITING, Call, Switchboard
from .queues import Queues
from .ranges import within

E_REPORTING = "app.cc_member.reporting.app_err"
E_RENEWAL = "app.cc_member.renewal_attempt.app_err"
E_INTERCEPT = "app.cc_member.intercept.app_err"
E_RESET_IDLE = "store.sql_member.reset_active_call_attempts.check_args.idle.app_error"
# The attempt's state (call_center model/member.go MemberState*) by its call's.
ATTEMPT_STATES = {CALL_WAITING: "wait_agent", CALL_OFFERING: "offering", CALL_ACTIVE: "bridged"}


def attempt_state(call: Call) -> str:
    if call.state == CALL_ENDED:
        return "processing" if call.processing_until else "leaving"
    return ATTEMPT_STATES[call.state]


def last_state_change(call: Call) -> int:
    return max(call.created_at, call.offered_at, call.answered_at, call.ended_at, *call.missed_at)


@dataclass(frozen=True)
class AttemptFilter:
    """``SearchAttemptsRequest``: ids, queues, buckets, members, agents, results, offered agents,
    and ranges (``(from, to)``, 0 = open) of ``joined_at``, ``offering_at``, ``leaving_at`` and
    ``duration`` (seconds)."""

    ids: frozenset[int] = frozenset()
    queue_ids: frozenset[int] = frozenset()
    bucket_ids: frozenset[int] = frozenset()
    member_ids: frozenset[int] = frozenset()
    agent_ids: frozenset[int] = frozenset()
    results: frozenset[str] = frozenset()
    offered_agent_ids: frozenset[int] = frozenset()
    joined_at: tuple[int, int] | None = None
    offering_at: tuple[int, int] | None = None
    leaving_at: tuple[int, int] | None = None
    duration: tuple[int, int] | None = None
    q: str | None = None

    def matches(self, call: Call, now: int) -> bool:
        leaving = call.ended_at if call.attempt_over else 0
        return ((not self.ids or call.id in self.ids) and (not self.queue_ids or call.queue_id in self.queue_ids)
                and (not self.bucket_ids or call.bucket_id in self.bucket_ids)
                and (not self.member_ids or call.member_id in self.member_ids)
                and (not self.agent_ids or call.agent_id in self.agent_ids)
                and (not self.results or call.result in self.results)
                and (not self.offered_agent_ids or bool(self.offered_agent_ids & set(call.offered)))
                and within(call.created_at, self.joined_at) and within(call.offered_at, self.offering_at)
                and within(leaving, self.leaving_at)
                and within(((leaving or now) - call.created_at) // 1000, self.duration)
                and any_ilike(self.q, call.destination, call.from_number, call.from_name))


class Attempts(Store):
    """Queue calls as attempts: lists, and what agents and supervisors do to them."""

    @property
    def board(self) -> Switchboard:
        return self.domain.store(Switchboard)

    def search(self, wanted: AttemptFilter, *, active: bool) -> list[Call]:
        """Active attempts (``active``) or the history, newest first (``-joined_at``)."""
        board, now = self.board, self.now()
        pool: Iterable[int] = (board.live | board.processing) if active else board.calls
        rows = [board.calls[i] for i in pool]
        return sorted((c for c in rows if c.queue_id is not None and c.attempt_over != active
                       and wanted.matches(c, now)), key=lambda c: (-c.created_at, -c.id))

    def of_member(self, member_id: int) -> list[Call]:
        board = self.board
        return [board.calls[i] for i in board.of_member.get(member_id, ())]

    def _processing(self, attempt_id: int, error_id: str) -> Call:
        call = self.board.calls.get(attempt_id)
        if call is None or not call.processing_until:
            state = attempt_state(call) if call is not None and call.queue_id is not None else "not found"
            raise bad_request(error_id, f"attempt id={attempt_id}: {state}; only an attempt in processing can be "
                                        "reported")
        return call

    def report(self, attempt_id: int, status: str, *, user_id: int | None, admin: bool, description: str = "",
               next_offering_at: int = 0, expire_at: int = 0, variables: dict[str, str] | None = None,
               sticky_agent_id: int | None = None, exclude_communication: bool = False,
               only_current_communication: bool = False, wait_between_retries: int | None = None) -> Call:
        """``cc_attempt_end_reporting``: the agent (or an administrator) reports the result of an
        attempt in processing."""
        call = self._processing(attempt_id, E_REPORTING)
        agent = self.domain.store(Agents).find(call.agent_id)
        if not admin and (agent is None or agent.user_id != user_id):
            raise bad_request(E_REPORTING, f"attempt id={attempt_id} is not the caller's")
        if not status:
            raise bad_request(E_REPORTING, "status is required")
        now = self.now()
        if next_offering_at and next_offering_at < now and status not in ("success", "cancel"):
            raise bad_request(E_REPORTING, "bad parameter: next distribute at")
        call.reported_at, call.description = now, description
        call.variables.update(variables or {})
        report: dict[str, Any] = {"next_offering_at": next_offering_at, "expire_at": expire_at,
                                  "variables": variables, "sticky_agent_id": sticky_agent_id,
                                  "exclude_communication": exclude_communication,
                                  "only_current_communication": only_current_communication}
        queue = self.domain.store(Queues).find(call.queue_id)
        if wait_between_retries is not None and queue is not None:
            report["wait_between_retries"] = wait_between_retries
        self.board.finish_processing(call, status, now, **report)
        self.board.dispatch(now)
        return call

    def renew(self, attempt_id: int, renewal_s: int) -> Call:
        """``AttemptsRenewalResult``: processing lasts ``renewal_s`` seconds from now."""
        call = self._processing(attempt_id, E_RENEWAL)
        if renewal_s <= 0:
            raise bad_request(E_RENEWAL, "renewal must be a number of seconds above 0")
        call.processing_until = self.now() + renewal_s * 1000
        agent = self.domain.store(Agents).find(call.agent_id)
        if agent is not None and agent.call_id == call.id:
            agent.channel_timeout = call.processing_until
            self.board.timers[agent.id] = call.processing_until
        return call

    def assign(self, attempt_id: int, agent_id: int) -> Call:
        """``AssignAttempt``: a waiting call is offered to this agent, who must be free."""
        board = self.board
        call = board.calls.get(attempt_id)
        if call is None or call.queue_id is None or call.state != CALL_WAITING:
            state = attempt_state(call) if call is not None and call.queue_id is not None else "not found"
            raise bad_request(E_INTERCEPT, f"attempt id={attempt_id}: {state}; only a waiting attempt can be assigned")
        if agent_id not in board.free:
            raise bad_request(E_INTERCEPT, f"agent id={agent_id} is not free (online and waiting, without a call)")
        queue = self.domain.store(Queues).get(call.queue_id)
        board.offer(call, self.domain.store(Agents).rows[agent_id], queue, self.now())
        return call

    def reset_active(self, idle_minutes: int, result: str) -> list[Call]:
        """``ResetActiveAttempts``: attempts whose state has not changed for ``idle_minutes`` end
        with ``result``."""
        if idle_minutes < 0:
            raise bad_request(E_RESET_IDLE, "idle for required")
        board, now = self.board, self.now()
        stale = [c for c in self.search(AttemptFilter(), active=True)
                 if last_state_change(c) <= now - idle_minutes * 60_000]
        for call in stale:
            if call.state == CALL_ENDED:
                board.finish_processing(call, result, now)
            else:
                board.end(call, now, cause="RESET", result=result, process=False)
        board.dispatch(now)
        return stale
