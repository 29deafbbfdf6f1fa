"""HTTP face of the engine's ``QueueService`` (``/call_center/queues``), and a queue's wire form."""

from __future__ import annotations

from typing import Any

from ..api.fields import REF, TAGS, Fields, ref_id
from ..api.protojson import render_as
from ..api.request import Call
from ..api.service import Service, listing
from ..directory.users import Users, audit
from ..state import Domain, dump_section
from ..store import paginate
from .base import ENGINE_PAGE_SIZE
from .calendars import Calendars
from .calls import Switchboard
from .queues import QUEUE_REFS, Queue, Queues
from .teams import Teams

QUEUE = Fields(Queue, name="name", type="type", strategy="strategy", enabled="enabled", priority="priority",
               team=("team_id", REF), description="description", timeout="timeout",
               sec_locate_agent="sec_locate_agent", sticky_agent="sticky_agent", variables="variables",
               payload="payload", tags=("tags", TAGS), processing="processing", processing_sec="processing_sec",
               processing_renewal_sec="processing_renewal_sec", task_processing="task_processing")


def wire_queue(domain: Domain, queue: Queue) -> dict:
    waiting, active = domain.store(Switchboard).counts(queue.id)
    team = domain.store(Teams).find(queue.team_id)
    calendar = domain.store(Calendars).find(queue.calendar_id)
    refs: dict[str, Any] = {name: {"id": i} for name, i in queue.refs.items()}
    if calendar is not None:
        refs["calendar"] = {"id": calendar.id, "name": calendar.name}
    return {"id": queue.id, "domain_id": domain.id, **audit(domain.store(Users), queue),
            "strategy": queue.strategy, "enabled": queue.enabled, "payload": queue.payload,
            "priority": queue.priority, "name": queue.name, "variables": queue.variables, "timeout": queue.timeout,
            "sec_locate_agent": queue.sec_locate_agent, "type": queue.type, "description": queue.description,
            "team": {"id": team.id, "name": team.name} if team else None, "count": waiting + active,
            "waiting": waiting, "active": active, "sticky_agent": queue.sticky_agent,
            "tags": [{"name": t} for t in queue.tags], "processing": queue.processing,
            "processing_sec": queue.processing_sec, "processing_renewal_sec": queue.processing_renewal_sec,
            "task_processing": queue.task_processing, **refs}


@dump_section("call_center.queues", order=150)
def _dump(domain: Domain) -> list[dict]:
    return [render_as("engine.Queue", wire_queue(domain, q)) for q in domain.store(Queues)]


def _refs(call: Call) -> dict[str, Any]:
    return {name: ref_id(call.body.get(name)) for name in QUEUE_REFS if call.changed(name)}


api = Service("QueueService", permission="cc_queue", clocked=True)


@api.operation("SearchQueue")
def search(call: Call) -> dict:
    query, args = call.list_query(ENGINE_PAGE_SIZE), call.query
    rows = call.store(Queues).search(ids=call.ids("id"), types=call.ids("type"), teams=call.ids("team_id"),
                                     tags=args.get("tags", []), enabled=args.get("enabled"), q=query.q)
    return listing(call, query, paginate(rows, query, lambda q: wire_queue(call.domain, q)))


@api.operation("CreateQueue", entity="queue")
def create(call: Call) -> dict:
    queue = call.store(Queues).create(actor=call.user_id, refs=_refs(call), **QUEUE.read(call))
    return wire_queue(call.domain, queue)


@api.operation("ReadQueue")
def read(call: Call) -> dict:
    return wire_queue(call.domain, call.store(Queues).get(call.path["id"]))


@api.operation("UpdateQueue", entity="queue")
@api.operation("PatchQueue", entity="queue")
def update(call: Call) -> dict:
    queue = call.store(Queues).update(call.path["id"], actor=call.user_id, refs=_refs(call), **QUEUE.read(call))
    return wire_queue(call.domain, queue)


@api.operation("DeleteQueue")
def delete(call: Call) -> dict:
    return wire_queue(call.domain, call.store(Queues).delete(call.path["id"]))
