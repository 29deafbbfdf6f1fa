"""The audit trail: every change through the API, the reconciler, a repair and the import is told —
who, when, what (before and after), the outcome and the Webitel calls — and can be filtered."""

from __future__ import annotations

from datetime import timedelta

from connector.models import utcnow
from tests.support.connector import creatio_user, reconcile

BASE = "/api/v1/webitel-users"
AUDIT = "/api/v1/audit"


def events(api, **query):
    answer = api.get(AUDIT, query_string=query)
    assert answer.status_code == 200, answer.json
    return answer.json["items"]


def test_changes_are_told_with_before_after_outcome_and_calls(api, session, emulator):
    user = creatio_user(session, "agarcia", "Ana Garcia")
    record = api.post(BASE, json={"user_id": str(user.id), "extension": "1010"}).json
    api.patch(f"{BASE}/{record['id']}", json={"extension": "2020"})
    refused = api.post(f"{BASE}/{record['id']}/licenses", json={"license_id": "cc-serial-1"})
    assert refused.status_code == 201
    told = events(api, record_id=record["id"])
    assert [e["action"] for e in told] == ["granting the license cc-serial-1 to agarcia", "change agarcia",
                                           "create agarcia"]
    change = told[1]
    assert change["actor"] == "default"  # the API token's name and change["outcome"] == "done"
    assert (change["before"]["extension"], change["after"]["extension"]) == ("1010", "2020")
    assert [(c["method"], c["status"]) for c in change["webitel_calls"]] == [("PATCH", 200)]
    assert told[0]["after"]["licenses"] == ["cc-serial-1"] and told[2]["before"] is None
    assert told[2]["after"]["state"] == "active"  # what a create asks for (not the "creating" of the work)


def test_a_refusal_and_a_delete_are_told(api, session, emulator):
    user = creatio_user(session, "agarcia", "Ana Garcia")
    record = api.post(BASE, json={"user_id": str(user.id), "extension": "1010"}).json
    emulator.client.post("/users", json={"username": "other", "extension": "3030"})
    assert api.patch(f"{BASE}/{record['id']}", json={"extension": "3030"}).status_code == 409
    assert api.delete(f"{BASE}/{record['id']}").status_code == 204
    told = events(api, record_id=record["id"])
    assert [(e["outcome"], e["error_code"]) for e in told[:2]] == [("done", None), ("not_changed", "extension_taken")]
    assert told[0]["after"] is None  # deleted


def test_a_refused_delete_tells_what_it_asked_for(api, session, emulator):
    user = creatio_user(session, "agarcia", "Ana Garcia")
    record = api.post(BASE, json={"user_id": str(user.id), "extension": "1010"}).json
    emulator.add_fault(method="DELETE", path="/api/users/*", action="error", status=400)
    assert api.delete(f"{BASE}/{record['id']}").status_code >= 400
    told = events(api, record_id=record["id"])[0]
    assert (told["action"], told["outcome"]) == ("delete agarcia", "not_deleted")
    assert told["before"]["state"] == "active" and told["after"] is None  # no user (not "deleting")


def test_the_reconciler_and_a_repair_are_told_as_theirs(app, api, session, emulator):
    user = creatio_user(session, "agarcia", "Ana Garcia")
    record = api.post(BASE, json={"user_id": str(user.id)}).json
    emulator.add_fault(method="PATCH", path="/api/users/*", action="timeout", when="after")
    emulator.add_fault(method="GET", path="/api/users/*", action="error", status=503)
    api.patch(f"{BASE}/{record['id']}", json={"extension": "2020"})
    emulator.clear_faults()
    reconcile(app)
    emulator.client.patch(f"/users/{record['webitel_user_id']}", json={"extension": "4040"})
    api.post("/api/v1/drift/repair", json={"ids": [record["id"]], "direction": "to_record"})
    told = events(api, record_id=record["id"])
    assert [(e["actor"], e["action"], e["outcome"]) for e in told[:3]] == [
        ("default", "repair agarcia to_record", "done"), ("test", "reconcile agarcia", "in_sync"),
        ("default", "change agarcia", "pending")]
    assert events(api, actor="test")[0]["action"] == "reconcile agarcia"


def test_the_import_tells_each_user_it_wrote(api, emulator):
    started = api.post("/api/v1/imports", json={})
    assert started.status_code in (200, 202)
    import time

    deadline = time.monotonic() + 20
    while api.get(f"/api/v1/imports/{started.json['id']}").json["status"] == "running":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    told = [e for e in events(api, size=100) if e["action"].startswith("import ")]
    assert sorted(e["webitel_username"] for e in told) == ["admin", "jsmith", "mbrown"]
    assert all(e["before"] is None and e["after"]["state"] == "active" for e in told)


def test_filters_by_time_and_paging(api, session):
    user = creatio_user(session, "agarcia", "Ana Garcia")
    api.post(BASE, json={"user_id": str(user.id)})
    now = utcnow()
    assert len(events(api, since=(now - timedelta(minutes=1)).isoformat())) == 1
    assert events(api, until=(now - timedelta(minutes=1)).isoformat()) == []
    assert api.get(AUDIT, query_string={"since": "yesterday"}).status_code == 422
    assert api.get(AUDIT, query_string={"since": "2026-01-01T00:00:00"}).status_code == 422  # no zone
    assert api.get(AUDIT, query_string={"page": 0}).status_code == 422


def test_no_secret_reaches_the_trail(api, session, emulator):
    user = creatio_user(session, "agarcia", "Ana Garcia")
    record = api.post(BASE, json={"user_id": str(user.id)}).json
    api.patch(f"{BASE}/{record['id']}", json={"stun_enabled": True})  # a user access token is minted
    text = str(api.get(AUDIT).json)
    tokens = [t["token"] for t in emulator.client.get(f"/users/{record['webitel_user_id']}/tokens").json().get(
        "items", []) if t.get("token")]
    assert emulator.token not in text and "password" not in text and not any(t in text for t in tokens)
