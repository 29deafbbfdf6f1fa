"""HTTP face of the engine's ``CallService`` (``/calls``): active calls, the call history, what
users do to calls, annotations and aggregates. Every call is the switchboard's (``calls.py``): the
control plane's simulated calls, the dialer's attempts and users' own calls alike.

Call ids are the switchboard's, written as decimal strings (Webitel's are UUIDs); an id that is
not one is no call.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from ..api.request import Call as Request
from ..api.service import Service, listing
from ..directory.users import Users
from ..errors import bad_request, not_found
from ..store import any_ilike, paginate
from .agents import Agents
from .base import ENGINE_PAGE_SIZE
from .call_aggregates import aggregate
from .call_control import Annotation, Annotations, CallControl, user_for_call
from .calls import CALL_ACTIVE, CALL_ENDED, CALL_OFFERING, INBOUND, Call, Switchboard
from .members import Members
from .queues import Queues
from .ranges import between, within
from .teams import Teams

E_SEARCH_HISTORY = "grpc.call.search_history"
APP_ID = "emulator"  # the call manager node a call runs on (Webitel: a FreeSWITCH's id)


def call_id(text: Any) -> int:
    """A call id from the path or a filter (anything but digits names no call: -1)."""
    value = str(text).strip()
    return int(value) if value.isdigit() else -1


def engine_state(call: Call) -> str:
    """The call's state as the engine shows an active call: ringing while offered, ``bridge``
    with an agent, ``hold`` on hold, ``active`` otherwise (a caller waiting in a queue, a user's
    own call)."""
    if call.hold_since:
        return "hold"
    if call.state == CALL_OFFERING:
        return "ringing"
    if call.state == CALL_ACTIVE and call.agent_id is not None:
        return "bridge"
    return "active"


def _seconds(ms: int) -> int:
    return max(0, ms) // 1000


class CallView:
    """One call's derived figures, shared by the active-call and history wire forms and by
    aggregates (seconds, as Webitel's ``cc_calls_history`` columns)."""

    def __init__(self, domain: Any, call: Call, now: int) -> None:
        self.call, self.domain = call, domain
        end = call.ended_at or now
        self.duration = _seconds(end - call.created_at)
        self.wait_sec = _seconds((call.answered_at or end) - call.created_at)
        self.bill_sec = _seconds(end - call.answered_at) if call.answered_at else 0
        hold = call.hold_ms + ((now - call.hold_since) if call.hold_since else 0)
        self.hold_sec = _seconds(hold)
        self.talk_sec = max(0, self.bill_sec - self.hold_sec)

    def lookups(self) -> dict[str, Any]:
        domain, call = self.domain, self.call
        users, agents = domain.store(Users), domain.store(Agents)
        user = users.find(call.user_id)
        queue = domain.store(Queues).find(call.queue_id)
        member = domain.store(Members).find(call.member_id)
        team = domain.store(Teams).find(call.team_id)
        agent_user = user if call.agent_id is not None else None
        caller: dict[str, str] | None = {"type": "dest", "number": call.from_number, "name": call.from_name}
        if call.queue_id is None:
            caller = {"type": "user", "id": str(call.user_id or ""), "number": call.from_number,
                      "name": call.from_name}
            callee: dict[str, str] | None = {"type": "dest", "number": call.destination}
        elif call.direction == INBOUND:
            callee = {"type": "user", "id": str(agent_user.id), "number": agent_user.extension,
                      "name": agent_user.display_name} if agent_user else None
        else:
            caller = {"type": "user", "id": str(agent_user.id), "number": agent_user.extension,
                      "name": agent_user.display_name} if agent_user else None
            callee = {"type": "dest", "number": call.destination, "name": call.from_name}
        return {
            "user": {"id": user.id, "name": user.display_name} if user else None,
            "extension": user.extension if user else "", "direction": call.direction,
            "destination": call.destination or (agent_user.extension if agent_user else ""),
            "from": caller, "to": callee, "variables": call.variables,
            "queue": {"id": queue.id, "name": queue.name} if queue else None,
            "member": {"id": member.id, "name": member.name} if member else None,
            "team": {"id": team.id, "name": team.name} if team else None,
            "agent": {"id": call.agent_id, "name": agents.name_of(call.agent_id)} if call.agent_id else None,
        }

    def timings(self) -> dict[str, Any]:
        call = self.call
        queued = call.queue_id is not None
        return {"created_at": call.created_at, "answered_at": call.answered_at, "bridged_at": call.answered_at,
                "duration": self.duration, "hold_sec": self.hold_sec, "wait_sec": self.wait_sec,
                "bill_sec": self.bill_sec, "joined_at": call.created_at if queued else 0,
                "leaving_at": call.ended_at if queued and call.attempt_over else 0,
                "reporting_at": call.reported_at, "queue_bridged_at": call.answered_at if queued else 0,
                "queue_wait_sec": self.wait_sec if queued else 0,
                "queue_duration_sec": self.duration if queued else 0,
                "reporting_sec": _seconds(call.reported_at - call.ended_at) if call.reported_at else 0,
                "display": call.from_number, "blind_transfer": call.transfer_to}


def wire_active_call(domain: Any, call: Call) -> dict:
    now = domain.now()
    view = CallView(domain, call, now)
    return {"id": str(call.id), "app_id": APP_ID, "state": engine_state(call), "timestamp": now,
            "type": call.variables.get("wbt_call_type", "call"),
            "parent_id": str(call.parent_id) if call.parent_id else "", **view.lookups(), **view.timings()}


def wire_history_call(domain: Any, call: Call) -> dict:
    view = CallView(domain, call, domain.now())
    users = domain.store(Users)
    notes = domain.store(Annotations).of(call.id)
    return {
        "id": str(call.id), "app_id": APP_ID, "type": call.variables.get("wbt_call_type", "call"),
        "parent_id": str(call.parent_id) if call.parent_id else "", **view.lookups(), **view.timings(),
        "hangup_at": call.ended_at, "cause": call.cause, "sip_code": 200 if call.answered_at else 487,
        "result": call.result, "stored_at": call.ended_at, "transfer_to": call.transfer_to,
        "has_children": bool(domain.store(Switchboard).children.get(call.id)),
        "agent_description": call.description, "talk_sec": view.talk_sec,
        "hold": [{"start": a, "stop": b, "sec": (b - a) / 1000} for a, b in call.holds],
        "annotations": [wire_annotation(users, n) for n in notes],
        "attempt_id": call.id if call.queue_id is not None else 0, "member_id": call.member_id,
        "from_number": call.from_number, "to_number": call.destination,
    }


def wire_annotation(users: Users, note: Annotation) -> dict:
    def user(uid: int | None) -> dict | None:
        found = users.find(uid)
        return {"id": found.id, "name": found.display_name} if found else None

    return {"id": note.id, "call_id": str(note.call_id), "created_by": user(note.created_by),
            "created_at": note.created_at, "updated_by": user(note.updated_by), "updated_at": note.updated_at,
            "note": note.note, "start_sec": note.start_sec, "end_sec": note.end_sec, "file_id": note.file_id}


# -- search -------------------------------------------------------------------------------------------
UNRECORDED = ("has_file", "exists_file", "has_transcript", "rated", "amd_result", "amd_ai_result", "gateway_id",
              "contact_id", "schema_id", "rated_by", "rated_user", "owner_id", "grantee_id", "supervisor_id", "tags",
              "transfer_from", "fts", "dependency_id", "score_required", "score_optional")
REFERENCES = ("user_id", "agent_id", "queue_id", "team_id", "member_id")
RANGES = ("created_at", "answered_at", "stored_at", "duration", "talk")


class CallFilter:
    """The filters of ``SearchCallRequest`` / ``SearchHistoryCallRequest`` the emulator's calls
    can answer, read from a query (ranges as ``name.from``/``name.to``) or a body (``{"name":
    {"from", "to"}}``). A filter on something the emulator does not record (files, transcripts,
    ratings, AMD, gateways, contacts, schemas, grantees, tags) matches no call when it is set."""

    def __init__(self, source: Mapping[str, Any], *, query: bool) -> None:
        self.source, self.query = source, query
        self.refs = {name: self.ids(name) for name in REFERENCES}
        self.call_ids = self.ids("id")
        self.ranges = {name: between(source, name, query=query) for name in RANGES}
        direction = source.get("direction")
        self.directions = set(source.get("directions") or ()) | set(
            direction if isinstance(direction, list) else [direction] if direction else [])
        self.causes, self.states = set(source.get("cause") or ()), set(source.get("state") or ())
        self.transfer_to = set(source.get("transfer_to") or ())
        self.variables = dict(source.get("variables") or {})
        self.impossible = any(source.get(k) for k in UNRECORDED)

    def ids(self, name: str) -> set[int]:
        values = self.source.get(name) or []
        return {call_id(v) for v in (values if isinstance(values, list) else [values])}

    def matches(self, c: Call, v: CallView) -> bool:
        s = self.source
        values = {"created_at": c.created_at, "answered_at": c.answered_at, "stored_at": c.ended_at,
                  "duration": v.duration, "talk": v.talk_sec}
        return (not self.impossible
                and all(not wanted or getattr(c, name) in wanted for name, wanted in self.refs.items())
                and (not self.call_ids or c.id in self.call_ids)
                and all(within(values[name], b) for name, b in self.ranges.items())
                and (not self.directions or c.direction in self.directions)
                and (not self.causes or c.cause in self.causes)
                and (not self.states or engine_state(c) in self.states)
                and (not s.get("number") or any_ilike(s["number"], c.from_number, c.destination))
                and (not s.get("missed") or (not c.answered_at and c.direction == INBOUND and not c.hide_missed))
                and (not s.get("skip_parent") or c.parent_id is None)
                and (not s.get("parent_id") or c.parent_id == call_id(s["parent_id"]))
                and (s.get("has_transfer") is None or bool(c.transfer_to) == s["has_transfer"])
                and (not self.transfer_to or c.transfer_to in self.transfer_to)
                and all(c.variables.get(k) == x for k, x in self.variables.items())
                and (not s.get("agent_description") or any_ilike(s["agent_description"], c.description))
                and (not s.get("q") or any_ilike(s["q"], c.from_number, c.destination, c.from_name)))

    def pick(self, calls: Iterable[Call], domain: Any) -> list[Call]:
        now = domain.now()
        return [c for c in calls if self.matches(c, CallView(domain, c, now))]


def _newest_first(calls: Iterable[Call]) -> list[Call]:
    return sorted(calls, key=lambda c: (-c.created_at, -c.id))


api = Service("CallService", permission="calls", clocked=True)


def _control(call: Request) -> CallControl:
    return call.store(CallControl)


def _mine(call: Request, name: str = "id") -> Call:
    session = call.session
    assert session is not None
    return _control(call).active(call_id(call.path[name]), user_id=session.user_id, admin=session.root)


@api.operation("SearchActiveCall")
def search_active(call: Request) -> dict:
    query, board = call.list_query(ENGINE_PAGE_SIZE), call.store(Switchboard)
    board.catch_up()
    rows = CallFilter(call.query, query=True).pick((board.calls[i] for i in board.live), call.domain)
    return listing(call, query, paginate(_newest_first(rows), query, lambda c: wire_active_call(call.domain, c)))


@api.operation("ReadCall")
def read(call: Request) -> dict:
    board = call.store(Switchboard)
    found = board.calls.get(call_id(call.path["id"]))
    if found is None or found.state == CALL_ENDED:
        raise _not_found(call.path["id"])
    return wire_active_call(call.domain, found)


def _not_found(text: str) -> Exception:
    return not_found("store.sql_call.get.app_error", f"Id={text}, sql: no rows in result set")


def _history(call: Request, source: Mapping[str, Any], *, query: bool) -> dict:
    if not any(source.get(k) for k in ("number", "q", "dependency_id", "id")) and not any(
            k in source for k in ("created_at", "stored_at", "created_at.from", "created_at.to", "stored_at.from",
                                  "stored_at.to")):
        raise bad_request(E_SEARCH_HISTORY, "filter created_at or stored_at or q is required")
    page = call.list_query(ENGINE_PAGE_SIZE)
    board = call.store(Switchboard)
    ended = (c for c in board.calls.values() if c.state == CALL_ENDED)
    rows = CallFilter(source, query=query).pick(ended, call.domain)
    return listing(call, page, paginate(_newest_first(rows), page, lambda c: wire_history_call(call.domain, c)))


@api.operation("SearchHistoryCall")
def search_history(call: Request) -> dict:
    return _history(call, call.query, query=True)


@api.operation("SearchHistoryCallPost", project=True)
def search_history_post(call: Request) -> dict:
    call.query = {**call.query, **{k: call.body[k] for k in ("page", "size", "sort", "fields") if k in call.body}}
    return _history(call, call.body, query=False)


def history_columns(domain: Any, call: Call) -> dict[str, Any]:
    """A call of the history as the columns aggregates read (``cc_calls_history``'s names)."""
    view = CallView(domain, call, domain.now())
    return {"id": str(call.id), "created_at": call.created_at, "answered_at": call.answered_at or None,
            "bridged_at": call.answered_at or None, "hangup_at": call.ended_at, "stored_at": call.ended_at,
            "duration": view.duration, "bill_sec": view.bill_sec, "hold_sec": view.hold_sec,
            "wait_sec": view.wait_sec, "talk_sec": view.talk_sec, "queue_id": call.queue_id, "agent_id": call.agent_id,
            "team_id": call.team_id, "user_id": call.user_id, "member_id": call.member_id,
            "direction": call.direction, "cause": call.cause, "result": call.result or None,
            "destination": call.destination, "from_number": call.from_number, "transfer_to": call.transfer_to or None}


@api.operation("AggregateHistoryCall")
def aggregate_history(call: Request) -> dict:
    body = call.body
    if not body.get("created_at") and not body.get("stored_at"):
        raise bad_request(E_SEARCH_HISTORY, "filter created_at or stored_at is required")
    board = call.store(Switchboard)
    rows = [history_columns(call.domain, c) for c in CallFilter(body, query=False).pick(
        (c for c in board.calls.values() if c.state == CALL_ENDED), call.domain)]
    return {"items": [{"name": agg.get("name", ""), "data": aggregate(rows, agg)} for agg in body.get("aggs") or ()]}


@api.operation("CreateCall", self_service=True)
def create(call: Request) -> dict:
    session, body = call.session, call.body
    assert session is not None
    origin = body.get("from")
    caller = user_for_call(call.domain, origin.get("id"), origin.get("extension")) if origin is not None \
        else user_for_call(call.domain, session.user_id, None)
    if not session.root and caller.id != session.user_id:
        raise bad_request("app.call.create.valid.from", "a user makes calls from their own phone")
    to = body.get("to") or {}
    to_user = user_for_call(call.domain, to.get("id"), to.get("extension")) if to.get("id") or to.get("extension") \
        else None
    made = _control(call).originate(caller=caller, destination=body.get("destination", ""), to_user=to_user,
                                    variables=(body.get("params") or {}).get("variables"))
    return {"id": str(made.id)}


# What a user does to one of their calls in progress: operationId -> the action (control, call,
# body) and its answer. ConfirmPush confirms the phone's push: a call in progress is all there is.
def _empty(_call: Call) -> dict:
    return {}  # the engine's empty responses (HangupCallResponse, DtmfCallResponse, ...)


ACTIONS: dict[str, Callable[[CallControl, Call, dict], dict]] = {
    "HangupCall": lambda ctl, c, body: _empty(ctl.hangup(c, body.get("cause", ""))),
    "HoldCall": lambda ctl, c, body: {"state": ctl.hold(c)},
    "UnHoldCall": lambda ctl, c, body: {"state": ctl.unhold(c)},
    "DtmfCall": lambda ctl, c, body: _empty(ctl.dtmf(c, body.get("digit", ""))),
    "BlindTransferCall": lambda ctl, c, body: _empty(ctl.transfer(c, body.get("destination", ""))),
    "SetVariablesCall": lambda ctl, c, body: _empty(ctl.set_variables(c, body.get("variables") or {})),
    "ConfirmPush": lambda ctl, c, body: _empty(c),
}


def _act(op_id: str) -> Callable[[Request], dict]:
    def view(call: Request) -> dict:
        return ACTIONS[op_id](_control(call), _mine(call), call.body if isinstance(call.body, dict) else {})

    return view


for _op_id in ACTIONS:
    api.operation(_op_id, self_service=True)(_act(_op_id))


@api.operation("EavesdropCall")
def eavesdrop(call: Request) -> dict:
    session = call.session
    assert session is not None
    target = _mine(call)
    supervisor = user_for_call(call.domain, session.user_id, None)
    made = _control(call).eavesdrop(target, supervisor, {k: str(v).lower() for k, v in call.body.items()
                                                         if k in ("control", "listen_a", "listen_b", "whisper_a",
                                                                  "whisper_b")})
    return {"id": str(made.id)}


@api.operation("RedialCall", self_service=True)
def redial(call: Request) -> dict:
    session = call.session
    assert session is not None
    caller = user_for_call(call.domain, session.user_id, None)
    return {"id": str(_control(call).redial(call_id(call.path["call_id"]), caller).id)}


@api.operation("PatchHistoryCall", self_service=True)
def patch_history(call: Request) -> dict:
    control = _control(call)
    found = control.patch_history(control.ended(call_id(call.path["id"])), variables=call.body.get("variables"),
                                  hide_missed=call.body.get("hide_missed") if call.changed("hide_missed") else None)
    return wire_history_call(call.domain, found)


@api.operation("CreateCallAnnotation", self_service=True)
def annotate(call: Request) -> dict:
    body = call.body
    note = _control(call).annotate(call_id(call.path["call_id"]), actor=call.user_id, note=body.get("note", ""),
                                   start_sec=body.get("start_sec", 0), end_sec=body.get("end_sec", 0),
                                   file_id=body.get("file_id") or None)
    return wire_annotation(call.store(Users), note)


@api.operation("UpdateCallAnnotation", self_service=True)
def reannotate(call: Request) -> dict:
    body = call.body
    note = _control(call).reannotate(call_id(call.path["call_id"]), call.path["id"], actor=call.user_id,
                                     note=body.get("note", ""), start_sec=body.get("start_sec", 0),
                                     end_sec=body.get("end_sec", 0))
    return wire_annotation(call.store(Users), note)


@api.operation("DeleteCallAnnotation", self_service=True)
def unannotate(call: Request) -> dict:
    note = _control(call).unannotate(call_id(call.path["call_id"]), call.path["id"])
    return wire_annotation(call.store(Users), note)

