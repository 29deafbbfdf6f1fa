"""Webitel's WebSocket on the emulator (``/ws/websocket``), with a Python client: signing in and the
``hello`` event, the router's refusals, agent status and call events from the same state the REST
API and routing change, and the socket's own actions going through the same rules."""

from __future__ import annotations

import copy
import json
import signal
from collections.abc import Iterator

import httpx
import pytest

from connector.webitel.client import WebitelClient
from connector.webitel.http import WebitelHTTP
from emulator.seed import demo_seed
from emulator.testing import EmulatorHandle, in_process
from tests.support.servers import EmulatorProcess
from tests.support.webitel_socket import WebitelSocket

pytestmark = pytest.mark.e2e

AGENT_TOKEN, SUPERVISOR_TOKEN, UNLICENSED_TOKEN = "jsmith-token", "mbrown-token", "guest-token"


def live_seed() -> dict:
    """The demo seed, its agent's phone registered, and tokens for its users."""
    seed = copy.deepcopy(demo_seed())
    users = seed["domains"][0]["users"]
    users[0].update(token=AGENT_TOKEN, presence="sip")
    users[1].update(token=SUPERVISOR_TOKEN)
    users.append({"username": "guest", "extension": "1003", "token": UNLICENSED_TOKEN})
    return seed


@pytest.fixture
def emulator(webitel_emulator_server: EmulatorHandle) -> EmulatorHandle:
    webitel_emulator_server.seed(live_seed())
    return webitel_emulator_server


@pytest.fixture
def socket(emulator: EmulatorHandle) -> Iterator[WebitelSocket]:
    sock = WebitelSocket(emulator.root_url)
    yield sock
    sock.close()


@pytest.fixture
def agent(emulator: EmulatorHandle, socket: WebitelSocket) -> dict:
    """The agent signed in on ``socket``, subscribed to its own status and calls; its session."""
    socket.sign_in(AGENT_TOKEN)
    session = socket.ok("cc_agent_session")
    socket.ok("cc_agent_subscribe_status", {"agent_id": session["agent_id"]})
    assert socket.ok("subscribe_call") == {"items": []}
    return session


def queue_id(emulator: EmulatorHandle) -> str:
    return emulator.state()["domains"][0]["call_center"]["queues"][0]["id"]


def go_online(socket: WebitelSocket, agent: dict) -> None:
    assert socket.ok("cc_agent_online", {"agent_id": agent["agent_id"]}) == {}
    assert socket.event("agent_status")["data"]["status"] == "online"


# -- signing in -------------------------------------------------------------------------------------
def test_signing_in_answers_ok_then_hello_with_the_session(emulator, socket):
    assert socket.request("authentication_challenge", {"token": AGENT_TOKEN}) == {"status": "OK", "seq_reply": 1}
    hello = socket.event("hello")
    data = hello["data"]
    assert hello["seq"] == 0 and data["use_cc"] is True and data["use_chat"] is False
    assert (data["session"]["name"], data["session"]["domain_name"], data["session"]["token"]) == \
        ("jsmith", "demo", AGENT_TOKEN)
    assert data["sock_id"] and data["server_time"] > 0
    assert socket.ok("ping") == {"pong": 1}
    # A second challenge on a signed-in socket is not answered (the engine returns at once).
    socket.send({"seq": 9, "action": "authentication_challenge", "data": {"token": SUPERVISOR_TOKEN}})
    assert socket.request("ping") == {"status": "OK", "seq_reply": 3, "data": {"pong": 1}}


@pytest.mark.parametrize("token, expected", [
    ("no-such-token", (401, "app.session.unauthenticated")),
    (UNLICENSED_TOKEN, (412, "api.context.permissions.license")),
])
def test_a_token_that_cannot_sign_in_is_refused(emulator, socket, token, expected):
    assert socket.error("authentication_challenge", {"token": token}) == expected
    assert socket.error("ping") == (500, "api.web_socket_router.not_authenticated.app_error")


def test_a_challenge_without_a_token_closes_the_socket(emulator, socket):
    socket.send({"seq": 1, "action": "authentication_challenge", "data": {}})
    assert socket.closed()


