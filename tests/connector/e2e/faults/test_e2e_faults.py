"""The fault matrix over real sockets: the connector under gunicorn (two workers) and the emulator
on their own ports, PostgreSQL as the database. Every Webitel call of create, change extension, STUN,
license grant and revoke, role add and remove, and delete, under each fault a network gives that the
in-process matrix cannot: a request that lands after the connector stopped waiting (a delay longer
than the read timeout), a dropped connection, an answer lost after the change was applied, and that
lost answer with the read-back failing too. After the faults are lifted (and late requests landed)
and one reconcile pass: no record differs from Webitel, no seat is held without a record, and every
answer's outcome was true. Also: a late duplicate, a hanging Webitel, and concurrency."""

from __future__ import annotations

import concurrent.futures
import contextlib
import time

import httpx
import pytest

from tests.conftest import API_TOKEN
from tests.connector.e2e.faults.conftest import READ_TIMEOUT_S, settings
from tests.support.connector import error_of, reconcile
from tests.support.fault_matrix import (
    AGENT_STEPS,
    BASE,
    OPERATIONS,
    STEPS,
    HttpApi,
    check_the_outcome_was_true,
    records,
    remote_user,
    setup_none,
    setup_record,
    snapshot,
)
from tests.support.servers import ConnectorServer, connector_env

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

LATE_MS = 900
assert LATE_MS / 1000 > READ_TIMEOUT_S  # a late request lands after the connector stopped waiting
FAULTS = {
    "late": lambda method, path: [dict(method=method, path=path, action="delay", delay_ms=LATE_MS, times=1)],
    "reset": lambda method, path: [dict(method=method, path=path, action="reset")],
    "lost": lambda method, path: [dict(method=method, path=path, action="error", status=502, when="after")],
    "lost_and_unreadable": lambda method, path: [
        dict(method=method, path=path, action="error", status=502, when="after"),
        dict(method="GET", path="/api/*", action="error", status=503)],
}
CASES = [pytest.param(op, method, path, fault, id=f"{op}-{method}{path}-{fault}")
         for op, steps in STEPS.items() for method, path in steps for fault in FAULTS]
# The call-center operations: a request that lands late is what sockets add to the in-process matrix.
CASES += [pytest.param(op, method, path, "late", id=f"{op}-{method}{path}-late")
          for op, steps in AGENT_STEPS.items() for method, path in steps if method != "GET"]


def held_seats(emulator) -> dict[str, list[str]]:
    """License serial -> the usernames holding a seat of it."""
    held: dict[str, list[str]] = {}
    for user in emulator.state()["domains"][0]["users"]:
        for grant in user.get("license", []):
            held.setdefault(grant["id"], []).append(user["username"])
    return held


def agree(api, emulator) -> None:
    """No record differs from Webitel (the drift report, STUN included), and no seat is held by a
    Webitel user the connector made without its record."""
    drift = api.get("/api/v1/drift?size=500").json
    assert [item for item in drift["items"] if item["kind"] != "missing_record"] == [], drift
    strays = {item["webitel_username"] for item in drift["items"]}
    assert "agarcia" not in strays
    assert all(r["sync"]["state"] == "in_sync" for r in records(api)), records(api)


@pytest.mark.parametrize("op, method, path, fault", CASES)
def test_every_call_under_every_fault_ends_true_and_agreeing(api, emulator, reconciler_app, op, method, path, fault):
    setup, call, _ok, _applied = OPERATIONS[op]
    ctx = setup(api, emulator)
    before = snapshot(api, emulator)
    for rule in FAULTS[fault](method, path):
        emulator.add_fault(**rule)
    response = call(api, ctx)
    emulator.clear_faults()
    emulator.wait_settled()  # late requests have landed
    check_the_outcome_was_true(lambda: reconcile(reconciler_app), api, emulator, op, response, before)
    agree(api, emulator)


