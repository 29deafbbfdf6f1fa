"""The control plane under ``/__emulator__``: for tests and QA, never called by a Webitel client."""

from __future__ import annotations

import time

from flask import Blueprint, request

from ..errors import bad_request, not_found
from ..http import answer, emulator, json_body
from ..seed import SeedError
from ..wire import parse_int64
from . import calls

bp = Blueprint("control", __name__, url_prefix="/__emulator__")


@bp.post("/reset")
def reset():
    started = time.perf_counter()
    emulator().reset()
    return answer({"reset": True, "took_ms": round((time.perf_counter() - started) * 1000, 3)})


@bp.post("/seed")
def seed():
    doc = json_body()
    try:
        emulator().backend.load_seed(doc)
    except SeedError as exc:
        raise bad_request("emulator.seed.invalid", str(exc)) from exc
    emulator().faults.clear()
    emulator().journal.clear()
    return answer({"domains": [{"name": name, "token": token} for name, token in emulator().admin_tokens().items()]})


@bp.get("/state")
def state():
    backend = emulator().backend
    with backend.lock:
        world = backend.world
        return answer({"clock_ms": str(world.clock.now_ms()), "domains": [d.dump() for d in world.domains.values()]})


@bp.post("/faults")
def add_fault():
    return answer(emulator().faults.add(json_body()).to_dict(), 201)


@bp.get("/faults")
def list_faults():
    return answer({"items": emulator().faults.list()})


@bp.delete("/faults")
def clear_faults():
    emulator().faults.clear()
    return answer({})


@bp.delete("/faults/<rule_id>")
def remove_fault(rule_id):
    if not emulator().faults.remove(rule_id):
        raise not_found("emulator.fault.not_found", f"fault: id={rule_id} not found")
    return answer({})


@bp.get("/requests")
def requests_served():
    limit = request.args.get("limit")
    return answer({"items": emulator().journal.entries(parse_int64(limit, "limit") if limit else None)})


@bp.delete("/requests")
def clear_requests():
    emulator().journal.clear()
    return answer({})


@bp.post("/presence/<user_id>")
def presence(user_id):
    """Mark a user's phone registered (``sip``, ``web``, both as ``sip,web``) or not (``""``)."""
    status = json_body().get("status", "")
    if not isinstance(status, str) or any(s not in ("sip", "web") for s in filter(None, status.split(","))):
        raise bad_request("emulator.presence.invalid", "status must be 'sip', 'web', 'sip,web' or ''")
    backend, uid = emulator().backend, parse_int64(user_id, "user_id")
    with backend.lock:
        for domain in backend.world.domains.values():
            user = domain.directory.users.get(uid)
            if user is not None:
                domain.on_presence(user, status)
                return answer(domain.directory.wire_user(user))
    raise not_found("app.user.not_found.error", f"user: id={uid} not found")


# -- calls and the clock (emulator-api.md): the call simulation is in control/calls.py -------------
@bp.post("/calls")
def add_call():
    queue_id, from_number, bucket_id = calls.parse_call_request(json_body())
    backend = emulator().backend
    with backend.lock:
        board = calls.switchboard_of_queue(backend.world, queue_id)
        return answer(board.wire(board.enqueue(queue_id, from_number, bucket_id), brief=True))


@bp.get("/calls")
def list_calls():
    backend = emulator().backend
    with backend.lock:
        return answer({"items": calls.all_calls(backend.world)})


@bp.get("/calls/<call_id>")
def read_call(call_id):
    backend = emulator().backend
    with backend.lock:
        board, call = calls.find_call(backend.world, parse_int64(call_id, "call_id"))
        return answer(board.wire(call))


@bp.post("/calls/<call_id>/<action>")
def call_action(call_id, action):
    if action not in ("answer", "miss", "hangup"):
        raise not_found("emulator.call.action", f"no call action '{action}' (answer, miss, hangup)")
    backend = emulator().backend
    with backend.lock:
        board, call = calls.find_call(backend.world, parse_int64(call_id, "call_id"))
        return answer(board.wire(getattr(board, action)(call.id)))


@bp.post("/clock")
def advance_clock():
    backend = emulator().backend
    with backend.lock:
        return answer({"clock_ms": str(calls.advance_clock(backend.world, json_body().get("advance_s")))})
