"""The control plane under ``/__emulator__``: for tests and QA, never called by a Webitel client."""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

from flask import Blueprint, Response, current_app, request

from ..api.document import document
from ..api.protojson import read_int, render_as
from ..api.request import read_body
from ..api.service import served_routes
from ..api.wsgi import to_json
from ..callcenter.calls import E_CALL_NOT_FOUND, E_CALL_QUEUE, Switchboard
from ..callcenter.queues import Queues
from ..directory.users import Users, presence_set
from ..directory.users_http import wire_user
from ..errors import bad_args, bad_request, not_found
from ..seed import SeedError
from ..state import gc_paused
from .snapshots import copy_world
from .state_pages import is_paged, read_page

if TYPE_CHECKING:
    from ..app import Emulator

bp = Blueprint("control", __name__, url_prefix="/__emulator__")


def answer(value: Any, status: int = 200) -> Response:
    return Response(to_json(value), status=status, mimetype="application/json")


def emulator() -> Emulator:
    return current_app.extensions["webitel_emulator"]


def json_body() -> dict[str, Any]:
    body = read_body(request.get_data(cache=True))
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise bad_args("the request body must be a JSON object")
    return body


def parse_int64(value: str, name: str) -> int:
    return read_int(value, name)


@bp.get("/openapi.json")
def openapi() -> Response:
    """The OpenAPI document of what the emulator serves (for Schemathesis, Prism, partners' tools)."""
    app = current_app
    cached = app.extensions.get("webitel_emulator_openapi")
    if cached is None:
        cached = app.extensions["webitel_emulator_openapi"] = json.dumps(document(served_routes()))
    return Response(cached, mimetype="application/json")


@bp.post("/reset")
def reset() -> Response:
    started = time.perf_counter()
    emulator().reset()
    return answer({"reset": True, "took_ms": round((time.perf_counter() - started) * 1000, 3)})


@bp.post("/seed")
def seed() -> Response:
    doc = json_body()
    try:
        emulator().backend.load_seed(doc)
    except SeedError as exc:
        raise bad_request("emulator.seed.invalid", str(exc)) from exc
    return replaced()


def replaced() -> Response:
    """After a new seed or snapshot: no fault rules, an empty journal, and each domain's admin token."""
    emulator().faults.clear()
    emulator().journal.clear()
    return answer({"domains": [{"name": name, "token": token} for name, token in emulator().admin_tokens().items()]})


@bp.get("/state")
def state() -> Response:
    if is_paged(request.args):  # one page of one domain's section (state_pages): the lock only for its rows
        with gc_paused():  # as below: no cyclic-GC pass over a big world while the page's rows are made
            return answer(read_page(emulator().backend, request.args))
    # Dumped from a copy: the lock is held only while the world is copied, so a big dump (seconds
    # at 100,000 users) does not stop every other request; nor do cyclic-GC passes over the
    # dump's many short-lived objects (freed by reference counting) stop them.
    world = copy_world(emulator().backend)
    with gc_paused():
        return answer({"clock_ms": str(world.clock.now_ms()), "domains": [d.dump() for d in world.domains.values()]})


@bp.post("/faults")
def add_fault() -> Response:
    return answer(emulator().faults.add(json_body()).to_dict(), 201)


@bp.get("/faults")
def list_faults() -> Response:
    return answer({"items": emulator().faults.list()})


@bp.delete("/faults")
def clear_faults() -> Response:
    emulator().faults.clear()
    return answer({})


@bp.delete("/faults/<rule_id>")
def remove_fault(rule_id: str) -> Response:
    if not emulator().faults.remove(rule_id):
        raise not_found("emulator.fault.not_found", f"fault: id={rule_id} not found")
    return answer({})


@bp.get("/requests")
def requests_served() -> Response:
    limit = request.args.get("limit")
    journal = emulator().journal
    return answer({"items": journal.entries(parse_int64(limit, "limit") if limit else None),
                   "in_flight": journal.in_flight})


@bp.delete("/requests")
def clear_requests() -> Response:
    emulator().journal.clear()
    return answer({})


