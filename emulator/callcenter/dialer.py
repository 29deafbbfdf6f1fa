"""The dialer: outbound queues call their members, each call offered to a free agent with the
queue's skills, by the same routing rules as inbound calls (``routing.py``).

Webitel's call_center dials members of preview, progressive and predictive queues (types 3, 4,
5) with an agent reserved first (``cc_distribute``, queue/call_progressive.go). The emulator does
all three as progressive: for each enabled outbound queue within its calendar's hours, in
``priority`` DESC, it takes the members ready to call (``Members.ready``: not stopped, no attempt
in progress, ``min_offering_at`` passed, not expired, a number left, bucket not disabled, in the
queue buckets' priority, member priority, then oldest first) and, while a free agent eligible for
the member exists (the member's bucket and skill narrow the queue's skills; a member bound to an
agent waits for that agent), dials it: a new outbound call (the attempt) offered to that agent.
Each member has at most one attempt at a time, so none is dialled twice at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .members import NEVER, Member, Members, next_communication
from .queues import DIALER_QUEUES, Queue, Queues

if TYPE_CHECKING:
    from .calls import Switchboard

OUTBOUND = "outbound"
MINUTE_MS = 60_000  # calendars open and close on minutes


def dial(board: Switchboard, at: int) -> None:
    """Dial every member there is an agent for now, and note when time alone could let the dialer
    dial more (``board.next_dial_at``: a member's ``min_offering_at``, or the next minute while a
    queue's calendar is closed), which the switchboard's clock then waits for."""
    members = board.domain.store(Members)
    board.next_dial_at = NEVER
    if not board.free or not members.of_queue:
        return
    queues = board.domain.store(Queues)
    dialing = sorted((q for q in queues if q.enabled and q.type in DIALER_QUEUES and members.of_queue.get(q.id)),
                     key=lambda q: (-q.priority, q.id))
    members.next_ready = NEVER
    try:
        for queue in dialing:
            if not board.free:
                return
            if not queues.open_at(queue, at):
                board.next_dial_at = min(board.next_dial_at, at - at % MINUTE_MS + MINUTE_MS)
                continue
            _dial_queue(board, members, queue, at)
    finally:
        board.next_dial_at = min(board.next_dial_at, members.next_ready)


def _dial_queue(board: Switchboard, members: Members, queue: Queue, at: int) -> None:
    unserved: set[tuple[int | None, int | None, int | None]] = set()  # (bucket, skill, agent) nobody takes now
    for member in members.ready(queue, at):
        if not board.free:
            return
        key = (member.bucket_id, member.skill_id, member.agent_id)
        if key in unserved:
            continue
        ask = board.ask(queue, member.id, member.attempts, member.bucket_id, member.skill_id)
        agent_id = board.pick(ask, only=member.agent_id)
        if agent_id is None:
            unserved.add(key)
            continue
        dial_member(board, queue, member, agent_id, at)


def dial_member(board: Switchboard, queue: Queue, member: Member, agent_id: int, at: int) -> None:
    """A new attempt: the member's best number is called, and the call offered to the agent."""
    index = next_communication(member)
    assert index is not None  # Members.ready yields only members with a number to call
    call = board.new_call(queue.id, at=at, direction=OUTBOUND, member_id=member.id, communication=index,
                          destination=member.communications[index].destination, from_name=member.name,
                          bucket_id=member.bucket_id, variables=dict(member.variables))
    board.domain.store(Members).started(member, call.id)
    board.offer(call, board.agents.rows[agent_id], queue, at)
