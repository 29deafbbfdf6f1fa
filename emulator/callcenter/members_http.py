"""HTTP face of the engine's ``MemberService``, members' part (``/call_center/members``,
``/call_center/queues/{queue_id}/members``, ``/call_center/queues/members``); attempts are in
``attempts_http.py``. Also a member's wire form, seed section and part of the state."""

from __future__ import annotations

import base64
import csv
import io
from collections.abc import Mapping
from typing import Any

from ..api.fields import REF, Fields, ref_id
from ..api.protojson import decode, render_as
from ..api.request import Call
from ..api.service import Service, listing
from ..directory.users import Users
from ..errors import bad_request
from ..seed import SeedContext, SeedError, entry, section
from ..state import Domain, dump_records
from ..store import paginate
from .agents import Agents
from .base import ENGINE_PAGE_SIZE
from .buckets import Buckets
from .calendars_http import timezone_ref
from .members import Communication, Member, MemberFilter, Members
from .queues import Queues
from .ranges import between
from .skills import Skills

E_EXPORT_FORMAT = "app.member.export.valid.format"
E_MEMBER_QUEUE_NOT_FOUND = "store.sql_member.get_queue.not_found"
MEMBER = Fields(Member, priority="priority", expire_at="expire_at", min_offering_at="ready_at",
                variables="variables", name="name", timezone=("timezone_id", REF), bucket=("bucket_id", REF),
                agent=("agent_id", REF), skill=("skill_id", REF), stop_cause="stop_cause", attempts="attempts")


def communications(values: Any) -> list[Communication]:
    """``MemberCommunicationCreateRequest`` items (typed by protojson) as a member's numbers."""
    return [Communication(destination=(c.get("destination") or "").strip(" "), type_id=ref_id(c.get("type")) or 0,
                          priority=c.get("priority", 0), description=c.get("description", ""),
                          resource_id=ref_id(c.get("resource")), display=c.get("display", ""), dtmf=c.get("dtmf", ""),
                          stop_at=c.get("stop_at", 0))
            for c in values or ()]


