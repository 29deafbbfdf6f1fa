"""The request journal (emulator/control/journal.py): bounded, newest last, secrets masked."""

from __future__ import annotations

import concurrent.futures
import json
import time
from collections.abc import Iterator

import pytest

from emulator.app import create_app
from emulator.control.journal import MASK, Journal, redact, redact_body, redact_query
from emulator.testing import IN_PROCESS_URL, EmulatorHandle
from emulator.transport import EmulatorTransport


@pytest.fixture
def small() -> Iterator[EmulatorHandle]:
    """An emulator whose journal keeps the last 3 requests."""
    app = create_app(journal_size=3)
    handle = EmulatorHandle(app, IN_PROCESS_URL, EmulatorTransport(app))
    yield handle
    handle.close()


def test_the_journal_is_bounded_and_newest_last(small):
    for i in range(5):
        small.client.get("/users", params={"page": i + 1})
    entries = small.requests()
    assert [e["query"] for e in entries] == ["page=3", "page=4", "page=5"]
    assert [e["query"] for e in small.requests(limit=2)] == ["page=4", "page=5"]


def test_the_size_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("EMULATOR_JOURNAL_SIZE", "2")
    app = create_app()
    handle = EmulatorHandle(app, IN_PROCESS_URL, EmulatorTransport(app))
    for _ in range(4):
        handle.client.get("/roles")
    assert len(handle.requests()) == 2
    handle.close()


def test_an_entry_tells_what_was_asked_and_answered(webitel_emulator):
    handle = webitel_emulator
    handle.client.post("/users", params={"generate_device": "true"}, json={"username": "ann", "extension": "3001"})
    handle.client.get("/users/999")
    created, missing = handle.requests()
    assert created["method"] == "POST" and created["path"] == "/api/users" and created["status"] == 200
    assert created["query"] == "generate_device=true" and created["body"] == {"username": "ann", "extension": "3001"}
    assert isinstance(created["at"], int) and created["duration_ms"] >= 0 and "fault" not in created
    assert (missing["method"], missing["path"], missing["status"], "body" not in missing) == (
        "GET", "/api/users/999", 404, True)


def test_the_control_plane_is_not_journaled(webitel_emulator):
    webitel_emulator.state()
    webitel_emulator.control("GET", "/faults")
    assert webitel_emulator.requests() == []


def test_the_journal_can_be_cleared(webitel_emulator):
    webitel_emulator.client.get("/roles")
    assert webitel_emulator.control("DELETE", "/requests").status_code == 200
    assert webitel_emulator.requests() == []


def test_a_fault_is_named_in_its_entry(webitel_emulator):
    rule = webitel_emulator.add_fault(path="/api/roles", action="error", times=1)
    webitel_emulator.client.get("/roles")
    assert webitel_emulator.requests()[-1] == {**webitel_emulator.requests()[-1], "fault": rule["id"], "status": 503}


def test_secrets_are_masked_in_bodies_and_queries(webitel_emulator):
    handle = webitel_emulator
    handle.client.post("/login", json={"username": "admin", "password": "Login-Secret"})
    handle.client.post("/users", params={"generate_device": "true", "device.password": "Sip-Secret",
                                         "user_password": "Qp-Secret", "confirm_password": "Qp-Secret"},
                       json={"user": {"username": "eve", "password": "Body-Secret"}})
    handle.client.get("/userinfo", params={"access_token": handle.token})
    handle.client.post("/devices", json={"account": "d1", "password": "Dev-Secret", "provision": {"secret": "S"}})
    handle.client.put("/user/settings/phone", json={"webrtc": True, "stun": True})
    text = json.dumps(handle.requests())
    for secret in ("Login-Secret", "Sip-Secret", "Qp-Secret", "Body-Secret", handle.token, "Dev-Secret", '"S"'):
        assert secret not in text
    login, user, info, device, phone = handle.requests()
    assert login["body"] == {"username": "admin", "password": MASK}
    assert user["body"] == {"user": {"username": "eve", "password": MASK}}
    assert "generate_device=true" in user["query"] and "device.password=***" in user["query"]
    assert info["query"] == "access_token=***"
    assert device["body"]["provision"] == {"secret": MASK} and device["body"]["account"] == "d1"
    assert phone["body"] == {"webrtc": True, "stun": True}


def test_the_access_header_is_never_journaled(webitel_emulator):
    webitel_emulator.client.get("/users")
    assert webitel_emulator.token not in json.dumps(webitel_emulator.requests())


def test_redaction_helpers():
    assert redact({"a": [{"Password": "x", "n": 1}], "api_token": "t", "secret": "", "token": None}) == {
        "a": [{"Password": MASK, "n": 1}], "api_token": MASK, "secret": "", "token": None}
    assert redact_query("q=password*&size=2") == "q=password*&size=2"  # a search for the word is no secret
    assert redact_query("size=2&q=a*") == "size=2&q=a*"
    assert redact_body(b"") is None and redact_body(b"\xff\xfe") == "<2 bytes, not JSON>"


def test_journal_limit():
    journal = Journal(size=10)
    for i in range(4):
        journal.record({"n": i})
    assert journal.entries() == [{"n": 0}, {"n": 1}, {"n": 2}, {"n": 3}]
    assert journal.entries(limit=1) == [{"n": 3}]


def test_a_request_held_by_a_delay_counts_in_flight_until_its_answer_is_written(webitel_emulator_server):
    """What a test waits on instead of guessing how long a late request takes to land."""
    served = webitel_emulator_server
    served.wait_settled()  # a late request of an earlier test on this shared server lands first
    served.add_fault(method="GET", path="/api/roles", action="delay", delay_ms=300, times=1)
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        late = pool.submit(served.client.get, "/roles")
        deadline = time.monotonic() + 10
        while served.in_flight() == 0:
            assert time.monotonic() < deadline, "the request never reached the emulator"
            time.sleep(0.01)
        served.wait_settled()
        assert served.in_flight() == 0 and "/api/roles" in [entry["path"] for entry in served.requests()]
        assert late.result().status_code == 200