def test_the_router_refuses_requests_it_cannot_route(emulator, socket):
    assert socket.error("ping") == (500, "api.web_socket_router.not_authenticated.app_error")
    socket.sign_in(AGENT_TOKEN)
    socket.send({"seq": 5, "data": {}})
    assert socket.reply(5)["error"]["id"] == "api.web_socket_router.no_action.app_error"
    socket.send({"action": "ping"})  # no seq: the reply has no seq_reply (the engine omits a zero)
    assert socket.reply(0) == {"status": "FAIL", "error": {"id": "api.web_socket_router.bad_seq.app_error",
                                                           "code": 400, "status": "Bad Request", "detail": ""}}
    assert socket.error("no_such_action") == (400, "api.web_socket_router.bad_action.app_error")
    assert socket.error("cc_agent_online", {"agent_id": "1"}) == (400, "api.websocket_handler.invalid_param.app_error")
    assert socket.error("cc_agent_waiting", {"agent_id": 1}) == (400, "api.websocket_handler.invalid_param.app_error")
    assert socket.error("call_hangup", {"id": "1"}) == (400, "api.websocket_handler.invalid_param.app_error")
    # Frames the engine's decoder skips are not answered; the socket keeps serving.
    for frame in ("not json", "[1, 2]", '{"seq": "7", "action": "ping"}', '{"seq": 7, "action": "ping", "data": []}',
                  b"\x00\x01"):
        socket.send(frame)
    assert socket.request("ping")["data"] == {"pong": 1}


def test_a_plain_get_and_an_in_process_upgrade_are_refused(emulator):
    response = httpx.get(f"{emulator.root_url}/ws/websocket")
    assert response.status_code == 400 and response.json()["id"] == "api.web_socket.upgrade.app_error"
    local = in_process()
    try:
        with httpx.Client(base_url=local.root_url, transport=local.transport) as client:
            upgrade = client.get("/ws/websocket", headers={"Upgrade": "websocket", "Connection": "Upgrade"})
        assert upgrade.status_code == 501 and upgrade.json()["id"] == "emulator.websocket.in_process"
    finally:
        local.close()


# -- agent status -----------------------------------------------------------------------------------
def test_agent_session_and_tasks(emulator, socket, agent):
    assert (agent["status"], agent["team"]["name"], agent["channels"][0]["channel"]) == ("offline", "Support", "call")
    assert socket.ok("cc_agent_tasks", {"agent_id": agent["agent_id"]}) == {"items": []}
    other = WebitelSocket(emulator.root_url)
    try:
        other.sign_in(SUPERVISOR_TOKEN)
        assert other.error("cc_agent_session") == (404, "User.valid.agent_id")
    finally:
        other.close()


def test_a_status_set_over_rest_reaches_the_subscribed_socket(emulator, socket, agent):
    rest = emulator.api_client(AGENT_TOKEN)
    assert rest.patch(f"/call_center/agents/{agent['agent_id']}/status", json={"status": "online"}).status_code == 200
    event = socket.event("agent_status")
    assert event["data"]["status"] == "online" and event["data"]["agent_id"] == agent["agent_id"]
    assert event["data"]["channels"][0]["state"] == "waiting" and event["seq"] >= 1
    rest.patch(f"/call_center/agents/{agent['agent_id']}/status", json={"status": "pause", "payload": "Lunch"})
    paused = socket.event("agent_status")["data"]
    assert (paused["status"], paused["status_payload"]) == ("pause", "Lunch")


