"""Queues (engine ``QueueService``): where calls wait for agents (``webitel-api.md`` §2.10).

Nothing is required (Webitel's ``Queue.IsValid`` checks nothing); the team, when given, must
exist. References to objects the emulator does not serve yet (calendars, lists, schemas, media)
are kept as given, by id. Deleting a queue takes its queue skills and ends its calls.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from ..errors import bad_request, not_found
from ..store import Record, Table, any_ilike, on
from .base import dup, mutation
from .teams import Team, Teams

E_QUEUE_NOT_FOUND = "store.sql_queue.get.app_error"
E_QUEUE_SAVE = "store.sql_queue.save.app_error"
E_QUEUE_UPDATE = "store.sql_queue.update.app_error"
INBOUND_QUEUE = 1  # queue type 1: inbound calls (webitel-ui-sdk QueueType.enum.js)
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