def test_a_late_duplicate_is_found_by_the_drift_report_and_repaired(api, emulator, reconciler_app):
    """Grant a: the first PATCH is parked and lands late, its retry applies at once; grant b. Then the
    parked {a} lands over {a, b}. The record was marked for a check after the late-write horizon: the
    drift report shows the difference, and the reconciler repairs it on its own."""
    record = setup_record(api)
    emulator.add_fault(method="PATCH", path="/api/users/*", action="delay", delay_ms=1500, times=1)
    assert api.post(f"{BASE}/{record['id']}/licenses", json={"license_id": "cc-serial-1"}).status_code == 201
    granted = api.post(f"{BASE}/{record['id']}/licenses", json={"license_id": "chat-serial-1"})
    assert granted.status_code == 201 and granted.json["sync"]["state"] == "pending"  # checked again later
    emulator.wait_settled()  # the parked PATCH has landed
    assert [g["id"] for g in remote_user(emulator).get("license", [])] == ["cc-serial-1"]  # the stale write won
    drift = [item for item in api.get("/api/v1/drift").json["items"] if item.get("record_id") == record["id"]]
    assert drift[0]["fields"]["licenses"] == {"record": ["cc-serial-1", "chat-serial-1"], "webitel": ["cc-serial-1"]}
    assert reconcile(reconciler_app, due_only=True) == {"in_sync": 1}
    assert sorted(g["id"] for g in remote_user(emulator)["license"]) == ["cc-serial-1", "chat-serial-1"]
    agree(api, emulator)


def test_a_change_made_in_webitel_by_someone_else_is_reported_not_overwritten(api, emulator, reconciler_app):
    record = setup_record(api)
    emulator.client.patch(f"/users/{record['webitel_user_id']}", json={"extension": "4040"})
    assert reconcile(reconciler_app, due_only=False) == {}  # in sync as far as the connector knows: not touched
    item = next(i for i in api.get("/api/v1/drift").json["items"] if i.get("record_id") == record["id"])
    assert item["kind"] == "differs" and item["fields"] == {"extension": {"record": "1010", "webitel": "4040"}}
    assert remote_user(emulator)["extension"] == "4040"
    repaired = api.post("/api/v1/drift/repair", json={"ids": [record["id"]], "direction": "to_record"})
    assert repaired.json["items"] == [{"record_id": record["id"], "outcome": "repaired", "sync_state": "in_sync"}]
    assert api.get(f"{BASE}/{record['id']}").json["extension"] == "4040"
    agree(api, emulator)


def test_the_server_finishes_a_pending_create_by_itself(database, served, server):
    """The server's own reconciler (its background thread, woken by the pending answer) links the
    Webitel user a lost answer created, shortly after, with no reconcile pass run from outside."""
    from tests.support.databases import truncate_all

    served.fresh()
    truncate_all(database)
    env = connector_env(database_url=database, webitel_url=served.base_url, webitel_token=served.token,
                        api_token=API_TOKEN, **settings(CONNECTOR_RECONCILE_INTERVAL_S="30",
                                                                         CONNECTOR_RECONCILE_BACKOFF_S="0.5"))
    running = ConnectorServer(env, workers=1, threads=4)
    try:
        with httpx.Client(base_url=running.url, headers={"Authorization": f"Bearer {API_TOKEN}"}, timeout=30) as c:
            api = HttpApi(c)
            user = setup_none(api)
            served.add_fault(method="POST", path="/api/users", action="error", status=502, when="after")
            served.add_fault(method="GET", path="/api/users", action="error", status=503)
            response = api.post(BASE, json={**user, "extension": "1010"})
            served.clear_faults()
            record_id = error_of(response)["record_id"]
            deadline = time.monotonic() + 10
            while api.get(f"{BASE}/{record_id}").json["sync"]["state"] != "in_sync":
                assert time.monotonic() < deadline, api.get(f"{BASE}/{record_id}").json
                time.sleep(0.2)
            assert api.get(f"{BASE}/{record_id}").json["webitel_user_id"] == remote_user(served)["id"]
    finally:
        running.stop()


