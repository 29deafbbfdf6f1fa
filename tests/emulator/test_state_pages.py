"""``GET /__emulator__/state?domain=&section=&page=&size=`` (docs/emulator.md): the state of a big
world read a page at a time, each page holding the global lock only for its own rows."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from emulator.control.state_pages import MAX_SIZE
from emulator.state import RECORD_DUMPS
from emulator.testing import EmulatorHandle, in_process

E_STATE = "emulator.state.invalid"


def section_of(dump: dict, key: str) -> Any:
    for part in key.split("."):
        dump = dump[part]
    return dump


def list_sections(dump: dict, prefix: str = "") -> Iterator[str]:
    for key, value in dump.items():
        if isinstance(value, list):
            yield prefix + key
        elif isinstance(value, dict) and key == "call_center":
            yield from list_sections(value, f"{key}.")


def test_the_pages_of_every_section_add_up_to_the_plain_dump(webitel_emulator):
    handle = webitel_emulator
    assert handle.control("POST", "/calls", json={"queue_id": _a_queue(handle)}).status_code == 200  # a call too
    whole = handle.state()
    checked = 0
    for domain in whole["domains"]:
        for key in list_sections(domain):
            expected = section_of(domain, key)
            read = list(handle.state_pages(domain["name"], key, size=2))
            assert [item for page in read for item in page["items"]] == expected, key
            assert {page["total"] for page in read} == {len(expected)}
            assert [page["page"] for page in read] == list(range(1, len(read) + 1))
            assert all(len(page["items"]) <= 2 and page["domain"] == domain["name"] for page in read)
            checked += bool(expected)
    assert checked >= 8  # users, devices, agents, skills, members, calls, ... of the demo seed were compared


def _a_queue(handle: EmulatorHandle) -> str:
    queues = section_of(handle.state()["domains"][0], "call_center.queues")
    return queues[0]["id"]


def test_a_page_past_the_end_is_empty_and_the_defaults_are_page_1_of_1000(webitel_emulator):
    handle = webitel_emulator
    users = handle.state()["domains"][0]["users"]
    name = handle.state()["domains"][0]["name"]
    first = handle.control("GET", "/state", params={"domain": name, "section": "users"}).json()
    assert (first["page"], first["size"], first["items"], first["next"]) == (1, 1000, users, False)
    past = handle.control("GET", "/state", params={"domain": name.upper(), "section": "users", "page": 99}).json()
    assert past["items"] == [] and past["total"] == len(users) and past["next"] is False


def test_the_plain_state_is_unchanged_by_paging(webitel_emulator):
    """No paging parameter: the whole world, in the shape it always had."""
    whole = webitel_emulator.state()
    assert set(whole) == {"clock_ms", "domains"} and whole["domains"][0]["users"]


@pytest.mark.parametrize("params", [
    {"section": "users"},  # no domain
    {"domain": "demo"},  # no section
    {"domain": "nowhere.example", "section": "users"},
    {"domain": "demo", "section": "nothing"},
    {"domain": "demo", "section": "organization"},  # one object, not a list of records
    {"domain": "demo", "section": "users", "page": "0"},
    {"domain": "demo", "section": "users", "page": "-1"},
    {"domain": "demo", "section": "users", "page": "abc"},
    {"domain": "demo", "section": "users", "page": "1.5"},
    {"domain": "demo", "section": "users", "page": "\u0661"},  # an Arabic-Indic 1: a digit, but not ASCII
    {"domain": "demo", "section": "users", "size": "0"},
    {"domain": "demo", "section": "users", "size": str(MAX_SIZE + 1)},
    {"domain": "demo", "section": "users", "size": ""},
    {"domain": "demo", "section": "users", "sort": "id"},  # not a paging parameter
])
def test_bad_paging_parameters_are_refused(webitel_emulator, params):
    params = {k: (webitel_emulator.state()["domains"][0]["name"] if v == "demo" else v) for k, v in params.items()}
    answer = webitel_emulator.control("GET", "/state", params=params)
    assert answer.status_code == 400, answer.text
    body = answer.json()
    assert body["id"] == E_STATE and body["code"] == 400 and body["detail"]


class HoldRecorder:
    """The backend's lock, recording how many rows were dumped during each hold of it."""

    def __init__(self, lock: Any) -> None:
        self._lock = lock
        self._depth = 0
        self.dumped = 0
        self.holds: list[int] = []

    def acquire(self, *args: Any, **kwargs: Any) -> bool:
        got = self._lock.acquire(*args, **kwargs)
        if got:
            self._depth += 1
            if self._depth == 1:
                self.dumped = 0
        return got

    def release(self) -> None:
        self._depth -= 1
        if self._depth == 0:
            self.holds.append(self.dumped)
        self._lock.release()

    def __enter__(self) -> bool:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


def test_a_page_of_a_big_world_holds_the_lock_only_for_its_own_rows(monkeypatch):
    users = 20_000
    handle = in_process({"domains": [{"name": "big.example", "admin": {"username": "boss", "token": "big-admin"},
                                      "users": [{"username": f"user{i:06d}", "extension": str(100000 + i)}
                                                for i in range(users)]}]})
    backend = handle.emulator.backend
    recorder = HoldRecorder(backend.lock)
    rows, dump = RECORD_DUMPS["users"]

    def counted(domain: Any, row: Any) -> Any:
        assert recorder._depth > 0  # a row is dumped under the lock
        recorder.dumped += 1
        return dump(domain, row)

    monkeypatch.setitem(RECORD_DUMPS, "users", (rows, counted))
    monkeypatch.setattr(backend, "lock", recorder)
    others = 0
    read: list[str] = []
    for page in handle.state_pages("big.example", "users", size=1000):
        read += [u["username"] for u in page["items"]]
        # Between two pages the lock is free: another request is served at once.
        assert handle.client.get("/users/2").status_code == 200
        others += 1
    assert len(read) == users + 1 and len(set(read)) == users + 1  # every user (and the admin) once
    assert others == 21
    assert recorder.holds and max(recorder.holds) <= 1000  # no hold dumped more than one page's rows
    assert sum(recorder.holds) == users + 1
