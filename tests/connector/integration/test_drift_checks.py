"""Drift checks: the drift report computed by a background job, kept in the database and read from
there a page at a time; one check at a time across processes (the database decides), a dead
process's check marked failed; ``GET /api/v1/drift`` reads Webitel the same way and says the same."""

from __future__ import annotations

import uuid
from datetime import timedelta

from connector.models import ImportJob, utcnow
from tests.support.connector import error_of, finished_job

CHECKS = "/api/v1/drift/checks"
IMPORTS = "/api/v1/imports"


def run_check(api, **body) -> dict:
    job = finished_job(api, CHECKS, api.post(CHECKS, json=body))
    return api.get(f"{CHECKS}/{job['id']}?size=1000").json


def seed_user(emulator, username: str, **fields) -> dict:
    created = emulator.client.post("/users", json={"username": username, "name": username.title(), **fields})
    assert created.status_code == 200, created.text
    return created.json()


def set_stun(emulator, uid: str, enabled: bool) -> None:
    token = emulator.client.post(f"/users/{uid}/tokens", json={"usage": "test"}).json()
    with emulator.api_client(token["token"]) as client:
        assert client.put("/user/settings/phone", json={"webrtc": True, "stun": enabled}).status_code == 200
    emulator.client.delete(f"/users/{uid}/tokens/{token['id']}")


def comparable(items: list[dict]) -> list[tuple]:
    return sorted((item["kind"], item.get("record_id"), item["webitel_user_id"], item["webitel_username"],
                   repr(sorted(item["fields"].items()))) for item in items)


def drifted_world(api, emulator) -> dict[str, dict]:
    """Every seeded user imported, then Webitel changed behind the connector's back."""
    seed_user(emulator, "leaver")
    assert finished_job(api, IMPORTS, api.post(IMPORTS, json={}))["status"] == "succeeded"
    records = {r["webitel_username"]: r for r in api.get("/api/v1/webitel-users?size=100").json["items"]}
    emulator.client.patch(f"/users/{records['jsmith']['webitel_user_id']}", json={"extension": "4040"})
    set_stun(emulator, records["mbrown"]["webitel_user_id"], True)
    seed_user(emulator, "newcomer")
    assert emulator.client.delete(f"/users/{records['leaver']['webitel_user_id']}?permanent=true").status_code == 200
    return records


def test_a_check_finds_what_the_report_finds_and_serves_it_paged(api, emulator):
    records = drifted_world(api, emulator)
    check = run_check(api)
    assert check["status"] == "succeeded" and check["error"] is None
    assert check["progress"]["done"] == check["progress"]["total"] == 4  # admin, jsmith, mbrown, newcomer
    assert check["summary"] == {"differs": 2, "missing_in_webitel": 1, "missing_record": 1}
    by_user = {item["webitel_username"]: item for item in check["items"]}
    assert by_user["jsmith"]["fields"]["extension"] == {"record": "1001", "webitel": "4040"}
    assert by_user["mbrown"]["fields"] == {"stun_enabled": {"record": False, "webitel": True}}
    assert by_user["newcomer"]["kind"] == "missing_record" and by_user["newcomer"]["record_id"] is None
    assert by_user["leaver"]["kind"] == "missing_in_webitel"
    assert by_user["leaver"]["record_id"] == records["leaver"]["id"]
    assert by_user["jsmith"]["sync"]["state"] == "in_sync"

    assert comparable(check["items"]) == comparable(api.get("/api/v1/drift").json["items"])

    first = api.get(f"{CHECKS}/{check['id']}?size=1&page=2").json
    assert first["items_page"] == {"page": 2, "size": 1, "total": 4} and first["items"] == check["items"][1:2]
    only = api.get(f"{CHECKS}/{check['id']}?kind=missing_record").json
    assert [item["webitel_username"] for item in only["items"]] == ["newcomer"]
    assert [job["id"] for job in api.get(CHECKS).json["items"]] == [check["id"]]


def test_without_stun_a_check_leaves_stun_out(api, emulator):
    drifted_world(api, emulator)
    check = run_check(api, stun=False)
    assert "mbrown" not in {item["webitel_username"] for item in check["items"]}
    assert check["summary"]["differs"] == 1


def test_a_check_of_records_in_sync_finds_nothing(api, emulator):
    assert finished_job(api, IMPORTS, api.post(IMPORTS, json={}))["status"] == "succeeded"
    check = run_check(api)
    assert check["items"] == [] and check["summary"] == {"differs": 0, "missing_in_webitel": 0, "missing_record": 0}


def test_one_check_at_a_time_beside_an_import_and_a_dead_ones_check_is_marked_failed(api, emulator, session):
    running = ImportJob(id=uuid.uuid4(), kind="drift", status="running", owner="elsewhere:1", summary={}, done=0)
    session.add(running)
    session.commit()
    refused = api.post(CHECKS, json={})
    assert refused.status_code == 409 and error_of(refused)["code"] == "drift_check_running"
    assert error_of(refused)["existing"] == {"id": str(running.id)}
    assert finished_job(api, IMPORTS, api.post(IMPORTS, json={}))["status"] == "succeeded"  # another kind of job
    running.heartbeat_at = utcnow() - timedelta(minutes=10)  # its process died
    session.commit()
    shown = api.get(f"{CHECKS}/{running.id}").json
    assert shown["status"] == "failed" and "run the drift check again" in shown["error"]
    assert run_check(api)["status"] == "succeeded"


def test_a_check_is_not_an_import_nor_an_import_a_check(api, emulator):
    check = run_check(api)
    job = finished_job(api, IMPORTS, api.post(IMPORTS, json={}))
    assert api.get(f"{IMPORTS}/{check['id']}").status_code == 404
    assert api.get(f"{CHECKS}/{job['id']}").status_code == 404
    assert [j["id"] for j in api.get(IMPORTS).json["items"]] == [job["id"]]


def test_bad_requests_are_refused_in_the_contract_shape(api):
    assert error_of(api.post(CHECKS, json={"stun": "maybe"}))["code"] == "validation_error"
    assert error_of(api.post(CHECKS, json={"extra": 1}))["code"] == "validation_error"
    assert error_of(api.get(f"{CHECKS}/{uuid.uuid4()}"))["code"] == "not_found"
    assert error_of(api.get(f"{CHECKS}/{uuid.uuid4()}?kind=other"))["code"] == "validation_error"
    assert error_of(api.get(f"{CHECKS}?size=0"))["code"] == "validation_error"


def test_a_failed_webitel_read_fails_the_check_saying_why(api, emulator):
    emulator.add_fault(method="GET", path="/api/call_center/agents*", action="error", status=503)
    check = finished_job(api, CHECKS, api.post(CHECKS, json={}))
    assert check["status"] == "failed" and check["error"]
    emulator.clear_faults()
    assert run_check(api)["status"] == "succeeded"
