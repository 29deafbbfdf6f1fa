"""Repair against what Webitel really holds: a user deleted softly there (still readable, with
``deleted_at``) is gone, and a skill capacity of 0 (Webitel allows it) is taken into the record; a
status for an agent removed in Webitel says what to do, truthfully. On SQLite and PostgreSQL."""

from __future__ import annotations

from tests.connector.integration.test_imports import outcomes, records, run_import
from tests.support.connector import creatio_user, disagreements, error_of

BASE = "/api/v1/webitel-users"
SUPPORT, ENGLISH = "1", "1"  # the demo seed's team and skill


def make_record(api, session, **extra) -> dict:
    user = creatio_user(session, "agarcia", "Ana Garcia")
    created = api.post(BASE, json={"user_id": str(user.id), "extension": "1010", **extra})
    assert created.status_code == 201, created.json
    return created.json


def make_agent(api, session) -> dict:
    record = make_record(api, session)
    assert api.post(f"{BASE}/{record['id']}/licenses", json={"license_id": "cc-serial-1"}).status_code == 201
    made = api.patch(f"{BASE}/{record['id']}", json={"is_agent": True, "team_id": SUPPORT})
    assert made.status_code == 200, made.json
    assert api.post(f"{BASE}/{record['id']}/skills", json={"skill_id": ENGLISH, "capacity": 50}).status_code == 201
    return made.json


def agent_of(emulator, record) -> dict | None:
    items = emulator.client.get("/call_center/agents", params={"user_id": record["webitel_user_id"]}).json()
    return next(iter(items.get("items") or []), None)


def test_a_user_deleted_softly_in_webitel_is_gone_and_repair_makes_it_again(api, emulator, session):
    record = make_record(api, session)
    old_id = record["webitel_user_id"]
    assert emulator.client.delete(f"/users/{old_id}").status_code == 200  # Webitel's default: a soft delete
    assert emulator.client.get(f"/users/{old_id}").json().get("deleted_at")  # still readable
    item = next(i for i in api.get("/api/v1/drift").json["items"] if i.get("record_id") == record["id"])
    assert item["kind"] == "missing_in_webitel"
    taken = api.post("/api/v1/drift/repair", json={"ids": [record["id"]], "direction": "to_record"})
    assert taken.json["items"][0]["code"] == "missing_in_webitel"  # nothing to take from a deleted user
    repaired = api.post("/api/v1/drift/repair", json={"ids": [record["id"]], "direction": "to_webitel"})
    assert repaired.json["items"] == [{"record_id": record["id"], "outcome": "repaired", "sync_state": "in_sync"}]
    shown = api.get(f"{BASE}/{record['id']}").json
    assert shown["webitel_user_id"] not in (None, old_id) and shown["extension"] == "1010"
    live = emulator.client.get(f"/users/{shown['webitel_user_id']}").json()
    assert live["username"] == "agarcia" and not live.get("deleted_at")
    assert disagreements(session, emulator) == []


def test_a_skill_capacity_of_0_set_in_webitel_is_taken_into_the_record(api, emulator, session):
    record = make_agent(api, session)
    agent = agent_of(emulator, record)
    [row] = emulator.client.get(f"/call_center/agents/{agent['id']}/skills").json()["items"]
    assert emulator.client.patch(f"/call_center/agents/{agent['id']}/skills/{row['id']}",
                                 json={"capacity": 0}).status_code == 200
    item = next(i for i in api.get("/api/v1/drift").json["items"] if i.get("record_id") == record["id"])
    assert item["fields"]["skills"]["webitel"] == {ENGLISH: [0, True]}
    repaired = api.post("/api/v1/drift/repair", json={"ids": [record["id"]], "direction": "to_record"})
    assert repaired.json["items"] == [{"record_id": record["id"], "outcome": "repaired", "sync_state": "in_sync"}]
    shown = api.get(f"{BASE}/{record['id']}").json
    assert shown["skills"] == [{"skill": {"id": ENGLISH, "name": "English"}, "capacity": 0, "active": True}]
    assert disagreements(session, emulator) == []


def test_the_import_takes_a_skill_capacity_of_0(api, emulator, session):
    jsmith = next(u for u in emulator.client.get("/users").json()["items"] if u["username"] == "jsmith")
    agent = emulator.client.get("/call_center/agents", params={"user_id": jsmith["id"]}).json()["items"][0]
    [row] = emulator.client.get(f"/call_center/agents/{agent['id']}/skills").json()["items"]
    emulator.client.patch(f"/call_center/agents/{agent['id']}/skills/{row['id']}", json={"capacity": 0})
    job = run_import(api)
    assert job["status"] == "succeeded" and outcomes(job)["jsmith"] == "created", job
    assert records(api)["jsmith"]["skills"][0]["capacity"] == 0
    assert disagreements(session, emulator) == []


def test_a_status_for_an_agent_removed_in_webitel_says_what_to_do(api, emulator, session):
    record = make_agent(api, session)
    emulator.client.delete(f"/call_center/agents/{agent_of(emulator, record)['id']}")
    response = api.put(f"{BASE}/{record['id']}/agent-status", json={"status": "offline"})
    error = error_of(response)
    assert response.status_code == 400 and error["code"] == "not_an_agent", error
    assert "reconciler" not in error["message"] and "repair" in error["message"], error
    assert error["outcome"] == "not_changed"
    assert agent_of(emulator, record) is None  # nothing made it one behind the user's back
    repaired = api.post("/api/v1/drift/repair", json={"ids": [record["id"]], "direction": "to_webitel"})
    assert repaired.json["items"][0]["outcome"] == "repaired"
    assert api.put(f"{BASE}/{record['id']}/agent-status", json={"status": "offline"}).status_code == 200
