"""Fault rules (docs/emulator.md, emulator/control/faults.py + middleware.py): error, timeout, delay and
connection reset; by method and path glob; for a number of times or with a (seeded) probability; before or
after the request is applied. In process (the httpx transport) and on a real socket."""

from __future__ import annotations

import time

import httpx
import pytest

from emulator.testing import EmulatorHandle


def outcomes(client: httpx.Client, n: int, path: str = "/roles") -> str:
    """'.' for an answer, 'x' for a fault, per request."""
    return "".join("x" if client.get(path).status_code == 503 else "." for _ in range(n))


# -- error -------------------------------------------------------------------------------------------
def test_error_answers_the_status_in_webitels_envelope(webitel_emulator):
    rule = webitel_emulator.add_fault(path="/api/users*", action="error", status=502)
    response = webitel_emulator.client.get("/users")
    assert response.status_code == 502
    assert response.json() == {"id": "emulator.fault", "code": 502, "status": "Bad Gateway",
                               "detail": "fault injected by the emulator"}
    assert rule["id"] and rule["hits"] == 0


def test_error_with_a_chosen_id_and_detail(webitel_emulator):
    webitel_emulator.add_fault(path="/api/users", action="error", status=409, error_id="app.user.conflict.error",
                               detail="user: role 'x' already exists")
    body = webitel_emulator.client.post("/users", json={"username": "x"}).json()
    assert body == {"id": "app.user.conflict.error", "code": 409, "status": "Conflict",
                    "detail": "user: role 'x' already exists"}


def test_error_defaults_to_503(webitel_emulator):
    webitel_emulator.add_fault(path="/api/roles", action="error")
    assert webitel_emulator.client.get("/roles").status_code == 503


def test_a_fault_before_the_request_changes_nothing(webitel_emulator):
    handle = webitel_emulator
    handle.add_fault(method="POST", path="/api/users", action="error", times=1)
    before = handle.state()["domains"]
    assert handle.client.post("/users", json={"username": "never"}).status_code == 503
    assert handle.state()["domains"] == before


# -- matching ------------------------------------------------------------------------------------------
def test_method_and_path_glob(webitel_emulator):
    handle = webitel_emulator
    handle.add_fault(method="post", path="/api/users/*/tokens", action="error")
    assert handle.client.get("/users/2/tokens").status_code == 200
    assert handle.client.post("/users", json={"username": "ok1"}).status_code == 200
    assert handle.client.post("/users/2/tokens", json={"usage": "x"}).status_code == 503
    assert handle.client.post("/users/3/tokens", json={"usage": "x"}).status_code == 503


@pytest.mark.parametrize("pattern, path, hit", [
    ("/api/users*", "/users", True), ("/api/users*", "/users/2", True), ("/api/users/*", "/users", False),
    ("/api/users", "/users/2", False), ("/api/users/?", "/users/2", True), ("/api/users/[23]", "/users/3", True),
    ("/api/users/[23]", "/users/1", False), ("/*", "/license", True), ("/api/*/tokens", "/users/2/tokens", True),
    ("/api/no/such/path", "/no/such/path", True),  # a fault can hit a path the emulator does not serve
])
def test_path_patterns(webitel_emulator, pattern, path, hit):
    webitel_emulator.add_fault(path=pattern, action="error", status=507)
    assert (webitel_emulator.client.get(path).status_code == 507) is hit


def test_times_limits_how_often_a_rule_fires(webitel_emulator):
    handle = webitel_emulator
    rule = handle.add_fault(path="/api/roles", action="error", times=2)
    assert outcomes(handle.client, 4) == "xx.."
    assert [r["hits"] for r in handle.control("GET", "/faults").json()["items"] if r["id"] == rule["id"]] == [2]


def test_the_first_matching_rule_fires(webitel_emulator):
    handle = webitel_emulator
    handle.add_fault(path="/api/roles", action="error", status=501, times=1)
    handle.add_fault(path="/api/roles", action="error", status=502)
    assert [handle.client.get("/roles").status_code for _ in range(3)] == [501, 502, 502]


