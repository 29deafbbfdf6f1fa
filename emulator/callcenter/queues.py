"""Queues (engine ``QueueService``): where calls wait for agents (``docs/call-center.md``).

Nothing is required (Webitel's ``Queue.IsValid`` checks nothing); the team and the calendar, when
given, must exist (``cc_queue`` FKs). References to objects the emulator does not serve (lists,
schemas, media) are kept as given, by id. Deleting a queue takes its queue skills and members and
ends its calls. A queue outside its calendar's hours takes no calls and dials no members
(:meth:`Queues.open_at`).
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from ..errors import bad_request, not_found
from ..store import Record, Table, any_ilike, on
from .base import dup, mutation
from .calendars import Calendar, Calendars
from .teams import Team, Teams

E_QUEUE_NOT_FOUND = "store.sql_queue.get.app_error"
E_QUEUE_SAVE = "store.sql_queue.save.app_error"
E_QUEUE_UPDATE = "store.sql_queue.update.app_error"
INBOUND_QUEUE = 1  # queue type 1: inbound calls (webitel-ui-sdk QueueType.enum.js)
# Queue types whose members the dialer calls, offering each to an agent (3 preview, 4 progressive,
# 5 predictive); members cannot be added to inbound queues (1 call, 6 chat: engine app/cc_member.go).
DIALER_QUEUES = frozenset({3, 4, 5})
NO_MEMBER_QUEUES = frozenset({1, 6})
# Lookups of a queue kept by id: objects of services the emulator may not serve.
QUEUE_REFS = ("calendar", "dnc_list", "schema", "do_schema", "after_schema", "ringtone", "grantee")


@dataclass
class Queue(Record):
    name: str = ""
    type: int = 0
    strategy: str = ""
    enabled: bool = False
    priority: int = 0
    team_id: int | None = None
    description: str = ""
    timeout: int = 0
    sec_locate_agent: int = 0
    sticky_agent: bool = False
    variables: dict[str, str] = field(default_factory=dict)
    payload: Any = None
    tags: list[str] = field(default_factory=list)
    refs: dict[str, int] = field(default_factory=dict)  # QUEUE_REFS name -> id
    processing: bool = False  # post-call processing of attempts (engine.Queue.processing / task_processing)
    processing_sec: int = 0
    processing_renewal_sec: int = 0
    task_processing: dict[str, Any] = field(default_factory=dict)

    @property
    def calendar_id(self) -> int | None:
        return self.refs.get("calendar")

    def setting(self, name: str, default: int = 0) -> int:
        """A dialer setting of the queue's ``payload`` (``max_attempts``, ``wait_between_retries``:
        call_center queue/call_progressive.go), as a whole number of at least 0."""
        value = self.payload.get(name) if isinstance(self.payload, dict) else None
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            return default
        return max(0, int(value))

    def processing_window(self) -> tuple[bool, int, int]:
        """(enabled, seconds, renewal seconds) of post-call processing: ``task_processing`` when
        it is enabled, else the older ``processing`` attributes."""
        task = self.task_processing or {}
        if task.get("enabled"):
            return True, int(task.get("sec") or 0), int(task.get("renewal_sec") or 0)
        return self.processing, self.processing_sec, self.processing_renewal_sec


class Queues(Table[Queue]):
    kind = "queue"

    def missing(self, row_id: int) -> Exception:
        return not_found(E_QUEUE_NOT_FOUND, f"Id={row_id}, sql: no rows in result set")

    @mutation
    def create(self, *, actor: int | None, refs: dict[str, int | None] | None = None, **attrs: Any) -> Queue:
        queue = Queue(**attrs)
        self._refs(queue, refs or {})
        self._check(queue, E_QUEUE_SAVE)
        return self.insert(queue, actor)

    @mutation
    def update(self, queue_id: int, *, actor: int | None, refs: dict[str, int | None] | None = None,
               **changes: Any) -> Queue:
        queue = dup(self.get(queue_id))
        for name, value in changes.items():
            setattr(queue, name, value)
        self._refs(queue, refs or {})
        self._check(queue, E_QUEUE_UPDATE)
        return self.put(queue, actor)

    @staticmethod
    def _refs(queue: Queue, refs: dict[str, int | None]) -> None:
        for name, ref in refs.items():
            if ref is None:
                queue.refs.pop(name, None)
            else:
                queue.refs[name] = ref

    def _check(self, queue: Queue, error_id: str) -> None:
        if queue.team_id is not None and queue.team_id not in self.domain.store(Teams):
            raise bad_request(error_id, f"team id={queue.team_id} not found: pq: insert or update on table "
                                        "\"cc_queue\" violates foreign key constraint")
        if queue.calendar_id is not None and queue.calendar_id not in self.domain.store(Calendars):
            raise bad_request(error_id, f"calendar id={queue.calendar_id} not found: pq: insert or update on table "
                                        "\"cc_queue\" violates foreign key constraint \"cc_queue_calendar_id_fk\"")

    def open_at(self, queue: Queue, at: int) -> bool:
        """The queue's calendar is open (``flow.calendar_check_timing``), or the queue has none, or
        its payload sets ``ignore_calendar`` (cc_distribute_inbound_call_to_queue)."""
        if isinstance(queue.payload, dict) and queue.payload.get("ignore_calendar") is True:
            return True
        return self.domain.store(Calendars).open_at(queue.calendar_id, at)

    @mutation
    def delete(self, queue_id: int) -> Queue:
        queue = self.pop(queue_id)
        self.domain.emit("queue.deleted", queue)  # queue skills cascade, calls end
        return queue

    def search(self, *, ids: Collection[int] = (), types: Collection[int] = (), teams: Collection[int] = (),
               tags: Collection[str] = (), enabled: bool | None = None, q: str | None = None) -> list[Queue]:
        return [x for x in self if (not ids or x.id in ids) and (not types or x.type in types)
                and (not teams or x.team_id in teams) and (not tags or set(tags) & set(x.tags))
                and (enabled is None or x.enabled == enabled) and any_ilike(q, x.name)]

    @on("team.deleting")
    def _team_deleting(self, team: Team, users: list[str]) -> None:
        users.extend(f"queue id={q.id}" for q in self if q.team_id == team.id)

    @on("calendar.deleting")
    def _calendar_deleting(self, calendar: Calendar, users: list[str]) -> None:
        users.extend(f"queue id={q.id}" for q in self if q.calendar_id == calendar.id)
