"""Snapshots (docs/emulator.md, *Snapshots*): the whole state to a file and back, refused files,
and ``GET /__emulator__/state`` dumping without stopping other requests."""

from __future__ import annotations

import hashlib
import io
import json
import pickle
import re
import subprocess
import threading

import httpx
import pytest

from emulator import state as emulator_state
from emulator.control import snapshots
from emulator.directory.users import Users
from emulator.testing import EmulatorHandle
from tests.emulator.test_cli import SCRIPT, free_port, start, stop

SNAPSHOT_TYPE = "application/vnd.webitel-emulator.snapshot"


def busy_world(handle: EmulatorHandle) -> dict:
    """Users, a token, an agent online with skills, a call waiting and one ringing, a moved clock."""
    api = handle.client
    ann = api.post("/users?generate_device=true", json={"username": "ann", "extension": "3001"}).json()
    token = api.post(f"/users/{ann['id']}/tokens", json={"usage": "qa"}).json()["token"]
    api.delete("/users/3", params={"permanent": "true"})  # a gap in the ids
    skill = api.post("/call_center/skills", json={"name": "French"}).json()
    agent = next(a for a in api.get("/call_center/agents").json()["items"])
    api.post(f"/call_center/agents/{agent['id']}/skills", json={"skill": {"id": skill["id"]}, "capacity": 70})
    handle.set_presence(agent["user"]["id"], "sip")
    api.patch(f"/call_center/agents/{agent['id']}/status", json={"status": "online"})
    queue = api.get("/call_center/queues").json()["items"][0]
    ringing = handle.add_call(queue["id"], "+15550001")
    waiting = handle.add_call(queue["id"], "+15550002")
    handle.advance_clock(5)
    return {"token": token, "ringing": ringing, "waiting": waiting, "agent": agent, "ann": ann}


def export(handle: EmulatorHandle) -> bytes:
    answer = handle.control("GET", "/snapshot")
    assert answer.status_code == 200 and answer.headers["content-type"] == SNAPSHOT_TYPE
    assert answer.content.startswith(b"webitel-emulator-snapshot 1\n")
    return answer.content


def stable(domains: list[dict]) -> list[dict]:
    """The state less what grows with the clock: an agent's ``status_duration`` (seconds since its
    status changed) goes on counting from the moment of the export."""
    for domain in domains:
        for agent in domain.get("call_center", {}).get("agents", []):
            agent.pop("status_duration", None)
    return domains


def domains(handle: EmulatorHandle) -> list[dict]:
    return stable(handle.state()["domains"])


def test_a_snapshot_loads_back_to_the_same_state(webitel_emulator):
    handle = webitel_emulator
    world = busy_world(handle)
    before, clock_before = domains(handle), int(handle.state()["clock_ms"])
    assert world["ringing"]["state"] == "offering" and world["waiting"]["state"] == "waiting"
    data = export(handle)
    header = json.loads(data.split(b"\n")[1])
    assert header["domains"] == [d["name"] for d in before] and header["clock_ms"] >= clock_before

    # The world moves on: more users, the token revoked, the call answered, the clock much later.
    api = handle.client
    later = api.post("/users", json={"username": "later"}).json()
    api.delete(f"/users/{world['ann']['id']}", params={"permanent": "true"})
    handle.answer(world["ringing"]["id"])
    handle.advance_clock(3600)
    assert domains(handle) != before

    loaded = handle.control("PUT", "/snapshot", content=data, headers={"content-type": SNAPSHOT_TYPE})
    assert loaded.status_code == 200, loaded.text
    assert loaded.json() == {"domains": [{"name": "demo", "token": handle.token}]}
    assert domains(handle) == before  # agents, skills, queues, calls, users, devices, tokens alike
    assert int(handle.state()["clock_ms"]) - header["clock_ms"] < 60_000  # the clock resumes from the export
    assert handle.api_client(world["token"]).get("/userinfo").status_code == 200  # a user's token works again
    assert handle.call(world["ringing"]["id"])["state"] == "offering"
    assert api.post("/users", json={"username": "again"}).json()["id"] == later["id"]  # the id sequences too


def test_a_reset_goes_back_to_the_loaded_snapshot(webitel_emulator):
    handle = webitel_emulator
    busy_world(handle)
    data, before = export(handle), domains(handle)
    handle.reset()  # back to the demo seed
    assert domains(handle) != before
    assert handle.control("POST", "/snapshot", content=data).status_code == 200
    handle.client.post("/users", json={"username": "temp"})
    handle.add_fault(path="/api/roles", action="error")
    handle.reset()
    assert domains(handle) == before
    assert handle.control("GET", "/faults").json() == {"items": []}


def test_loading_clears_the_fault_rules_and_the_journal(webitel_emulator):
    handle = webitel_emulator
    data = handle.snapshot()
    handle.add_fault(path="/api/roles", action="error")
    handle.client.get("/users")
    assert handle.load_snapshot(data) == {"domains": [{"name": "demo", "token": handle.token}]}
    assert handle.requests() == [] and handle.control("GET", "/faults").json() == {"items": []}


def _file(payload: bytes, **header_changes) -> bytes:
    header = {"clock_ms": 1, "sha256": hashlib.sha256(payload).hexdigest(), "bytes": len(payload), "domains": [],
              **header_changes}
    return b"webitel-emulator-snapshot 1\n" + json.dumps(header).encode() + b"\n" + payload