def test_the_sockets_own_status_actions_go_through_the_rest_apis_rules(emulator, socket, agent):
    agent_id = agent["agent_id"]
    go_online(socket, agent)
    assert socket.ok("cc_agent_pause", {"agent_id": agent_id, "payload": "Lunch"}) == {}
    assert socket.event("agent_status")["data"]["status_payload"] == "Lunch"
    assert socket.error("cc_agent_pause", {"agent_id": agent_id, "payload": "No such cause"})[0] == 400
    assert socket.ok("cc_agent_offline", {"agent_id": agent_id}) == {}
    assert socket.event("agent_status")["data"]["status"] == "offline"
    assert emulator.api_client().get(f"/call_center/agents/{agent_id}").json()["status"] == "offline"
    # Another user changes no one's status but their own; an unknown agent is not found.
    other = WebitelSocket(emulator.root_url)
    try:
        other.sign_in(SUPERVISOR_TOKEN)
        assert other.error("cc_agent_online", {"agent_id": agent_id}) == (403, "api.context.permissions.app_error")
        assert other.error("cc_agent_online", {"agent_id": 999})[0] == 404
    finally:
        other.close()


def test_waiting_ends_a_wrap_up_early(emulator, socket, agent):
    go_online(socket, agent)
    assert socket.error("cc_agent_waiting", {"agent_id": agent["agent_id"], "channel": "call"}) == \
        (400, "app.agent.waiting.app_err")
    call = emulator.add_call(queue_id(emulator), "+15550001")
    emulator.answer(call["id"])
    emulator.hangup(call["id"])
    socket.call_event(call["id"], "hangup")
    stamp = socket.ok("cc_agent_waiting", {"agent_id": agent["agent_id"], "channel": "call"})["timestamp"]
    assert stamp > 0


# -- calls ------------------------------------------------------------------------------------------
def test_an_inbound_call_rings_the_agents_socket_and_follows_it_to_the_end(emulator, socket, agent):
    go_online(socket, agent)
    call = emulator.add_call(queue_id(emulator), "+15551234")
    assert call["state"] == "offering"
    ringing = socket.call_event(call["id"], "ringing")
    info = ringing["data"]
    assert (info["direction"], info["from"]["number"], info["to"]["number"]) == ("inbound", "+15551234", "1001")
    assert info["queue"]["queue_name"] == "Inbound support" and ringing["app_id"]
    tasks = socket.ok("cc_agent_tasks", {"agent_id": agent["agent_id"]})["items"]
    assert [t["attempt_id"] for t in tasks] == [int(call["id"])] and tasks[0]["state"] == "offering"
    emulator.answer(call["id"])
    socket.call_event(call["id"], "active")
    target = {"id": call["id"], "app_id": ringing["app_id"]}
    assert socket.ok("call_hold", target) == {}
    socket.call_event(call["id"], "hold")
    assert emulator.call(call["id"])["on_hold"] is True
    assert socket.error("call_hold", {**target, "id": "999"})[0] == 404
    socket.ok("call_unhold", target)
    socket.call_event(call["id"], "active")
    socket.ok("call_hangup", {**target, "cause": "NORMAL_CLEARING"})
    hangup = socket.call_event(call["id"], "hangup")
    assert hangup["data"] == {"cause": "NORMAL_CLEARING", "sip": 200}
    assert emulator.call(call["id"])["state"] == "ended"


def test_a_missed_call_hangs_up_on_the_agent_and_subscribe_lists_calls_in_progress(emulator, socket, agent):
    go_online(socket, agent)
    call = emulator.add_call(queue_id(emulator), "+15550002")
    socket.call_event(call["id"], "ringing")
    emulator.miss(call["id"])
    assert socket.call_event(call["id"], "hangup")["data"]["cause"] == "NO_ANSWER"
    emulator.advance_clock(11)  # the team's no_answer_delay_time: the agent waits again and is offered it
    assert emulator.call(call["id"])["state"] == "offering"
    socket.call_event(call["id"], "ringing")
    late = WebitelSocket(emulator.root_url)
    try:
        late.sign_in(AGENT_TOKEN)
        items = late.ok("subscribe_call")["items"]
        assert [(i["id"], i["state"], i["direction"]) for i in items] == [(call["id"], "ringing", "inbound")]
        emulator.hangup(call["id"])
        late.call_event(call["id"], "hangup")
    finally:
        late.close()


