"""A queue's members (engine ``MemberService``): the people an outbound queue calls, each with
numbers (``communications``), and what became of them (``attempts``, ``stop_cause``).

Webitel: ``call_center.cc_member``; engine ``model/cc_member.go`` (``IsValid``, ``Patch``,
``ResetAttempts``), ``app/cc_member.go`` (members only in queues that are not inbound),
``store/sqlstore/cc_member_store.go`` (error ids, reset, delete). What an attempt's end does to
its member is call_center's ``cc_attempt_leaving`` / ``cc_attempt_end_reporting``
(:meth:`Members.settle`): the member stops with the attempt's result, unless the result is not
final (``success``, ``cancel``, ``canceled_by_timeout``) and the queue's ``max_attempts`` allows
another try, which comes ``wait_between_retries`` seconds later.

The dialer (the switchboard) reads :meth:`Members.ready`: the members of a queue it may call now,
in Webitel's order (queue bucket priority, member priority, then oldest first).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from ..errors import bad_request, not_found
from ..store import Record, Table, any_ilike, on
from .agents import Agent, Agents
from .base import dup, mutation
from .buckets import Bucket, Buckets, bucket_missing
from .calendars import find_timezone
from .queue_buckets import QueueBuckets
from .queues import NO_MEMBER_QUEUES, Queue, Queues
from .ranges import within
from .skills import Skill, Skills

if TYPE_CHECKING:  # communication_types imports the call center's seeding, which imports this module
    from .communication_types import CommunicationType

E_MEMBER_NOT_FOUND = "store.sql_member.get.app_error"
E_MEMBER_SAVE = "store.sql_member.save.app_error"
E_MEMBER_BULK = "store.sql_member.bulk_save.app_error"
E_MEMBER_UPDATE = "store.sql_member.update.app_error"
E_MEMBER_DELETE = "store.sql_member.delete.app_error"
E_MEMBER_QUEUE = "app.member.valid.queue"
E_MEMBER_FILE_NAME = "app.member.valid.file_name"
E_MEMBER_COMMUNICATIONS = "model.member.is_valid.communications.app_error"
E_MEMBER_COMMUNICATION_TYPE = "model.member.is_valid.communications.type.app_error"
MAX_COMMUNICATIONS = 20  # the engine's max_member_communications default (model/config.go)
FINAL_RESULTS = frozenset({"success", "cancel", "canceled_by_timeout"})
# Causes ResetMembers leaves alone (cc_member_store.go ResetMembers).
NOT_RESETTABLE = frozenset({"success", "expired", "cancel", "terminate", "no_communications"})
EXPIRED, NO_COMMUNICATIONS, CANCEL = "expired", "no_communications", "cancel"
NEVER = 2**63 - 1


@dataclass
class Communication:
    destination: str = ""
    type_id: int = 0
    priority: int = 0
    description: str = ""
    resource_id: int | None = None
    display: str = ""
    dtmf: str = ""
    stop_at: int = 0
    attempts: int = 0
    last_activity_at: int = 0
    last_cause: str = ""


@dataclass
class Member(Record):
    queue_id: int = 0
    name: str = ""
    priority: int = 0
    expire_at: int = 0
    ready_at: int = 0  # min_offering_at: not called before
    variables: dict[str, str] = field(default_factory=dict)
    timezone_id: int | None = None
    communications: list[Communication] = field(default_factory=list)
    bucket_id: int | None = None
    agent_id: int | None = None  # only this agent may take it
    skill_id: int | None = None  # only queue skills of this skill serve it
    stop_cause: str = ""
    stop_at: int = 0
    attempts: int = 0
    last_activity_at: int = 0
    attempt_id: int | None = None  # its attempt in progress (the member is "reserved")


@dataclass(frozen=True)
class MemberFilter:
    """The filters of ``SearchMemberRequest`` / ``MultiDeleteMembers`` / ``ResetMembers``:
    ranges are ``(from, to)`` with 0 meaning open."""

    ids: frozenset[int] = frozenset()
    queue_ids: frozenset[int] = frozenset()
    bucket_ids: frozenset[int] = frozenset()
    agent_ids: frozenset[int] = frozenset()
    stop_causes: frozenset[str] = frozenset()
    numbers: frozenset[str] = frozenset()
    destination: str | None = None
    name: str | None = None
    q: str | None = None
    variables: Mapping[str, str] = field(default_factory=dict)
    created_at: tuple[int, int] | None = None
    offering_at: tuple[int, int] | None = None
    priority: tuple[int, int] | None = None
    attempts: tuple[int, int] | None = None

    def matches(self, m: Member) -> bool:
        destinations = [c.destination for c in m.communications]
        return ((not self.ids or m.id in self.ids) and (not self.queue_ids or m.queue_id in self.queue_ids)
                and (not self.bucket_ids or m.bucket_id in self.bucket_ids)
                and (not self.agent_ids or m.agent_id in self.agent_ids)
                and (not self.stop_causes or m.stop_cause in self.stop_causes)
                and (not self.numbers or bool(self.numbers & set(destinations)))
                and (self.destination is None or any_ilike(self.destination, *destinations))
                and (self.name is None or any_ilike(self.name, m.name))
                and (not self.q or any_ilike(self.q, m.name, *destinations))
                and all(m.variables.get(k) == v for k, v in self.variables.items())
                and within(m.created_at, self.created_at) and within(m.last_activity_at, self.offering_at)
                and within(m.priority, self.priority) and within(m.attempts, self.attempts))


def check_member(member: Member) -> None:
    """``Member.IsValid`` (engine model/cc_member.go)."""
    if len(member.communications) > MAX_COMMUNICATIONS:
        raise bad_request(E_MEMBER_COMMUNICATIONS, f"name={member.name}")
    if any(c.type_id < 1 for c in member.communications):
        raise bad_request(E_MEMBER_COMMUNICATION_TYPE, f"name={member.name}")


class Members(Table[Member]):
    kind = "member"

    def __init__(self, domain: Any) -> None:
        super().__init__(domain)
        self.of_queue: dict[int, dict[int, Member]] = {}
        self._order: dict[int, tuple[int, list[int]]] = {}  # queue id -> (queue buckets' version, dial order)
        self.next_ready = NEVER  # the earliest min_offering_at still ahead that ``ready`` passed over

    def missing(self, row_id: int) -> Exception:
        return not_found(E_MEMBER_NOT_FOUND, f"Id={row_id}, sql: no rows in result set")

    def get_of(self, queue_id: int, member_id: int) -> Member:
        member = self.rows.get(member_id)
        if member is None or member.queue_id != queue_id:
            raise self.missing(member_id)
        return member

    # -- writes ------------------------------------------------------------------------------------
    def _queue_for_members(self, queue_id: int) -> Queue:
        queue = self.domain.store(Queues).get(queue_id)
        if queue.type in NO_MEMBER_QUEUES:
            raise bad_request(E_MEMBER_QUEUE, "Mismatch queue type")
        return queue

    def _check_refs(self, member: Member, error_id: str) -> None:
        """The FKs of ``cc_member``: its bucket, agent, skill and timezone exist."""
        if member.bucket_id is not None and member.bucket_id not in self.domain.store(Buckets):
            raise bucket_missing(error_id, "cc_member", member.bucket_id)
        refs: tuple[tuple[str, int | None, Callable[[int], bool]], ...] = (
            ("agent", member.agent_id, lambda i: i in self.domain.store(Agents)),
            ("skill", member.skill_id, lambda i: i in self.domain.store(Skills)),
            ("timezone", member.timezone_id, lambda i: find_timezone(i) is not None))
        for label, ref, exists in refs:
            if ref is not None and not exists(ref):
                raise bad_request(error_id, f"name={member.name}, {label} id={ref} not found: pq: insert or update on "
                                            f"table \"cc_member\" violates foreign key constraint ({label}_id)")

    def _store(self, member: Member) -> Member:
        self.rows[member.id] = member
        self.of_queue.setdefault(member.queue_id, {})[member.id] = member
        self._order.pop(member.queue_id, None)
        return member

    @mutation
    def create(self, queue_id: int, *, actor: int | None, **attributes: Any) -> Member:
        member = Member(queue_id=queue_id, **attributes)
        check_member(member)
        self._queue_for_members(queue_id)
        self._check_refs(member, E_MEMBER_SAVE)
        self.stamp(member, actor, created=True)
        return self._store(member)

    @mutation
    def create_many(self, queue_id: int, items: list[dict[str, Any]], *, actor: int | None,
                    file_name: str = "") -> list[Member]:
        """``POST .../members/bulk``: all or none (one INSERT in Webitel)."""
        members = [Member(queue_id=queue_id, **attributes) for attributes in items]
        for member in members:
            check_member(member)
        if not members:
            return []
        self._queue_for_members(queue_id)
        if len(file_name) > 120:
            raise bad_request(E_MEMBER_FILE_NAME, "The filename can not be more than 120 symbols")
        for member in members:
            self._check_refs(member, E_MEMBER_SAVE if len(members) == 1 else E_MEMBER_BULK)
        for member in members:
            self.stamp(member, actor, created=True)
            self._store(member)
        return members

    @mutation
    def update(self, queue_id: int, member_id: int, *, actor: int | None, **changes: Any) -> Member:
        """PUT: every attribute; a stopped member given no ``stop_cause`` starts over
        (app/cc_member.go UpdateMember)."""
        current = self.get_of(queue_id, member_id)
        member = replace(dup(current), **changes)
        check_member(member)
        if current.stop_cause and not member.stop_cause:
            _reset_attempts(member)
        return self._save(member, actor)

    @mutation
    def patch(self, member_id: int, *, actor: int | None, queue_id: int | None = None, **changes: Any) -> Member:
        """PATCH (``model.Member.Patch``): only the attributes given; ``variables`` merged (an
        empty value deletes the key); ``stop_cause: ""`` starts the member over."""
        current = self.get_of(queue_id, member_id) if queue_id is not None else self.get(member_id)
        member = dup(current)
        variables = changes.pop("variables", None)
        if variables:
            for key, value in variables.items():
                if value == "":
                    member.variables.pop(key, None)
                else:
                    member.variables[key] = value
        for name, value in changes.items():
            setattr(member, name, value)
        if "stop_cause" in changes and not member.stop_cause:
            _reset_attempts(member)
        check_member(member)
        saved = self._save(member, actor)
        if saved.stop_cause == CANCEL and saved.attempt_id is not None:
            self.domain.emit("member.cancelled", saved)  # its attempt in progress ends (CancelAttempt)
        return saved

    def _save(self, member: Member, actor: int | None) -> Member:
        self._check_refs(member, E_MEMBER_UPDATE)
        current = self.rows[member.id]
        # stop_at follows stop_cause (cc_member_store.go Update).
        if member.stop_cause and not current.stop_at:
            member.stop_at = self.now()
        elif not member.stop_cause:
            member.stop_at = 0
        self.stamp(member, actor)
        return self._store(member)

    @mutation
    def delete(self, queue_id: int, member_id: int) -> Member:
        member = self.get_of(queue_id, member_id)
        if member.attempt_id is not None:
            # ``... and not exists(an attempt that is not leaving)``: no row deleted, answered as not found.
            raise not_found(E_MEMBER_DELETE, f"Id={member_id}, not found")
        return self._drop(member)

    def _drop(self, member: Member) -> Member:
        del self.rows[member.id]
        del self.of_queue[member.queue_id][member.id]
        return member

    @mutation
    def delete_many(self, wanted: MemberFilter, *, limit: int = 0) -> list[Member]:
        """``DELETE .../members`` and ``DELETE /queues/members``: the members the filters pick,
        except those with an attempt in progress (newest first, at most ``limit`` when given)."""
        picked = [m for m in self.search(wanted) if m.attempt_id is None]
        picked.sort(key=lambda m: -m.id)
        return [self._drop(m) for m in (picked[:limit] if limit > 0 else picked)]

    def resettable(self, queue_id: int, wanted: MemberFilter) -> list[Member]:
        return [m for m in self.of_queue.get(queue_id, {}).values()
                if m.stop_at and m.stop_cause not in NOT_RESETTABLE and wanted.matches(m)]

    @mutation
    def reset(self, queue_id: int, wanted: MemberFilter) -> int:
        """``PATCH .../members/reset``: stopped members (but for final causes) start over."""
        rows = self.resettable(queue_id, wanted)
        for member in rows:
            _reset_attempts(member)
            self._order.pop(queue_id, None)
        return len(rows)

    def search(self, wanted: MemberFilter) -> list[Member]:
        pools: Iterable[Mapping[int, Member]] = [self.of_queue.get(q, {}) for q in sorted(wanted.queue_ids)] \
            if wanted.queue_ids else [self.rows]
        return [m for pool in pools for m in pool.values() if wanted.matches(m)]

    # -- the dialer's side -------------------------------------------------------------------------
    def dial_order(self, queue: Queue) -> list[int]:
        """Member ids of a queue in the order the dialer takes them: queue bucket priority DESC,
        member priority DESC, then oldest first (``lifo`` queues: newest first); cached until a
        member is made or edited or a queue bucket changes (what decides the order); stopped members
        leave it as ``ready`` passes them (only an edit or a reset brings them back)."""
        buckets = self.domain.store(QueueBuckets)
        cached = self._order.get(queue.id)
        if cached is not None and cached[0] == buckets.version:
            return cached[1]
        lifo = queue.strategy == "lifo"

        def key(m: Member) -> tuple[int, int, int]:
            row = buckets.of(queue.id, m.bucket_id)
            return -(row.priority if row is not None else 0), -m.priority, -m.id if lifo else m.id

        order = [m.id for m in sorted(self.of_queue.get(queue.id, {}).values(), key=key)]
        self._order[queue.id] = (buckets.version, order)
        return order

    def ready(self, queue: Queue, at: int) -> Iterator[Member]:
        """Members of the queue the dialer may call at ``at``, in order. On the way, members past
        ``expire_at`` stop (``expired``), and so do members without a number left to call
        (``no_communications``)."""
        buckets = self.domain.store(QueueBuckets)
        rows = self.of_queue.get(queue.id, {})
        order = self.dial_order(queue)
        version = self._order[queue.id][0]
        kept: list[int] = []
        scanned = 0
        try:
            for member_id in order:
                scanned += 1
                member = rows.get(member_id)
                if member is None or member.stop_cause:
                    continue
                kept.append(member_id)
                if member.attempt_id is not None:
                    continue
                if member.ready_at > at:
                    self.next_ready = min(self.next_ready, member.ready_at)
                    continue
                bucket = buckets.of(queue.id, member.bucket_id)
                if bucket is not None and bucket.disabled:
                    continue
                if member.expire_at and member.expire_at <= at:
                    self._stop(member, EXPIRED, at)
                    kept.pop()
                elif next_communication(member) is None:
                    self._stop(member, NO_COMMUNICATIONS, at)
                    kept.pop()
                else:
                    yield member
        finally:
            if self._order.get(queue.id, (None,))[0] == version and self._order[queue.id][1] is order:
                self._order[queue.id] = (version, kept + order[scanned:])  # the stopped ones are dropped

    def _stop(self, member: Member, cause: str, at: int) -> None:
        member.stop_cause, member.stop_at = cause, at

    def started(self, member: Member, attempt_id: int) -> None:
        member.attempt_id = attempt_id

    def settle(self, member: Member, result: str, at: int, *, communication: int, max_attempts: int,
               wait_between_retries: int, next_offering_at: int = 0, expire_at: int = 0,
               variables: Mapping[str, str] | None = None, sticky_agent_id: int | None = None,
               exclude_communication: bool = False, only_current_communication: bool = False) -> None:
        """The member's attempt is over with ``result`` (``cc_attempt_leaving`` at the call's end,
        ``cc_attempt_end_reporting`` when an agent reports it): one more attempt; the member stops
        with the result unless it may try again (see the module's docstring)."""
        retry = result not in FINAL_RESULTS and max_attempts > 0 and member.attempts + 1 < max_attempts
        keep = bool(next_offering_at) or bool(member.stop_cause) or only_current_communication or retry
        if not keep:
            self._stop(member, result, at)
        member.attempt_id = None
        member.attempts += 1
        member.last_activity_at = at
        member.ready_at = next_offering_at or at + wait_between_retries * 1000
        if expire_at:
            member.expire_at = expire_at
        if variables:
            member.variables.update(variables)
        if sticky_agent_id:
            member.agent_id = sticky_agent_id
        for index, comm in enumerate(member.communications):
            if index == communication:
                comm.attempts += 1
                comm.last_activity_at = 0 if next_offering_at else at
                comm.last_cause = result
                if exclude_communication:
                    comm.stop_at = at
            elif only_current_communication and not comm.stop_at:
                comm.stop_at = at

    # -- other stores' rules -----------------------------------------------------------------------
    @on("queue.deleted")
    def _queue_deleted(self, queue: Queue) -> None:
        for member_id in self.of_queue.pop(queue.id, {}):  # ON DELETE CASCADE
            del self.rows[member_id]
        self._order.pop(queue.id, None)

    @on("bucket.deleting")
    def _bucket_deleting(self, bucket: Bucket, users: list[str]) -> None:
        if any(m.bucket_id == bucket.id for m in self):
            users.append("members")

    @on("skill.deleting")
    def _skill_deleting(self, skill: Skill, users: list[str]) -> None:
        if any(m.skill_id == skill.id for m in self):
            users.append("members")

    @on("communication_type.deleting")
    def _communication_type_deleting(self, kind: CommunicationType, users: list[str]) -> None:
        if any(comm.type_id == kind.id for member in self for comm in member.communications):
            users.append("members' communications")

    @on("agent.deleted")
    def _agent_deleted(self, agent: Agent) -> None:
        for member in self:
            if member.agent_id == agent.id:
                member.agent_id = None  # cc_member.agent_id: ON DELETE SET NULL


def next_communication(member: Member) -> int | None:
    """The index of the number to call: the highest ``priority`` not stopped (first on a tie)."""
    best: int | None = None
    for index, comm in enumerate(member.communications):
        if not comm.stop_at and (best is None or comm.priority > member.communications[best].priority):
            best = index
    return best


def _reset_attempts(member: Member) -> None:
    """``Member.ResetAttempts``: no stop, no attempts, every number callable again."""
    member.stop_cause, member.stop_at, member.attempts = "", 0, 0
    for comm in member.communications:
        comm.stop_at, comm.attempts = 0, 0