class _Runs:
    """Unpickling this would call ``os.system`` (what a hostile file would do)."""

    def __reduce__(self):
        import os

        return os.system, ("touch /tmp/emulator-snapshot-ran",)


def _not_whole() -> bytes:
    world = emulator_state.World()
    domain = world.add_domain("broken")
    domain._stores[Users] = "not a store"  # type: ignore[assignment]
    return pickle.dumps(world)


@pytest.mark.parametrize(("data", "message"), [
    (b"", "not an emulator snapshot"),
    (b"{\"domains\": []}", "not an emulator snapshot"),
    (b"webitel-emulator-snapshot 9\n{}\n", "snapshot format '9'"),
    (b"webitel-emulator-snapshot 1\nnot json\nxx", "header is not its JSON line"),
    (_file(b"payload", sha256="0" * 64), "damaged"),
    (_file(b"payload", clock_ms="soon"), "no clock_ms"),
    (_file(b"not a pickle"), "cannot be read"),
    (_file(pickle.dumps(_Runs())), "the world holds posix.system"),
    (_file(pickle.dumps(io.StringIO())), "the world holds _io.StringIO"),
    (_file(pickle.dumps({"domains": []})), "does not hold an emulator world"),
    (_file(_not_whole()), "not whole"),
], ids=["empty", "json", "version", "header", "digest", "clock", "garbage", "code", "foreign-class", "not-a-world",
        "not-whole"])
def test_a_file_that_is_not_a_snapshot_is_refused_and_changes_nothing(webitel_emulator, data, message):
    handle = webitel_emulator
    before = domains(handle)
    answer = handle.control("PUT", "/snapshot", content=data)
    assert answer.status_code == 400
    assert answer.json()["id"] == "emulator.snapshot.invalid" and message in answer.json()["detail"]
    assert domains(handle) == before


def test_a_hostile_file_runs_nothing(webitel_emulator, monkeypatch):
    hostile, ran = _file(pickle.dumps(_Runs())), []
    monkeypatch.setattr("os.system", lambda command: ran.append(command))
    answer = webitel_emulator.control("PUT", "/snapshot", content=hostile)
    assert answer.status_code == 400 and ran == []


def test_every_class_of_a_busy_world_may_be_in_a_snapshot(webitel_emulator):
    """The unpickler's allow-list covers what the emulator's stores hold (a class outside it would
    make a recorded world unloadable)."""
    handle = webitel_emulator
    busy_world(handle)
    data = export(handle)
    world, _payload = snapshots.read(data)
    assert [d.name for d in world.domains.values()] == ["demo"]


# -- the state dump does not stop the world -------------------------------------------------------------
def test_other_requests_are_served_while_the_state_is_dumped(webitel_emulator, monkeypatch):
    """A dump section that waits until it is told proves the dump runs outside the global lock:
    a Webitel request made meanwhile is answered before the dump ends."""
    handle = webitel_emulator
    dumping, release = threading.Event(), threading.Event()

    def slow_section(_domain):
        dumping.set()
        assert release.wait(30), "the test never released the dump"
        return "done"

    monkeypatch.setattr(emulator_state, "DUMPS", [*emulator_state.DUMPS, (999, "slow", slow_section)])
    dumped: dict = {}
    dump = threading.Thread(target=lambda: dumped.update(handle.state()))
    dump.start()
    try:
        assert dumping.wait(30), "the dump never began"
        answered: dict = {}
        other = threading.Thread(target=lambda: answered.update(handle.client.get("/users").json()))
        other.start()
        other.join(30)
        assert not other.is_alive(), "a request waited for the dump"
        assert answered["items"] and not dumped  # answered while the dump was still under way
    finally:
        release.set()
        dump.join(30)
    assert dumped["domains"][0]["slow"] == "done"


# -- webitel-emulator --snapshot FILE ----------------------------------------------------------------------
def test_the_command_line_starts_from_a_snapshot(webitel_emulator, tmp_path):
    handle = webitel_emulator
    world = busy_world(handle)
    path = tmp_path / "recorded.snapshot"
    path.write_bytes(export(handle))
    before = domains(handle)
    served = start("--port", str(free_port()), "--snapshot", str(path))
    try:
        assert served.tokens == {"demo": handle.token}
        root = served.base_url.removesuffix("/api")
        assert stable(httpx.get(f"{root}/__emulator__/state", timeout=10).json()["domains"]) == before
        with httpx.Client(base_url=served.base_url, headers={"X-Webitel-Access": world["token"]}) as ann:
            assert ann.get("/userinfo").json()["username"] == "ann"
    finally:
        stop(served)


@pytest.mark.parametrize(("args", "message"), [
    (["--snapshot", "{tmp}/missing.snapshot"], "cannot load the snapshot: .*missing.snapshot"),
    (["--snapshot", "{tmp}/seed.json"], "cannot load the snapshot: .*not an emulator snapshot"),
    (["--snapshot", "{tmp}/seed.json", "--seed", "{tmp}/seed.json"], "not allowed with argument"),
])
def test_a_bad_snapshot_exits_non_zero_with_a_clear_message(tmp_path, args, message):
    (tmp_path / "seed.json").write_text(json.dumps({"domains": [{"name": "d"}]}))
    done = subprocess.run([str(SCRIPT), "--port", str(free_port()), *(a.format(tmp=tmp_path) for a in args)],
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 2 and re.search(message, done.stderr), done.stderr
    assert done.stdout == ""
