"""A queue's buckets (engine ``QueueBucketService``, ``/call_center/queues/{queue_id}/buckets``):
which buckets of members a queue serves, with a ``priority``, a ``ratio`` and a ``disabled`` flag.
Webitel: ``call_center.cc_bucket_in_queue`` (unique ``(queue_id, bucket_id)``, FKs to the queue and
the bucket), ``store/sqlstore/cc_bucket_in_queue_store.go`` (error ids, ``q`` on the bucket's
name, default order ``bucket_name``), ``app/cc_queue_bucket.go`` (PUT replaces ratio, bucket,
priority and disabled; PATCH those in the mask).

The dialer serves the members of a queue's buckets in the buckets' ``priority`` DESC, and does
not dial the members of a ``disabled`` one (``cc_distribute_members_list`` orders by bucket
priority; the ratio's share of calls is not emulated)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from typing import Any

from ..api.fields import REF, Fields
from ..api.protojson import render_as
from ..api.request import Call
from ..api.service import Service, listing
from ..errors import bad_request, not_found
from ..seed import SeedContext, SeedError, entry, section
from ..state import Domain, dump_section
from ..store import Record, Table, ilike, on, paginate
from .base import ENGINE_PAGE_SIZE, mutation
from .buckets import Bucket, Buckets, bucket_missing
from .queues import Queue, Queues

E_QB_NOT_FOUND = "store.sql_queue_bucket.get.app_error"
E_QB_SAVE = "store.sql_queue_bucket.save.app_error"
E_QB_UPDATE = "store.sql_queue_bucket.update.app_error"


@dataclass
class QueueBucket(Record):
    queue_id: int = 0
    bucket_id: int = 0
    ratio: int = 0
    priority: int = 0
    disabled: bool = False


class QueueBuckets(Table[QueueBucket]):
    kind = "queue_bucket"

    def __init__(self, domain: Any) -> None:
        super().__init__(domain)
        self.of_queue: dict[int, dict[int, QueueBucket]] = {}  # queue id -> bucket id -> row
        self.version = 0  # changes with every write: the dialer's member order depends on the rows

    def get_of(self, queue_id: int, row_id: int) -> QueueBucket:
        row = self.rows.get(row_id)
        if row is None or row.queue_id != queue_id:
            raise not_found(E_QB_NOT_FOUND, f"Id={row_id}, sql: no rows in result set")
        return row

    def of(self, queue_id: int, bucket_id: int | None) -> QueueBucket | None:
        return self.of_queue.get(queue_id, {}).get(bucket_id) if bucket_id else None

    def _check(self, row: QueueBucket, error_id: str) -> None:
        if row.queue_id not in self.domain.store(Queues):
            raise bad_request(error_id, f"queue_id={row.queue_id} bucket_id={row.bucket_id}, pq: insert or update on "
                                        "table \"cc_bucket_in_queue\" violates foreign key constraint (queue_id)")
        if row.bucket_id not in self.domain.store(Buckets):
            raise bucket_missing(error_id, "cc_bucket_in_queue", row.bucket_id)
        other = self.of(row.queue_id, row.bucket_id)
        if other is not None and other.id != row.id:
            raise bad_request(error_id, f"queue_id={row.queue_id} bucket_id={row.bucket_id}, pq: duplicate key value "
                                        "violates unique constraint \"cc_bucket_in_queue_queue_id_bucket_id_uindex\"")

    def _store(self, row: QueueBucket) -> QueueBucket:
        self.version += 1
        old = self.rows.get(row.id)
        if old is not None:
            self.of_queue[old.queue_id].pop(old.bucket_id, None)
        self.rows[row.id] = row
        self.of_queue.setdefault(row.queue_id, {})[row.bucket_id] = row
        return row

    @mutation
    def create(self, queue_id: int, *, actor: int | None, **attributes: Any) -> QueueBucket:
        row = QueueBucket(queue_id=queue_id, **attributes)
        self._check(row, E_QB_SAVE)
        self.stamp(row, actor, created=True)
        return self._store(row)

    @mutation
    def update(self, queue_id: int, row_id: int, *, actor: int | None, **changes: Any) -> QueueBucket:
        row = replace(self.get_of(queue_id, row_id), **changes)
        self._check(row, E_QB_UPDATE)
        self.stamp(row, actor)
        return self._store(row)

    @mutation
    def delete(self, queue_id: int, row_id: int) -> QueueBucket:
        row = self.get_of(queue_id, row_id)
        self.version += 1
        del self.rows[row_id]
        del self.of_queue[queue_id][row.bucket_id]
        return row

    def search(self, queue_id: int, *, ids: Collection[int] = (), q: str | None = None) -> list[QueueBucket]:
        names = self.domain.store(Buckets)
        return [r for r in self.of_queue.get(queue_id, {}).values()
                if (not ids or r.id in ids) and (not q or ilike(q, names.name_of(r.bucket_id)))]

    @on("queue.deleted")
    def _queue_deleted(self, queue: Queue) -> None:
        for row in self.of_queue.pop(queue.id, {}).values():  # ON DELETE CASCADE
            del self.rows[row.id]

    @on("bucket.deleting")
    def _bucket_deleting(self, bucket: Bucket, users: list[str]) -> None:
        queues = sorted(q for q, rows in self.of_queue.items() if bucket.id in rows)
        if queues:
            users.append(f"queue buckets of queues {queues}")


def wire_queue_bucket(domain: Domain, row: QueueBucket) -> dict:
    return {"id": row.id, "ratio": row.ratio, "bucket": domain.store(Buckets).ref(row.bucket_id),
            "disabled": row.disabled, "priority": row.priority}


@dump_section("call_center.queue_buckets", order=165)
def _dump(domain: Domain) -> list[dict]:
    return [{**render_as("engine.QueueBucket", wire_queue_bucket(domain, r)), "queue_id": str(r.queue_id)}
            for r in domain.store(QueueBuckets)]


@section("queues", order=71)
def seed_queue_buckets(ctx: SeedContext, entries: list[dict], where: str) -> None:
    """A queue entry's ``buckets: [{bucket: <name>, priority?, ratio?, disabled?}]``."""
    rows = ctx.domain.store(QueueBuckets)
    for j, spec in enumerate(entries):
        queue_id = ctx.ref("queue", spec.get("name"), f"{where}[{j}]") if spec.get("buckets") else 0
        for k, item in enumerate(spec.get("buckets") or ()):
            at = f"{where}[{j}].buckets[{k}]"
            if not isinstance(item, dict):
                raise SeedError(f"{at}: expected dict, got {type(item).__name__}")
            attrs = {key: item[key] for key in ("ratio", "priority", "disabled") if key in item}
            with entry(at):
                rows.create(queue_id, actor=ctx.admin_id, bucket_id=ctx.ref("bucket", item.get("bucket"), at), **attrs)