def test_call_invite_makes_the_users_own_call(emulator, socket, agent):
    made = socket.ok("call_invite", {"destination": "5551"})
    socket.call_event(made["id"], "ringing")
    assert socket.call_event(made["id"], "active")["data"] == {}
    assert socket.error("call_invite", {"destination": "5552"})[1] == "app.call.create.valid.busy"
    socket.ok("call_hangup", {"id": made["id"], "app_id": "webitel-emulator"})
    socket.call_event(made["id"], "hangup")
    assert socket.error("call_hangup", {"id": made["id"], "app_id": "webitel-emulator"})[0] == 404


def test_a_socket_hears_only_its_own_users_calls(emulator, socket, agent):
    other = WebitelSocket(emulator.root_url)
    try:
        other.sign_in(SUPERVISOR_TOKEN)
        other.ok("subscribe_call")
        go_online(socket, agent)
        call = emulator.add_call(queue_id(emulator), "+15550003")
        socket.call_event(call["id"], "ringing")
        assert other.error("call_hangup", {"id": call["id"], "app_id": "webitel-emulator"})[0] == 403
        assert other.request("ping")["data"] == {"pong": 1} and other.events == []
    finally:
        other.close()


def test_a_reset_closes_the_sockets(emulator, socket, agent):
    emulator.reset()
    assert socket.closed()


# -- the deployed server ----------------------------------------------------------------------------
def test_the_socket_under_gunicorn(tmp_path):
    """``webitel-emulator`` (gunicorn, its threads) serves the socket the same way, and closes it on
    SIGTERM."""
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps(live_seed()))
    server = EmulatorProcess("--seed", str(seed))
    try:
        sock = WebitelSocket(server.root_url)
        sock.sign_in(AGENT_TOKEN)
        agent_id = sock.ok("cc_agent_session")["agent_id"]
        sock.ok("cc_agent_subscribe_status", {"agent_id": agent_id})
        sock.ok("subscribe_call")
        httpx.patch(f"{server.base_url}/call_center/agents/{agent_id}/status", json={"status": "online"},
                    headers={"X-Webitel-Access": AGENT_TOKEN}).raise_for_status()
        assert sock.event("agent_status")["data"]["status"] == "online"
        queues = httpx.get(f"{server.base_url}/call_center/queues", headers={"X-Webitel-Access": AGENT_TOKEN})
        call = httpx.post(f"{server.root_url}/__emulator__/calls",
                          json={"queue_id": queues.json()["items"][0]["id"], "from": "+15550004"}).json()
        sock.call_event(call["id"], "ringing")
        assert httpx.get(f"{server.base_url}/userinfo", headers={"X-Webitel-Access": AGENT_TOKEN}).status_code == 200
        # SIGTERM closes the open socket first: the stop does not wait out the graceful timeout (10 s).
        server.process.send_signal(signal.SIGTERM)
        assert server.process.wait(5) == 0
        assert sock.closed()
    finally:
        server.stop()


def test_a_call_ringing_out_reaches_a_quiet_socket(emulator, socket, agent):
    """The timers run while a socket is open: the team's call_timeout rings the call out and the
    agent's panel hears it without anyone sending a request."""
    go_online(socket, agent)
    call = emulator.add_call(queue_id(emulator), "+15550005")
    socket.call_event(call["id"], "ringing")
    emulator.emulator.world.clock.advance(31)  # past the team's call_timeout (30 s), with no request
    assert socket.call_event(call["id"], "hangup")["data"] == {"cause": "NO_ANSWER", "sip": 480}


def test_a_status_the_connector_sets_reaches_the_socket(emulator, socket, agent):
    """The connector's own Webitel client (the domain's admin token, as it is deployed) pauses the
    agent; the agent's panel hears it."""
    client = WebitelClient(WebitelHTTP(emulator.base_url, emulator.token))
    try:
        client.set_agent_status(str(agent["agent_id"]), "online")
        assert socket.event("agent_status")["data"]["status"] == "online"
        client.set_agent_status(str(agent["agent_id"]), "pause", "Break")
        paused = socket.event("agent_status")["data"]
        assert (paused["status"], paused["status_payload"]) == ("pause", "Break")
    finally:
        client.close()