def test_concurrent_delete_and_change_of_one_record_answer_404_or_409_never_5xx(api, emulator):
    """Through gunicorn's two workers: the claim orders them; whoever comes after the delete finds no
    record (404), whoever finds it being deleted is told so (409)."""
    statuses = []
    for n in range(15):
        user = api.post("/api/v1/creatio/users", json={"name": f"user{n:02d}", "contact_name": f"User {n:02d}",
                                                       "type": "employee"}).json
        record = api.post(BASE, json={"user_id": user["id"], "extension": f"30{n:02d}"}).json
        calls = [lambda rid=record["id"]: api.delete(f"{BASE}/{rid}"),
                 lambda rid=record["id"]: api.patch(f"{BASE}/{rid}", json={"extension": "2999"}),
                 lambda rid=record["id"]: api.post(f"{BASE}/{rid}/roles", json={"role_id": "1"}),
                 lambda rid=record["id"]: api.delete(f"{BASE}/{rid}/roles/1")]
        with concurrent.futures.ThreadPoolExecutor(max_workers=len(calls)) as pool:
            answers = [future.result() for future in [pool.submit(call) for call in calls]]
        statuses += [answer.status_code for answer in answers]
        assert answers[0].status_code == 204, answers[0].json
        assert api.get(f"{BASE}/{record['id']}").status_code == 404
    assert set(statuses) <= {200, 201, 204, 404, 409}, statuses
    assert remote_user(emulator, "user00") is None


DEADLINE_S = 2.0


@contextlib.contextmanager
def hanging_world(database, *, deadline_s: float, workers: int, threads: int):
    """A Webitel emulator of its own (its threads will hang), and a connector with ``deadline_s``."""
    from emulator.testing import ServedEmulator
    from tests.support.databases import truncate_all

    truncate_all(database)
    served = ServedEmulator()
    env = connector_env(database_url=database, webitel_url=served.handle.base_url, webitel_token=served.handle.token,
                        api_token=API_TOKEN, CONNECTOR_REQUEST_DEADLINE_S=str(deadline_s),
                        CONNECTOR_RECONCILE_INTERVAL_S="0")
    running = ConnectorServer(env, workers=workers, threads=threads)
    try:
        yield served.handle, running
    finally:
        running.stop()
        served.handle.clear_faults()
        served.stop()


@pytest.fixture
def hanging_setup(database, server):
    """A hanging Webitel, and a connector with a 2 s deadline."""
    with hanging_world(database, deadline_s=DEADLINE_S, workers=2, threads=16) as world:
        yield world


def test_with_webitel_hanging_every_endpoint_answers_within_the_deadline(hanging_setup):
    emulator, running = hanging_setup
    with httpx.Client(base_url=running.url, headers={"Authorization": f"Bearer {API_TOKEN}"}, timeout=30) as client:
        api = HttpApi(client)
        user = setup_none(api)
        other = api.post("/api/v1/creatio/users", json={"name": "lnguyen", "contact_name": "Linh Nguyen",
                                                        "type": "employee"}).json
        record = api.post(BASE, json={**user, "extension": "1010"}).json
        api.post(f"{BASE}/{record['id']}/licenses", json={"license_id": "cc-serial-1"})
        api.post(f"{BASE}/{record['id']}/roles", json={"role_id": "1"})
        rid = record["id"]
        emulator.add_fault(path="/api/*", action="delay", delay_ms=60_000)  # Webitel hangs
        calls = [("GET", "/health", None), ("GET", "/lookups/licenses", None), ("GET", "/lookups/roles", None),
                 ("GET", "/lookups/teams", None), ("GET", "/lookups/skills", None), ("GET", "/drift", None),
                 ("POST", "/drift/repair", {"direction": "to_webitel"}), ("GET", "/webitel-users", None),
                 ("GET", f"/webitel-users/{rid}", None), ("POST", "/webitel-users", {"user_id": other["id"]}),
                 ("PATCH", f"/webitel-users/{rid}", {"extension": "2020"}),
                 ("PATCH", f"/webitel-users/{rid}", {"stun_enabled": True}),
                 ("POST", f"/webitel-users/{rid}/licenses", {"license_id": "cm-serial-1"}),
                 ("DELETE", f"/webitel-users/{rid}/licenses/cc-serial-1", None),
                 ("POST", f"/webitel-users/{rid}/roles", {"role_id": "2"}),
                 ("DELETE", f"/webitel-users/{rid}/roles/1", None), ("DELETE", f"/webitel-users/{rid}", None)]

        def timed(call):
            method, path, body = call
            started = time.monotonic()
            response = client.request(method, path, json=body)
            return method, path, response.status_code, time.monotonic() - started

        with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
            results = list(pool.map(timed, calls))
    slow = [(m, p, s, round(t, 2)) for m, p, s, t in results if t > DEADLINE_S + 1]
    assert slow == [], results
    assert all(status < 500 or status in (503, 504) for _m, _p, status, _t in results), results


