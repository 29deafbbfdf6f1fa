"""Buckets (engine ``BucketService``, ``/call_center/buckets``): named groups of a queue's members
and calls, which queue skills and queue buckets refer to. Webitel: ``call_center.cc_bucket``;
``model/cc_bucket.go`` (``IsValid`` checks nothing, default order ``id``),
``store/sqlstore/cc_bucket_store.go`` (error ids, ``q`` on name or description). A bucket still
used by a queue bucket or a member cannot be deleted: the FK's violation, which the store answers
as 400 (``extractCodeFromErr``)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from typing import Any

from ..api.fields import Fields
from ..api.protojson import render_as
from ..api.request import Call
from ..api.service import Service, crud
from ..errors import bad_request, not_found
from ..seed import SeedContext, section, seed_named
from ..state import Domain, dump_section
from ..store import ListQuery, Record, Table, any_ilike
from .base import ENGINE_PAGE_SIZE, mutation

E_BUCKET_NOT_FOUND = "store.sql_bucket.get.app_error"
E_BUCKET_DELETE = "store.sql_bucket.delete.app_error"


@dataclass
class Bucket(Record):
    name: str = ""
    description: str = ""


class Buckets(Table[Bucket]):
    kind = "bucket"

    def missing(self, row_id: int) -> Exception:
        return not_found(E_BUCKET_NOT_FOUND, f"Id={row_id}, sql: no rows in result set")

    def name_of(self, bucket_id: int | None) -> str:
        bucket = self.find(bucket_id)
        return bucket.name if bucket is not None else ""

    def ref(self, bucket_id: int | None) -> dict | None:
        """A lookup ``{"id", "name"}`` of a bucket (the id alone when it is gone)."""
        return {"id": bucket_id, "name": self.name_of(bucket_id)} if bucket_id else None

    @mutation
    def create(self, *, actor: int | None, **attributes: Any) -> Bucket:
        return self.insert(Bucket(**attributes), actor)

    @mutation
    def update(self, bucket_id: int, *, actor: int | None, **changes: Any) -> Bucket:
        return self.put(replace(self.get(bucket_id), **changes), actor)

    @mutation
    def delete(self, bucket_id: int) -> Bucket:
        bucket = self.get(bucket_id)
        users: list[str] = []
        self.domain.emit("bucket.deleting", bucket, users)  # queue buckets and members name themselves
        if users:
            raise bad_request(E_BUCKET_DELETE, f"Id={bucket_id}, pq: update or delete on table \"cc_bucket\" violates "
                                               f"foreign key constraint: still used by {', '.join(users)}")
        return self.pop(bucket_id)

    def search(self, *, ids: Collection[int] = (), q: str | None = None) -> list[Bucket]:
        return [b for b in self if (not ids or b.id in ids) and any_ilike(q, b.name, b.description)]


def wire_bucket(domain: Domain, bucket: Bucket) -> dict:
    return {"id": bucket.id, "name": bucket.name, "description": bucket.description}


@dump_section("call_center.buckets", order=104)
def _dump(domain: Domain) -> list[dict]:
    return [render_as("engine.Bucket", wire_bucket(domain, b)) for b in domain.store(Buckets)]


@section("buckets", order=44)
def seed_buckets(ctx: SeedContext, entries: list[dict], where: str) -> None:
    """``buckets: [{name, description?}]``; queues, members and calls refer to them by name."""
    buckets = ctx.domain.store(Buckets)
    seed_named(ctx, entries, where, "bucket", lambda spec, _at: buckets.create(
        actor=ctx.admin_id, name=str(spec.get("name", "")), description=str(spec.get("description", ""))))


BUCKET = Fields(Bucket, name="name", description="description")
api = Service("BucketService", permission="dictionaries", clocked=True)


def _search(call: Call, query: ListQuery) -> list[Bucket]:
    return call.store(Buckets).search(ids=call.ids("id"), q=query.q)


crud(api, Buckets, wire_bucket, BUCKET.read, page_size=ENGINE_PAGE_SIZE, search="SearchBucket", filters=_search,
     create="CreateBucket", read="ReadBucket", update=("UpdateBucket",), delete="DeleteBucket")


def bucket_missing(error_id: str, table: str, bucket_id: int) -> Exception:
    """A row referring to a bucket that does not exist: the FK's violation (400)."""
    return bad_request(error_id, f"bucket id={bucket_id} not found: pq: insert or update on table \"{table}\" "
                                 "violates foreign key constraint (bucket_id)")
