"""HTTP face of the engine's ``QueueSkillService`` (``/call_center/queues/{queue_id}/skills``)."""

from __future__ import annotations

from ..api.fields import REF, REFS, Fields
from ..api.protojson import render_as
from ..api.request import Call
from ..api.service import Service, listing
from ..state import Domain, dump_section
from ..store import paginate
from .base import ENGINE_PAGE_SIZE
from .buckets import Buckets
from .queue_skills import QueueSkill, QueueSkills
from .skills import Skills

# Omitted wrappers become 0 and an omitted enabled false: the handler copies GetValue() and the
# bool literally (docs/call-center.md), not the table's defaults.
QUEUE_SKILL = Fields(QueueSkill, skill=("skill_id", REF), buckets=("bucket_ids", REFS), lvl="lvl",
                     min_capacity="min_capacity", max_capacity="max_capacity", enabled="enabled")


def wire_queue_skill(domain: Domain, qs: QueueSkill) -> dict:
    # engine.QueueSkill declares its id an integer (not an int64 string): {"id":4, ...}.
    return {"id": qs.id, "skill": {"id": qs.skill_id, "name": domain.store(Skills).name_of(qs.skill_id)},
            "buckets": [domain.store(Buckets).ref(b) for b in qs.bucket_ids], "lvl": qs.lvl,
            "min_capacity": qs.min_capacity, "max_capacity": qs.max_capacity, "enabled": qs.enabled}


@dump_section("call_center.queue_skills", order=160)
def _dump(domain: Domain) -> list[dict]:
    return [{**render_as("engine.QueueSkill", wire_queue_skill(domain, qs)), "queue_id": str(qs.queue_id)}
            for qs in domain.store(QueueSkills)]


api = Service("QueueSkillService", permission="cc_queue", clocked=True)


@api.operation("SearchQueueSkill")
def search(call: Call) -> dict:
    query = call.list_query(ENGINE_PAGE_SIZE)
    wanted = {name: call.query.get(name, []) for name in
              ("id", "skill_id", "bucket_id", "lvl", "min_capacity", "max_capacity")}
    rows = call.store(QueueSkills).search(call.path["queue_id"], q=query.q, enabled=call.query.get("enabled"),
                                          **wanted)
    # QueueSkill.DefaultOrder is "-id".
    page = paginate(rows, query, lambda qs: wire_queue_skill(call.domain, qs), default_key=lambda qs: -qs.id)
    return listing(call, query, page)


@api.operation("CreateQueueSkill")
def create(call: Call) -> dict:
    qs = call.store(QueueSkills).create(call.path["queue_id"], **QUEUE_SKILL.read(call))
    return wire_queue_skill(call.domain, qs)


@api.operation("ReadQueueSkill")
def read(call: Call) -> dict:
    return wire_queue_skill(call.domain, call.store(QueueSkills).get_of(call.path["queue_id"], call.path["id"]))


@api.operation("UpdateQueueSkill")
@api.operation("PatchQueueSkill")
def update(call: Call) -> dict:
    qs = call.store(QueueSkills).update(call.path["queue_id"], call.path["id"], **QUEUE_SKILL.read(call))
    return wire_queue_skill(call.domain, qs)


@api.operation("DeleteQueueSkill")
def delete(call: Call) -> dict:
    return wire_queue_skill(call.domain, call.store(QueueSkills).delete(call.path["queue_id"], call.path["id"]))