def test_probability_is_random_but_repeatable(webitel_emulator):
    handle = webitel_emulator
    handle.add_fault(path="/api/roles", action="error", probability=0.5)
    first = outcomes(handle.client, 40)
    assert "x" in first and "." in first
    handle.reset()
    handle.add_fault(path="/api/roles", action="error", probability=0.5)
    assert outcomes(handle.client, 40) == first


def test_probability_zero_never_fires_and_one_always_does(webitel_emulator):
    handle = webitel_emulator
    rule = handle.add_fault(path="/api/roles", action="error", probability=0.0)
    assert outcomes(handle.client, 10) == "." * 10
    handle.control("DELETE", f"/faults/{rule['id']}")
    handle.add_fault(path="/api/roles", action="error", probability=1)
    assert outcomes(handle.client, 5) == "x" * 5


# -- listing and clearing ------------------------------------------------------------------------------------
def test_list_clear_one_and_clear_all(webitel_emulator):
    handle = webitel_emulator
    first = handle.add_fault(path="/api/roles", action="error")
    second = handle.add_fault(method="GET", path="/api/users", action="delay", delay_ms=10, times=3,
                              probability=0.5)
    listed = handle.control("GET", "/faults").json()["items"]
    assert [r["id"] for r in listed] == [first["id"], second["id"]]
    assert {k: listed[1][k] for k in ("method", "path", "action", "delay_ms", "times", "probability", "when")} == {
        "method": "GET", "path": "/api/users", "action": "delay", "delay_ms": 10, "times": 3, "probability": 0.5,
        "when": "before"}
    assert handle.control("DELETE", f"/faults/{first['id']}").status_code == 200
    assert handle.client.get("/roles").status_code == 200
    missing = handle.control("DELETE", f"/faults/{first['id']}")
    assert missing.status_code == 404 and missing.json()["id"] == "emulator.fault.not_found"
    assert handle.control("DELETE", "/faults").status_code == 200
    assert handle.control("GET", "/faults").json() == {"items": []}


@pytest.mark.parametrize("rule, detail", [
    ({"action": "error"}, "path is required"),
    ({"path": "api/users", "action": "error"}, "must start with '/'"),
    ({"path": "/__emulator__/*", "action": "error"}, "under /api"),
    ({"path": "/api/users", "action": "explode"}, "action must be one of"),
    ({"path": "/api/users"}, "action must be one of"),
    ({"path": "/api/users", "action": "error", "when": "during"}, "when must be"),
    ({"path": "/api/users", "action": "error", "method": "PO ST"}, "method"),
    ({"path": "/api/users", "action": "error", "status": 200}, "status must be between 400 and 599"),
    ({"path": "/api/users", "action": "error", "status": "503"}, "status must be a number"),
    ({"path": "/api/users", "action": "error", "status": 599}, "not an HTTP error status"),
    ({"path": "/api/users", "action": "error", "times": 0}, "times must be between"),
    ({"path": "/api/users", "action": "error", "times": 1.5}, "times must be a number"),
    ({"path": "/api/users", "action": "error", "probability": 1.5}, "probability must be between"),
    ({"path": "/api/users", "action": "error", "probability": True}, "probability must be a number"),
    ({"path": "/api/users", "action": "delay"}, "a delay needs delay_ms"),
    ({"path": "/api/users", "action": "delay", "delay_ms": -1}, "delay_ms must be between"),
    ({"path": "/api/users", "action": "error", "colour": "red"}, "unknown attributes ['colour']"),
])
def test_a_bad_rule_is_refused(webitel_emulator, rule, detail):
    response = webitel_emulator.control("POST", "/faults", json=rule)
    assert response.status_code == 400 and response.json()["id"] == "emulator.fault.invalid"
    assert detail in response.json()["detail"]
    assert webitel_emulator.control("GET", "/faults").json() == {"items": []}


def test_a_rule_must_be_a_json_object(webitel_emulator):
    assert webitel_emulator.control("POST", "/faults", json=[{"path": "/api/x", "action": "error"}]).status_code == 400


# -- timeout, delay, reset in process ---------------------------------------------------------------
def test_timeout_in_process_raises_read_timeout_at_once(webitel_emulator):
    handle = webitel_emulator
    handle.add_fault(path="/api/users", action="timeout", times=1)  # default: 30 s, longer than any test waits
    started = time.perf_counter()
    with pytest.raises(httpx.ReadTimeout):
        handle.api_client(timeout=5).get("/users")
    assert time.perf_counter() - started < 5
    assert handle.client.get("/users").status_code == 200