@bp.post("/presence/<user_id>")
def presence(user_id: str) -> Response:
    """Mark a user's phone registered (``sip``, ``web``, both as ``sip,web``) or not (``""``); any
    set of Webitel's presentities (``dnd``, ``dlg`` too), as ``PATCH /api/users/{id}/presence`` sets."""
    status = json_body().get("status", "")
    try:
        status = presence_set(status) if isinstance(status, str) else None
    except ValueError as exc:
        raise bad_request("emulator.presence.invalid", f"status: {exc}") from None
    if status is None:
        raise bad_request("emulator.presence.invalid", "status must be a string such as 'sip', 'web', 'sip,web' or ''")
    backend, uid = emulator().backend, parse_int64(user_id, "user_id")
    with backend.lock:
        for domain in backend.world.domains.values():
            users = domain.store(Users)
            user = users.find(uid)
            if user is not None:
                users.set_presence(user, status)
                return answer(render_as("apiUser", wire_user(domain, user)))
    raise not_found("app.user.not_found.error", f"user: id={uid} not found")




# -- calls and the clock (docs/emulator.md): the simulation is the call center's switchboard ----------
E_CLOCK = "emulator.clock.invalid"


def _boards() -> list[Switchboard]:
    return [d.store(Switchboard) for d in emulator().backend.world.domains.values()]


def _board_of_queue(queue_id: int) -> Switchboard:
    for board in _boards():
        if queue_id in board.domain.store(Queues):
            return board
    raise not_found(E_CALL_QUEUE, f"queue: id={queue_id} not found")


def _board_of_call(call_id: int) -> Switchboard:
    for board in _boards():
        if call_id in board.calls:
            board.catch_up()
            return board
    raise not_found(E_CALL_NOT_FOUND, f"call: id={call_id} not found")


@bp.post("/calls")
def add_call() -> Response:
    """``{"queue_id", "from"?, "bucket_id"?}``: an inbound call enters the queue."""
    body = json_body()
    if body.get("queue_id") in (None, ""):
        raise bad_request(E_CALL_QUEUE, "queue_id is required")
    queue_id = parse_int64(body["queue_id"], "queue_id")
    bucket = body.get("bucket_id")
    bucket_id = parse_int64(bucket, "bucket_id") if bucket not in (None, "") else None
    from_number = body.get("from") or ""
    if not isinstance(from_number, str):
        raise bad_args(f"from: invalid value for string type: {from_number!r}")
    with emulator().backend.lock:
        board = _board_of_queue(queue_id)
        return answer(board.wire(board.enqueue(queue_id, from_number, bucket_id), brief=True))


@bp.get("/calls")
def list_calls() -> Response:
    with emulator().backend.lock:
        items = []
        for board in _boards():
            board.catch_up()
            items += [board.wire(c) for c in board.calls.values()]
        return answer({"items": sorted(items, key=lambda c: int(c["id"]))})


@bp.get("/calls/<call_id>")
def read_call(call_id: str) -> Response:
    with emulator().backend.lock:
        uid = parse_int64(call_id, "call_id")
        board = _board_of_call(uid)
        return answer(board.wire(board.get(uid)))


@bp.post("/calls/<call_id>/<action>")
def call_action(call_id: str, action: str) -> Response:
    if action not in ("answer", "miss", "hangup"):
        raise not_found("emulator.call.action", f"no call action '{action}' (answer, miss, hangup)")
    with emulator().backend.lock:
        uid = parse_int64(call_id, "call_id")
        board = _board_of_call(uid)
        return answer(board.wire(getattr(board, action)(uid)))


@bp.post("/clock")
def advance_clock() -> Response:
    """``{"advance_s": 30}``: move the emulator's clock; every domain's timers run."""
    seconds = json_body().get("advance_s")
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
        raise bad_request(E_CLOCK, f"advance_s must be a number of seconds >= 0, got {seconds!r}")
    with emulator().backend.lock:
        world = emulator().backend.world
        world.clock.advance(seconds)
        for board in _boards():
            board.catch_up()
        return answer({"clock_ms": str(world.clock.now_ms())})