def member_attributes(call: Call, body: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """A member's attributes from a body: those the request writes (all on POST and PUT)."""
    body = call.body if body is None else body
    attributes = MEMBER.read(call, body)
    if call.changed("communications"):
        attributes["communications"] = communications(body.get("communications"))
    return attributes


def member_filter(call: Call, source: Mapping[str, Any] | None = None, *,
                  queue_id: int | None = None) -> MemberFilter:
    """The members a request picks: by the query (GET) or by the body (DELETE, PATCH reset)."""
    query = source is None
    src: Mapping[str, Any] = call.query if source is None else source
    ranges = {name: between(src, name, query=query) for name in ("created_at", "offering_at", "priority", "attempts")}
    return MemberFilter(
        ids=frozenset(call.ids("id", dict(src)) + call.ids("ids", dict(src))),
        queue_ids=frozenset([queue_id] if queue_id is not None else call.ids("queue_id", dict(src))),
        bucket_ids=frozenset(call.ids("bucket_id", dict(src))), agent_ids=frozenset(call.ids("agent_id", dict(src))),
        stop_causes=frozenset(src.get("stop_cause") or ()), numbers=frozenset(src.get("numbers") or ()),
        destination=src.get("destination") or None, name=src.get("name") or None, q=src.get("q") or None,
        variables=dict(src.get("variables") or {}), **ranges)


def wire_communication(comm: Communication) -> dict:
    return {"destination": comm.destination, "type": {"id": comm.type_id}, "priority": comm.priority,
            "description": comm.description, "resource": {"id": comm.resource_id}, "display": comm.display,
            "last_activity_at": comm.last_activity_at, "attempts": comm.attempts, "last_cause": comm.last_cause,
            "stop_at": comm.stop_at, "dtmf": comm.dtmf}


def ref(name: str | None, row_id: int | None) -> dict | None:
    return {"id": row_id, "name": name} if row_id else None


def wire_member(domain: Domain, m: Member) -> dict:
    queue = domain.store(Queues).find(m.queue_id)
    return {"id": m.id, "queue": ref(queue.name if queue else None, m.queue_id), "priority": m.priority,
            "expire_at": m.expire_at, "created_at": m.created_at, "variables": m.variables, "name": m.name,
            "timezone": timezone_ref(m.timezone_id),
            "communications": [wire_communication(c) for c in m.communications],
            "bucket": domain.store(Buckets).ref(m.bucket_id), "min_offering_at": m.ready_at,
            "stop_cause": m.stop_cause, "last_activity_at": m.last_activity_at, "attempts": m.attempts,
            "reserved": m.attempt_id is not None, "agent": ref(domain.store(Agents).name_of(m.agent_id), m.agent_id),
            "skill": ref(domain.store(Skills).name_of(m.skill_id), m.skill_id)}


@dump_records("call_center.members", lambda domain: domain.store(Members).rows.values(), order=175)
def _dump(domain: Domain, m: Member) -> dict:
    return render_as("engine.MemberInQueue", wire_member(domain, m))


@section("queues", order=75)
def seed_members(ctx: SeedContext, entries: list[dict], where: str) -> None:
    """A queue entry's ``members: [{name, communications: [{destination, type?: {id}}], priority?,
    bucket?: <name>, agent?: <username>, skill?: <name>, variables?, ...}]``, read as the API reads
    ``POST .../members`` (a communication's type defaults to id 1)."""
    members = ctx.domain.store(Members)
    for j, spec in enumerate(entries):
        items = spec.get("members") or []
        if not items:
            continue
        queue_id = ctx.ref("queue", spec.get("name"), f"{where}[{j}]")
        for k, item in enumerate(items):
            at = f"{where}[{j}].members[{k}]"
            if not isinstance(item, dict):
                raise SeedError(f"{at}: expected dict, got {type(item).__name__}")
            names = {key: item[key] for key in ("bucket", "agent", "skill") if isinstance(item.get(key), str)}
            comms = [{"type": {"id": 1}, **c} if isinstance(c, dict) else c for c in item.get("communications") or ()]
            rest = {k: v for k, v in item.items() if k not in names}  # the seed document stays as it was
            with entry(at):
                body = decode({"$ref": "#/definitions/engine.MemberService.CreateMemberBody"},
                              {**rest, "communications": comms})
            attributes = {"name": body.get("name", ""), "priority": body.get("priority", 0),
                          "variables": body.get("variables", {}), "expire_at": body.get("expire_at", 0),
                          "ready_at": body.get("min_offering_at", 0), "timezone_id": ref_id(body.get("timezone")),
                          "bucket_id": ref_id(body.get("bucket")), "skill_id": ref_id(body.get("skill")),
                          "agent_id": ref_id(body.get("agent")),
                          "communications": communications(body.get("communications"))}
            if "bucket" in names:
                attributes["bucket_id"] = ctx.ref("bucket", names["bucket"], f"{at}.bucket")
            if "skill" in names:
                attributes["skill_id"] = ctx.ref("skill", names["skill"], f"{at}.skill")
            if "agent" in names:
                attributes["agent_id"] = _agent_of(ctx, names["agent"], f"{at}.agent")
            with entry(at):
                members.create(queue_id, actor=ctx.admin_id, **attributes)


def _agent_of(ctx: SeedContext, username: str, where: str) -> int:
    user = ctx.domain.store(Users).by_username(username)
    agent = ctx.domain.store(Agents).of(user.id) if user is not None else None
    if agent is None:
        raise SeedError(f"{where}: no agent whose username is '{username}' in the seed")
    return agent.id


api = Service("MemberService", permission="cc_queue", clocked=True)


def _list(call: Call, rows: list[Member]) -> dict:
    query = call.list_query(ENGINE_PAGE_SIZE)
    return listing(call, query, paginate(rows, query, lambda m: wire_member(call.domain, m),
                                         default_key=lambda m: -m.id))  # Member.DefaultOrder "-id"


@api.operation("SearchMembers")
def search_all(call: Call) -> dict:
    return _list(call, call.store(Members).search(member_filter(call)))


@api.operation("SearchMemberInQueue")
def search(call: Call) -> dict:
    return _list(call, call.store(Members).search(member_filter(call, queue_id=call.path["queue_id"])))


@api.operation("CreateMember")
def create(call: Call) -> dict:
    member = call.store(Members).create(call.path["queue_id"], actor=call.user_id, **member_attributes(call))
    return wire_member(call.domain, member)


@api.operation("CreateMemberBulk")
def create_bulk(call: Call) -> dict:
    items = [member_attributes(call, item) for item in call.body.get("items", [])]
    made = call.store(Members).create_many(call.path["queue_id"], items, actor=call.user_id,
                                           file_name=call.body.get("file_name", ""))
    return {"ids": [m.id for m in made]}


@api.operation("ReadMember")
def read(call: Call) -> dict:
    return wire_member(call.domain, call.store(Members).get_of(call.path["queue_id"], call.path["id"]))


@api.operation("UpdateMember")
def update(call: Call) -> dict:
    attributes = member_attributes(call)
    attributes.pop("attempts", None)  # PUT keeps the count (app/cc_member.go copies the old member)
    member = call.store(Members).update(call.path["queue_id"], call.path["id"], actor=call.user_id, **attributes)
    return wire_member(call.domain, member)


@api.operation("PatchMember")
def patch(call: Call) -> dict:
    member = call.store(Members).patch(call.path["id"], actor=call.user_id, queue_id=call.path["queue_id"],
                                       **member_attributes(call))
    return wire_member(call.domain, member)


@api.operation("PatchMemberOne")
def patch_one(call: Call) -> dict:
    """``PATCH /call_center/members/{id}``: the member's queue is looked up first
    (``MemberQueueId``: 400 ``store.sql_member.get_queue.not_found`` when there is none)."""
    members = call.store(Members)
    found = members.find(call.path["id"])
    if found is None:
        raise bad_request(E_MEMBER_QUEUE_NOT_FOUND, "Not found member or queue")
    member = members.patch(found.id, actor=call.user_id, queue_id=found.queue_id, **member_attributes(call))
    return wire_member(call.domain, member)


@api.operation("DeleteMember")
def delete(call: Call) -> dict:
    return wire_member(call.domain, call.store(Members).delete(call.path["queue_id"], call.path["id"]))


def _deleted(call: Call, wanted: MemberFilter) -> dict:
    removed = call.store(Members).delete_many(wanted, limit=call.body.get("size") or 0)
    return {"items": [] if call.body.get("without_members") else [wire_member(call.domain, m) for m in removed]}


@api.operation("DeleteMembers")
def delete_in_queue(call: Call) -> dict:
    return _deleted(call, member_filter(call, call.body, queue_id=call.path["queue_id"]))


@api.operation("DeleteAllMembers")
def delete_all(call: Call) -> dict:
    return _deleted(call, member_filter(call, call.body))


@api.operation("ResetMembers")
def reset(call: Call) -> dict:
    queue_id = call.path["queue_id"]
    call.store(Queues).get(queue_id)
    return {"count": call.store(Members).reset(queue_id, member_filter(call, call.body, queue_id=queue_id))}


@api.operation("ResetMembersCount")
def reset_count(call: Call) -> dict:
    queue_id = call.path["queue_id"]
    call.store(Queues).get(queue_id)
    wanted = member_filter(call, {**call.query, "ids": call.query.get("ids", [])}, queue_id=queue_id)
    return {"count": len(call.store(Members).resettable(queue_id, wanted))}


EXPORT_COLUMNS = ("id", "name", "priority", "destination", "bucket", "stop_cause", "attempts", "created_at")


@api.operation("ExportMembers")
def export(call: Call) -> dict:
    """The members the filters pick as CSV (``format`` csv, ``separator`` one character, default
    ","), in one chunk of the stream: ``{"result": {"data": <base64>}}``."""
    fmt, separator = call.query.get("format") or "csv", call.query.get("separator") or ","
    if fmt.lower() != "csv" or len(separator) != 1:
        raise bad_request(E_EXPORT_FORMAT, f"format={fmt!r} separator={separator!r}: only csv with a one-character "
                                           "separator is exported")
    queue_id = call.path["queue_id"]
    call.store(Queues).get(queue_id)
    buckets = call.store(Buckets)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=separator, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    for m in sorted(call.store(Members).search(member_filter(call, queue_id=queue_id)), key=lambda m: m.id):
        writer.writerow((m.id, m.name, m.priority, ";".join(c.destination for c in m.communications),
                         buckets.name_of(m.bucket_id), m.stop_cause, m.attempts, m.created_at))
    return {"result": {"data": base64.b64encode(out.getvalue().encode()).decode()}}

