"""HTTP face of the engine's ``MemberService``, attempts' part: active attempts and their
history (``/call_center/queues/attempts/...``), a member's attempts, agents' reports, renewal,
assignment and reset. An attempt is a call through a queue (``attempts.py``)."""

from __future__ import annotations

from typing import Any

from ..api.request import Call as Request
from ..api.service import listing
from ..store import paginate
from .agents import Agents
from .attempts import AttemptFilter, Attempts, attempt_state, last_state_change
from .base import ENGINE_PAGE_SIZE
from .buckets import Buckets
from .calls import Call, Switchboard
from .members import Members
from .members_http import api, ref, wire_communication
from .queues import Queues
from .ranges import between

DEFAULT_RESET_RESULT = "error"  # grpc_api/cc_member.go ResetActiveAttempts


def _destination(domain: Any, call: Call) -> dict:
    member = domain.store(Members).find(call.member_id)
    if member is not None and 0 <= call.communication < len(member.communications):
        return wire_communication(member.communications[call.communication])
    return {"destination": call.destination or call.from_number}


def attempt_number(domain: Any, call: Call) -> int:
    """Which of its member's attempts this is (1 for the first); 0 for a call without a member."""
    if call.member_id is None:
        return 0
    return domain.store(Switchboard).of_member.get(call.member_id, []).index(call.id) + 1


def _common(domain: Any, call: Call) -> dict[str, Any]:
    """What ``engine.Attempt`` and ``engine.AttemptHistory`` share."""
    queue = domain.store(Queues).find(call.queue_id)
    member = domain.store(Members).find(call.member_id)
    agents = domain.store(Agents)
    over = call.attempt_over
    return {"id": call.id, "joined_at": call.created_at, "offering_at": call.offered_at,
            "bridged_at": call.answered_at, "reporting_at": call.reported_at,
            "leaving_at": call.ended_at if over else 0, "channel": "call",
            "queue": ref(queue.name if queue else None, call.queue_id),
            "member": ref(member.name if member else call.from_name or None, call.member_id),
            "member_call_id": str(call.id), "variables": call.variables,
            "agent": ref(agents.name_of(call.agent_id), call.agent_id),
            "agent_call_id": str(call.id) if call.agent_id else "", "bucket": domain.store(Buckets).ref(call.bucket_id),
            "display": call.from_number, "destination": _destination(domain, call), "result": call.result,
            "attempts": attempt_number(domain, call)}


def wire_attempt(domain: Any, call: Call) -> dict:
    return {**_common(domain, call), "state": attempt_state(call), "last_state_change": last_state_change(call),
            "timeout": call.processing_until or call.ring_until}


def wire_attempt_history(domain: Any, call: Call) -> dict:
    agents = domain.store(Agents)
    return {**_common(domain, call), "offered_agents": [ref(agents.name_of(a), a) for a in dict.fromkeys(call.offered)]}


def wire_member_attempt(domain: Any, call: Call) -> dict:
    member = domain.store(Members).find(call.member_id)
    return {"id": call.id, "member": ref(member.name if member else None, call.member_id),
            "created_at": call.created_at, "destination": call.destination, "originate_at": call.offered_at,
            "answered_at": call.answered_at, "bridged_at": call.answered_at, "hangup_at": call.ended_at,
            "leg_a_id": str(call.id), "result": call.result,
            "agent": ref(domain.store(Agents).name_of(call.agent_id), call.agent_id),
            "bucket": domain.store(Buckets).ref(call.bucket_id), "active": not call.attempt_over,
            "attempts": attempt_number(domain, call)}


def attempt_filter(call: Request) -> AttemptFilter:
    query = call.list_query(ENGINE_PAGE_SIZE)
    return AttemptFilter(
        ids=frozenset(call.ids("id")), queue_ids=frozenset(call.ids("queue_id")),
        bucket_ids=frozenset(call.ids("bucket_id")), member_ids=frozenset(call.ids("member_id")),
        agent_ids=frozenset(call.ids("agent_id")), results=frozenset(call.query.get("result") or ()),
        offered_agent_ids=frozenset(call.ids("offered_agent_id")), joined_at=between(call.query, "joined_at"),
        offering_at=between(call.query, "offering_at"), leaving_at=between(call.query, "leaving_at"),
        duration=between(call.query, "duration"), q=query.q)


@api.operation("SearchAttempts")
def search_active(call: Request) -> dict:
    query = call.list_query(ENGINE_PAGE_SIZE)
    rows = call.store(Attempts).search(attempt_filter(call), active=True)
    return listing(call, query, paginate(rows, query, lambda c: wire_attempt(call.domain, c)))


@api.operation("SearchAttemptsHistory")
def search_history(call: Request) -> dict:
    query = call.list_query(ENGINE_PAGE_SIZE)
    rows = call.store(Attempts).search(attempt_filter(call), active=False)
    return listing(call, query, paginate(rows, query, lambda c: wire_attempt_history(call.domain, c)))


@api.operation("SearchMemberAttempts")
def member_attempts(call: Request) -> dict:
    """Every attempt of the member, oldest first (Webitel reads by the member id alone)."""
    rows = call.store(Attempts).of_member(call.path["member_id"])
    return {"items": [wire_member_attempt(call.domain, c) for c in rows]}


def _report(call: Request) -> dict:
    body, session = call.body, call.session
    assert session is not None
    call.store(Attempts).report(
        call.path["attempt_id"], body.get("status", ""), user_id=session.user_id, admin=session.root,
        description=body.get("description", ""), next_offering_at=body.get("min_offering_at", 0),
        expire_at=body.get("expire_at", 0), variables=body.get("variables"),
        sticky_agent_id=body.get("agent_id") or None,
        exclude_communication=body.get("exclude_current_communication", False),
        only_current_communication=body.get("only_current_communication", False),
        wait_between_retries=body.get("wait_between_retries") or None)
    return {"status": "success"}  # engine.AttemptResultResponse


api.operation("AttemptResult", self_service=True)(_report)
api.operation("AttemptCallback", self_service=True)(_report)


@api.operation("AttemptsRenewalResult", self_service=True)
def renewal(call: Request) -> dict:
    call.store(Attempts).renew(call.path["attempt_id"], call.body.get("renewal", 0))
    return {}


@api.operation("AssignAttempt")
def assign(call: Request) -> dict:
    call.store(Attempts).assign(call.path["attempt_id"], call.body.get("agent_id", 0))
    return {}


@api.operation("ResetActiveAttempts")
def reset_active(call: Request) -> dict:
    # grpc_api/cc_member.go: 0 minutes means 1, an empty result "error"; attempt types are "call".
    call.store(Attempts).reset_active(call.body.get("idle_for_minutes") or 1,
                                      call.body.get("result") or DEFAULT_RESET_RESULT)
    return {}


@api.operation("CreateAttempt")
def create_attempt(call: Request) -> dict:
    """Webitel's handler (grpc_api/cc_member.go) is an unfinished placeholder upstream: it validates
    nothing, answers an empty message and dials nobody. The emulator answers the same
    (``contract_tests/call_center/test_dialer.py`` holds it)."""
    return {}