def test_concurrent_creatio_user_creates_naming_one_new_account_all_succeed(api, emulator):
    """Through gunicorn's two workers, on PostgreSQL: the account's unique name decides, every create
    succeeds and one account exists."""

    def create(n):
        return api.post("/api/v1/creatio/users", json={"name": f"new{n:02d}", "contact_name": f"New {n:02d}",
                                                       "type": "employee", "account_name": "Brand New Ltd"})

    with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(create, range(32)))
    assert [a.status_code for a in answers] == [201] * 32, [a.json for a in answers if a.status_code != 201]
    accounts = api.get("/api/v1/creatio/accounts?q=brand").json
    assert accounts["total"] == 1
    assert {a.json["account"]["id"] for a in answers} == {accounts["items"][0]["id"]}


def wait_for(condition, *, within_s: float = 10.0):
    end = time.monotonic() + within_s
    while not (found := condition()):
        assert time.monotonic() < end, "the condition never held"
        time.sleep(0.05)
    return found


def test_a_delete_while_the_create_may_still_land_removes_what_lands(api, emulator, reconciler_app):
    """The create's POST is parked past the read timeout (pending); the record is deleted at once. The
    record stays, deleting and pending, until the late-write horizon; the POST lands; one reconcile pass
    removes the Webitel user it made, and the record; the Creatio user can have a Webitel user again."""
    user = setup_none(api)
    emulator.add_fault(method="POST", path="/api/users", action="delay", delay_ms=LATE_MS, times=1)
    created = api.post(BASE, json={**user, "extension": "1010"})
    assert created.status_code == 504 and error_of(created)["outcome"] == "pending", created.json
    record_id = error_of(created)["record_id"]
    deleted = api.delete(f"{BASE}/{record_id}")
    assert deleted.status_code == 202, deleted.json
    shown = api.get(f"{BASE}/{record_id}").json
    assert shown["sync"]["state"] == "pending" and "may still land" in shown["sync"]["last_error"], shown
    landed = wait_for(lambda: remote_user(emulator))  # the parked create lands in Webitel
    assert landed["profile"]["creatio_record_id"] == record_id
    assert reconcile(reconciler_app) == {"removed": 1}
    assert remote_user(emulator) is None and records(api) == []
    again = api.post(BASE, json={**user, "extension": "1010"})
    assert again.status_code == 201, again.json
    agree(api, emulator)


@pytest.fixture
def narrow_hanging_setup(database, server):
    """A hanging Webitel, and a connector of one worker with two threads, a 4 s deadline."""
    with hanging_world(database, deadline_s=4, workers=1, threads=2) as world:
        yield world


def test_liveness_answers_at_once_while_every_thread_waits_on_a_hung_webitel(narrow_hanging_setup):
    """Six requests that need Webitel, which hangs, against a worker of two threads: those admitted
    wait to the deadline, the others are answered 503 server_busy at once, and the liveness probe,
    asked all along, answers within a second every time."""
    emulator, running = narrow_hanging_setup
    emulator.add_fault(path="/api/*", action="delay", delay_ms=60_000)
    headers = {"Authorization": f"Bearer {API_TOKEN}"}
    with httpx.Client(base_url=running.url, headers=headers, timeout=30) as client, \
            concurrent.futures.ThreadPoolExecutor(max_workers=6) as pool:
        hung = [pool.submit(client.get, "/lookups/teams") for _ in range(6)]
        probes = []
        while not all(future.done() for future in hung):
            started = time.monotonic()
            status = client.get("/health/live").status_code
            probes.append((status, round(time.monotonic() - started, 2)))
        answers = [future.result() for future in hung]
    assert len(probes) >= 3 and all(status == 200 and took < 1.2 for status, took in probes), probes
    codes = sorted(answer.json()["error"]["code"] for answer in answers)
    assert "server_busy" in codes and set(codes) <= {"server_busy", "webitel_timeout", "webitel_unavailable"}, codes
    busy = next(answer for answer in answers if answer.json()["error"]["code"] == "server_busy")
    assert busy.status_code == 503 and busy.headers["Retry-After"] == "1"