QUEUE_BUCKET = Fields(QueueBucket, bucket=("bucket_id", REF), ratio="ratio", priority="priority", disabled="disabled")
api = Service("QueueBucketService", permission="cc_queue", clocked=True)


@api.operation("SearchQueueBucket")
def search(call: Call) -> dict:
    query, names = call.list_query(ENGINE_PAGE_SIZE), call.store(Buckets)
    rows = call.store(QueueBuckets).search(call.path["queue_id"], ids=call.ids("id"), q=query.q)
    page = paginate(rows, query, lambda r: wire_queue_bucket(call.domain, r),
                    default_key=lambda r: (names.name_of(r.bucket_id).casefold(), r.id))  # "bucket_name"
    return listing(call, query, page)


@api.operation("CreateQueueBucket")
def create(call: Call) -> dict:
    row = call.store(QueueBuckets).create(call.path["queue_id"], actor=call.user_id, **QUEUE_BUCKET.read(call))
    return wire_queue_bucket(call.domain, row)


@api.operation("ReadQueueBucket")
def read(call: Call) -> dict:
    return wire_queue_bucket(call.domain, call.store(QueueBuckets).get_of(call.path["queue_id"], call.path["id"]))


@api.operation("UpdateQueueBucket")
@api.operation("PatchQueueBucket")
def update(call: Call) -> dict:
    row = call.store(QueueBuckets).update(call.path["queue_id"], call.path["id"], actor=call.user_id,
                                          **QUEUE_BUCKET.read(call))
    return wire_queue_bucket(call.domain, row)


@api.operation("DeleteQueueBucket")
def delete(call: Call) -> dict:
    return wire_queue_bucket(call.domain, call.store(QueueBuckets).delete(call.path["queue_id"], call.path["id"]))