def test_reset_in_process_raises_remote_protocol_error(webitel_emulator):
    handle = webitel_emulator
    handle.add_fault(path="/api/users", action="reset", times=1)
    with pytest.raises(httpx.RemoteProtocolError):
        handle.client.get("/users")
    assert handle.client.get("/users").status_code == 200


def test_delay_in_process_answers_late(webitel_emulator):
    handle = webitel_emulator
    handle.add_fault(path="/api/users", action="delay", delay_ms=60, times=1)
    started = time.perf_counter()
    assert handle.client.get("/users").status_code == 200
    assert time.perf_counter() - started >= 0.06


def test_a_delay_past_the_clients_read_timeout_is_that_timeout(webitel_emulator):
    handle = webitel_emulator
    handle.add_fault(path="/api/users", action="delay", delay_ms=60000, times=1)
    started = time.perf_counter()
    with pytest.raises(httpx.ReadTimeout):
        handle.api_client(timeout=2).get("/users")
    assert time.perf_counter() - started < 2


# -- when = after: the request is applied, the answer is lost ---------------------------------------------
@pytest.mark.parametrize("action, raises", [("error", None), ("reset", httpx.RemoteProtocolError),
                                            ("timeout", httpx.ReadTimeout)])
def test_after_applies_the_request_and_loses_the_answer(webitel_emulator, action, raises):
    handle = webitel_emulator
    handle.add_fault(method="POST", path="/api/users", action=action, when="after", times=1)
    client = handle.api_client(timeout=2)
    if raises is None:
        assert client.post("/users", json={"username": "maybe"}).status_code == 503
    else:
        with pytest.raises(raises):
            client.post("/users", json={"username": "maybe"})
    found = handle.client.get("/users", params={"username": "maybe"}).json()["items"]
    assert len(found) == 1  # it happened
    entry = handle.requests()[-2]
    assert entry["method"] == "POST" and entry["applied"] == 200
    retry = handle.client.post("/users", json={"username": "maybe"})
    assert retry.status_code == 409  # a blind retry learns that it did


def test_a_delay_after_still_answers(webitel_emulator):
    handle = webitel_emulator
    handle.add_fault(method="POST", path="/api/users", action="delay", delay_ms=30, when="after", times=1)
    assert handle.client.post("/users", json={"username": "late"}).status_code == 200


# -- on a real socket --------------------------------------------------------------------------------
@pytest.fixture
def served(webitel_emulator_server) -> EmulatorHandle:
    return webitel_emulator_server


def test_error_on_a_socket(served):
    served.add_fault(path="/api/users", action="error", status=504, times=1)
    assert served.client.get("/users").status_code == 504
    assert served.client.get("/users").status_code == 200


def test_timeout_on_a_socket(served):
    served.add_fault(path="/api/users", action="timeout", delay_ms=400, times=1)
    with served.api_client(timeout=0.1) as client, pytest.raises(httpx.ReadTimeout):
        client.get("/users")
    assert served.client.get("/users").status_code == 200


def test_delay_on_a_socket(served):
    served.add_fault(path="/api/users", action="delay", delay_ms=80, times=1)
    started = time.perf_counter()
    assert served.client.get("/users").status_code == 200
    assert time.perf_counter() - started >= 0.08


def test_reset_on_a_socket(served):
    served.add_fault(path="/api/users", action="reset", times=1)
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        served.client.get("/users")
    assert served.client.get("/users").status_code == 200


def test_after_on_a_socket(served):
    served.add_fault(method="POST", path="/api/users", action="reset", when="after", times=1)
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        served.client.post("/users", json={"username": "sock"})
    assert len(served.client.get("/users", params={"username": "sock"}).json()["items"]) == 1


def test_faults_never_touch_the_control_plane(served):
    served.add_fault(path="/*", action="reset")
    assert served.control("GET", "/state").status_code == 200
    assert served.control("DELETE", "/faults").status_code == 200
    assert served.client.get("/users").status_code == 200
