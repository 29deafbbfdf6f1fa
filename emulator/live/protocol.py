"""The socket's requests and replies (engine ``app/websocket_router.go``, ``wsapi/*``).

A request is ``{"seq", "action", "data"}``; its reply ``{"status": "OK"|"FAIL", "seq_reply",
"data"?, "error"?}``. ``authentication_challenge {"token"}`` signs the socket in and is followed by
the ``hello`` event; every other action needs that and runs as the token's user, through the
same rules as the REST API (``Switchboard``, ``CallControl``). A frame that is not a JSON object
of those fields is ignored, as the engine's decoder skips it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..callcenter.agents import E_LICENSE_CC, OFFLINE, ONLINE, PAUSE, Agents
from ..callcenter.call_control import CallControl
from ..callcenter.calls import CALL_ACTIVE, CALL_OFFERING, Call, Switchboard
from ..callcenter.calls_http import call_id
from ..directory.licenses import Licenses
from ..directory.users import Users
from ..errors import WebitelError, bad_request, forbidden, internal, not_found
from ..state import Domain, Session
from .events import phone_event
from .hub import Connection, Hub
from .wire import APP_ID, agent_session, agent_task, call_item

AUTHENTICATION_CHALLENGE = "authentication_challenge"
E_NO_ACTION = "api.web_socket_router.no_action.app_error"
E_BAD_SEQ = "api.web_socket_router.bad_seq.app_error"
E_BAD_ACTION = "api.web_socket_router.bad_action.app_error"
E_NOT_AUTHENTICATED = "api.web_socket_router.not_authenticated.app_error"
E_INVALID_PARAM = "api.websocket_handler.invalid_param.app_error"
E_NO_LICENSE = "api.context.permissions.license"
E_NO_AGENT = "User.valid.agent_id"


@dataclass
class Request:
    conn: Connection
    domain: Domain
    session: Session
    action: str
    data: dict

    def number(self, name: str) -> int:
        """A JSON number (the engine reads ``data[name].(float64)``: a string is refused)."""
        value = self.data.get(name)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise invalid_param(self.action, name)
        return int(value)

    def text(self, name: str) -> str:
        value = self.data.get(name)
        if not isinstance(value, str):
            raise invalid_param(self.action, name)
        return value

    @property
    def board(self) -> Switchboard:
        return self.domain.store(Switchboard)

    @property
    def control(self) -> CallControl:
        return self.domain.store(CallControl)

    def my_call(self) -> Call:
        """The call ``id`` names (``app_id`` is required too, as the call manager's node)."""
        target = call_id(self.text("id"))
        self.text("app_id")
        return self.control.active(target, user_id=self.session.user_id, admin=self.session.root)


def invalid_param(action: str, name: str) -> WebitelError:
    return bad_request(E_INVALID_PARAM, f"{action}: invalid or missing parameter {name!r}")


def reply(seq: int, data: dict | None = None, error: WebitelError | None = None) -> dict:
    """The engine leaves out a zero ``seq_reply`` and empty ``data`` (``omitempty``)."""
    out: dict[str, Any] = {"status": "FAIL" if error else "OK"}
    if seq:
        out["seq_reply"] = seq
    if error is not None:
        out["error"] = error.envelope()
    elif data:
        out["data"] = data
    return out


# -- actions ---------------------------------------------------------------------------------------
def ping(req: Request) -> dict:
    return {"pong": 1}


def agent_session_of(req: Request) -> dict:
    """The caller's own agent (the engine reads ``user_id`` as an int64 a JSON number never is)."""
    agents = req.domain.store(Agents)
    agent = agents.of(req.session.user_id)
    if agent is None:
        raise not_found(E_NO_AGENT, f"user {req.session.user_id} is not an agent")
    if not agents.licensed(agent.user_id, req.domain.now()):
        raise forbidden(E_LICENSE_CC, 'Not found "CALL_CENTER" license')
    return agent_session(req.domain, agent, req.domain.now())


def agent_tasks(req: Request) -> dict:
    """The agent's attempt in progress, if any (engine ``CCTask``)."""
    agent = req.domain.store(Agents).get(req.number("agent_id"))
    call = req.board.calls.get(agent.call_id) if agent.call_id is not None else None
    if call is None or call.queue_id is None:
        return {"items": []}
    return {"items": [agent_task(agent, call, req.domain.now())]}


def subscribe_agent_status(req: Request) -> None:
    req.conn.agents.add(req.number("agent_id"))


def set_status(status: str) -> Callable[[Request], dict]:
    def action(req: Request) -> dict:
        agent_id = req.number("agent_id")
        payload = req.data.get("payload") if status == PAUSE else ""
        req.board.change_status(agent_id, status, payload if isinstance(payload, str) else "",
                                user_id=req.session.user_id, admin=req.session.root)
        return {}

    return action


def agent_waiting(req: Request) -> dict:
    agent_id, channel = req.number("agent_id"), req.text("channel")
    return {"timestamp": req.board.waiting_channel(agent_id, channel)}


def phone_calls(req: Request) -> list[Call]:
    board = req.board
    return [board.calls[i] for i in sorted(board.live) if board.calls[i].user_id == req.session.user_id
            and board.calls[i].state in (CALL_OFFERING, CALL_ACTIVE)]


def subscribe_call(req: Request) -> dict:
    """Calls on the user's phone, and their events from now on (``subscribe_call``)."""
    req.conn.calls = True
    now, items = req.domain.now(), []
    for call in phone_calls(req):
        event = phone_event(call)
        req.conn.known_calls[call.id] = event
        items.append(call_item(req.domain, call, req.session.user_id, event, now))
    return {"items": items}


def unsubscribe_call(req: Request) -> None:
    req.conn.calls = False
    req.conn.known_calls.clear()


def call_invite(req: Request) -> dict:
    caller = req.domain.store(Users).find(req.session.user_id)
    if caller is None:
        raise not_found(E_NO_AGENT, f"user {req.session.user_id} not found")
    made = req.control.originate(caller=caller, destination=req.text("destination"))
    return {"id": str(made.id)}


def call_hangup(req: Request) -> None:
    cause = req.data.get("cause")
    req.control.hangup(req.my_call(), str(cause) if cause else "")


def call_hold(req: Request) -> None:
    req.control.hold(req.my_call())


def call_unhold(req: Request) -> None:
    req.control.unhold(req.my_call())


ACTIONS: dict[str, Callable[[Request], dict | None]] = {
    "ping": ping,
    "cc_agent_session": agent_session_of,
    "cc_agent_tasks": agent_tasks,
    "cc_agent_subscribe_status": subscribe_agent_status,
    "cc_agent_online": set_status(ONLINE),
    "cc_agent_pause": set_status(PAUSE),
    "cc_agent_offline": set_status(OFFLINE),
    "cc_agent_waiting": agent_waiting,
    "subscribe_call": subscribe_call,
    "un_subscribe_call": unsubscribe_call,
    "call_invite": call_invite,
    "call_hangup": call_hangup,
    "call_hold": call_hold,
    "call_unhold": call_unhold,
}


# -- the router ------------------------------------------------------------------------------------
def parse(text: str) -> tuple[int, str, dict] | None:
    """(seq, action, data) of a frame, or None for one the engine's decoder would skip."""
    try:
        message = json.loads(text)
    except ValueError:
        return None
    if not isinstance(message, dict):
        return None
    seq, action, data = message.get("seq", 0), message.get("action", ""), message.get("data")
    if isinstance(seq, bool) or not isinstance(seq, int) or not isinstance(action, str) \
            or not isinstance(data, dict | None):
        return None
    return seq, action, data or {}


def hello(domain: Domain, session: Session, conn: Connection) -> dict:
    """The ``hello`` event (engine ``WebConn.SendHello``). Its session carries the socket's own
    token back, as the engine's does: the SDK reads it from there for its uploads."""
    user = domain.store(Users).get(session.user_id)
    licenses = domain.store(Licenses)
    return {"server_node_id": APP_ID, "server_build_commit": "", "server_version": "emulator",
            "server_time": domain.now(), "sock_id": conn.id,
            "session": {"id": conn.id, "name": user.username, "domain_id": domain.id, "domain_name": domain.name,
                        "expire": session.expires_at or 0, "user_id": user.id, "role_ids": list(user.role_ids),
                        "token": session.token, "scopes": []},
            "use_cc": licenses.holds(user, "CALL_CENTER"), "use_chat": licenses.holds(user, "CHAT")}


def authenticate(hub: Hub, conn: Connection, seq: int, data: dict) -> None:
    token = data.get("token")
    if not isinstance(token, str):  # the engine closes a socket that sends no token
        conn.close()
        return
    with hub.backend.lock:
        try:
            session, domain = hub.backend.world.authenticate(token)
            user = domain.store(Users).find(session.user_id)
            if user is None or not user.licenses:
                raise WebitelError(412, E_NO_LICENSE, "token scope is forceless")
        except WebitelError as error:
            conn.send(reply(seq, error=error))
            return
        conn.token, conn.user_id, conn.domain_id = token, session.user_id, domain.id
        greeting = hello(domain, session, conn)
    conn.send(reply(seq))
    conn.event("hello", greeting)


def handle(hub: Hub, conn: Connection, text: str) -> None:
    """Serve one frame of the socket."""
    parsed = parse(text)
    if parsed is None:
        return
    seq, action, data = parsed
    if not action:
        conn.send(reply(seq, error=bad_request(E_NO_ACTION)))
        return
    if seq <= 0:
        conn.send(reply(seq, error=bad_request(E_BAD_SEQ)))
        return
    if action == AUTHENTICATION_CHALLENGE:
        if not conn.authenticated:
            authenticate(hub, conn, seq, data)
        return
    if not conn.authenticated:
        conn.send(reply(seq, error=internal(E_NOT_AUTHENTICATED)))
        return
    run = ACTIONS.get(action)
    if run is None:
        conn.send(reply(seq, error=bad_request(E_BAD_ACTION, f"unknown action {action!r}")))
        return
    with hub.lock:  # the reply goes out before the events the action caused
        with hub.backend.lock:
            try:
                session, domain = hub.backend.world.authenticate(conn.token)  # the token may be gone since
                domain.emit("catch_up")
                answer = reply(seq, run(Request(conn, domain, session, action, data)))
            except WebitelError as error:
                answer = reply(seq, error=error)
        conn.send(answer)
        hub.flush()
