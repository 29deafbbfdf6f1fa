"""Agents, teams, skills and agent statuses through the API, against the emulator's call center, on
SQLite and PostgreSQL: the product's rules and every refusal."""

from __future__ import annotations

import uuid

import pytest

from tests.support.connector import creatio_user, disagreements, error_of, reconcile, webitel_state

BASE = "/api/v1/webitel-users"
SUPPORT, ENGLISH, BILLING, SPANISH = "1", "1", "2", "3"  # the demo seed's team and skills


@pytest.fixture
def record(api, session):
    user = creatio_user(session, "agarcia", "Ana Garcia")
    return api.post(BASE, json={"user_id": str(user.id), "extension": "1010"}).json


@pytest.fixture
def licensed(api, record):
    assert api.post(f"{BASE}/{record['id']}/licenses", json={"license_id": "cc-serial-1"}).status_code == 201
    return record


@pytest.fixture
def agent(api, licensed):
    response = api.patch(f"{BASE}/{licensed['id']}", json={"is_agent": True, "team_id": SUPPORT})
    assert response.status_code == 200, response.json
    return response.json


def agent_of(emulator, record):
    """The user's agent, read through Webitel's own API (as a partner's check would)."""
    items = emulator.client.get("/call_center/agents", params={"user_id": record["webitel_user_id"]}).json()
    return next(iter(items.get("items") or []), None)


def agent_skills(emulator, record) -> dict[str, tuple[int, bool]]:
    found = agent_of(emulator, record)
    if found is None:
        return {}
    rows = emulator.client.get(f"/call_center/agents/{found['id']}/skills").json().get("items") or []
    return {row["skill"]["id"]: (row.get("capacity", 0), bool(row.get("enabled"))) for row in rows}


def test_making_an_agent_in_a_team(api, agent, emulator, session):
    assert agent["is_agent"] is True and agent["team"] == {"id": SUPPORT, "name": "Support"}
    assert agent["agent_status"] == "offline"
    found = agent_of(emulator, agent)
    assert found is not None and found["team"]["id"] == SUPPORT
    assert (found["progressive_count"], found["chat_count"], found["task_count"]) == (1, 1, 1)
    assert disagreements(session, emulator) == []


def test_an_agent_needs_a_call_center_license(api, record, emulator):
    response = api.patch(f"{BASE}/{record['id']}", json={"is_agent": True, "team_id": SUPPORT})
    assert response.status_code == 400 and error_of(response)["code"] == "call_center_license_required"
    assert agent_of(emulator, record) is None
    assert api.get(f"{BASE}/{record['id']}").json["is_agent"] is False


@pytest.mark.parametrize("body, field", [({"is_agent": True}, "team_id"),
                                         ({"is_agent": True, "team_id": "999"}, "team_id"),
                                         ({"is_agent": "yes", "team_id": SUPPORT}, "is_agent"),
                                         ({"is_agent": True, "team_id": "Support"}, "team_id")])
def test_agent_refusals_are_field_errors(api, licensed, emulator, body, field):
    response = api.patch(f"{BASE}/{licensed['id']}", json=body)
    assert response.status_code == 422 and field in error_of(response)["fields"], response.json
    assert agent_of(emulator, licensed) is None


def test_changing_the_team(api, agent, emulator):
    team = emulator.client.post("/call_center/teams", json={"name": "Sales", "strategy": "round-robin"}).json()
    response = api.patch(f"{BASE}/{agent['id']}", json={"team_id": team["id"]})
    assert response.status_code == 200 and response.json["team"] == {"id": team["id"], "name": "Sales"}
    assert agent_of(emulator, agent)["team"]["id"] == team["id"]


def test_skills_one_at_a_time(api, agent, emulator, session):
    response = api.post(f"{BASE}/{agent['id']}/skills", json={"skill_id": ENGLISH, "capacity": 50})
    assert response.status_code == 201
    assert response.json["skills"] == [{"skill": {"id": ENGLISH, "name": "English"}, "capacity": 50, "active": True}]
    api.post(f"{BASE}/{agent['id']}/skills", json={"skill_id": BILLING, "capacity": 10, "active": False})
    assert agent_skills(emulator, agent) == {ENGLISH: (50, True), BILLING: (10, False)}
    changed = api.patch(f"{BASE}/{agent['id']}/skills/{ENGLISH}", json={"capacity": 80, "active": False})
    assert changed.status_code == 200
    assert agent_skills(emulator, agent) == {ENGLISH: (80, False), BILLING: (10, False)}
    assert api.delete(f"{BASE}/{agent['id']}/skills/{BILLING}").status_code == 204
    assert agent_skills(emulator, agent) == {ENGLISH: (80, False)}
    assert [s["skill"]["id"] for s in api.get(f"{BASE}/{agent['id']}").json["skills"]] == [ENGLISH]
    assert disagreements(session, emulator) == []


@pytest.mark.parametrize("body", [{"skill_id": ENGLISH, "capacity": 0}, {"skill_id": ENGLISH, "capacity": 101},
                                  {"skill_id": ENGLISH, "capacity": "50"}, {"skill_id": ENGLISH},
                                  {"skill_id": ENGLISH, "capacity": 5, "active": 0}, {"capacity": 5},
                                  {"skill_id": "999", "capacity": 5}, {"skill_id": ENGLISH, "capacity": 5, "x": 1}])
def test_skill_refusals(api, agent, emulator, body):
    response = api.post(f"{BASE}/{agent['id']}/skills", json=body)
    assert response.status_code == 422, response.json
    assert agent_skills(emulator, agent) == {}


def test_a_skill_given_twice_or_missing(api, agent):
    api.post(f"{BASE}/{agent['id']}/skills", json={"skill_id": ENGLISH, "capacity": 50})
    again = api.post(f"{BASE}/{agent['id']}/skills", json={"skill_id": ENGLISH, "capacity": 60})
    assert again.status_code == 409 and error_of(again)["code"] == "already_exists"
    assert api.patch(f"{BASE}/{agent['id']}/skills/{SPANISH}", json={"capacity": 5}).status_code == 404
    assert api.delete(f"{BASE}/{agent['id']}/skills/{SPANISH}").status_code == 404
    bad = api.patch(f"{BASE}/{agent['id']}/skills/{ENGLISH}", json={"capacity": 0})
    assert bad.status_code == 422


def test_a_non_agent_keeps_its_skills_for_later(api, licensed, emulator):
    response = api.post(f"{BASE}/{licensed['id']}/skills", json={"skill_id": ENGLISH, "capacity": 40})
    assert response.status_code == 201 and len(response.json["skills"]) == 1
    assert agent_of(emulator, licensed) is None
    api.patch(f"{BASE}/{licensed['id']}", json={"is_agent": True, "team_id": SUPPORT})
    assert agent_skills(emulator, licensed) == {ENGLISH: (40, True)}


def test_deactivating_then_reactivating_restores_every_skill_exactly(api, agent, emulator, session):
    wanted = {ENGLISH: (50, True), BILLING: (10, False), SPANISH: (100, True)}
    for name in ("French", "German"):
        skill = emulator.client.post("/call_center/skills", json={"name": name}).json()
        wanted[skill["id"]] = (1, name == "French")
    for skill_id, (capacity, active) in wanted.items():
        assert api.post(f"{BASE}/{agent['id']}/skills",
                        json={"skill_id": skill_id, "capacity": capacity, "active": active}).status_code == 201
    off = api.patch(f"{BASE}/{agent['id']}", json={"is_agent": False})
    assert off.status_code == 200 and off.json["is_agent"] is False and len(off.json["skills"]) == 5
    assert agent_of(emulator, agent) is None  # gone from Webitel's call center
    on = api.patch(f"{BASE}/{agent['id']}", json={"is_agent": True})
    assert on.status_code == 200, on.json
    assert agent_skills(emulator, agent) == wanted
    assert disagreements(session, emulator) == []


def test_agent_statuses(api, agent, emulator):
    response = api.put(f"{BASE}/{agent['id']}/agent-status", json={"status": "online"})
    error = error_of(response)
    assert response.status_code == 409 and error["code"] == "phone_not_registered"
    assert error["webitel"]["id"] == "store.sql_agent.set_online.app_error" and error["outcome"] == "not_changed"
    assert api.get(f"{BASE}/{agent['id']}").json["sync"]["state"] == "in_sync"  # a refusal, not an unknown
    emulator.set_presence(agent["webitel_user_id"], "sip")
    online = api.put(f"{BASE}/{agent['id']}/agent-status", json={"status": "online"})
    assert online.status_code == 200 and online.json["agent_status"] == "online"
    paused = api.put(f"{BASE}/{agent['id']}/agent-status", json={"status": "pause", "pause_cause": "Lunch"})
    assert paused.status_code == 200 and paused.json["agent_status"] == "pause"
    assert api.get(f"{BASE}/{agent['id']}").json["agent_status"] == "pause"
    off = api.put(f"{BASE}/{agent['id']}/agent-status", json={"status": "offline"})
    assert off.json["agent_status"] == "offline"


def test_an_unknown_pause_cause_is_a_field_error(api, agent, emulator):
    emulator.set_presence(agent["webitel_user_id"], "sip")
    assert api.put(f"{BASE}/{agent['id']}/agent-status", json={"status": "online"}).status_code == 200
    response = api.put(f"{BASE}/{agent['id']}/agent-status", json={"status": "pause", "pause_cause": "Nap"})
    error = error_of(response)
    assert response.status_code == 422 and list(error["fields"]) == ["pause_cause"], error
    assert error["outcome"] == "not_changed" and error["webitel"]["id"] == "app.agent.set_pause.payload"
    shown = api.get(f"{BASE}/{agent['id']}").json
    assert shown["agent_status"] == "online" and shown["sync"]["state"] == "in_sync"


@pytest.mark.parametrize("body", [{"status": "waiting"}, {}, {"status": "online", "x": 1}, {"status": 1}])
def test_status_refusals(api, agent, body):
    assert api.put(f"{BASE}/{agent['id']}/agent-status", json=body).status_code == 422


def test_a_status_for_a_non_agent_is_refused(api, record):
    response = api.put(f"{BASE}/{record['id']}/agent-status", json={"status": "offline"})
    assert response.status_code == 400 and error_of(response)["code"] == "not_an_agent"


def test_the_status_shown_is_webitels_own(api, agent, emulator):
    """Webitel changes a status by itself (here: an administrator there); a read shows it."""
    found = agent_of(emulator, agent)
    emulator.client.patch(f"/call_center/agents/{found['id']}/status", json={"status": "pause", "payload": "Tea"})
    assert api.get(f"{BASE}/{agent['id']}").json["agent_status"] == "pause"
    assert api.get(BASE).json["items"][0]["agent_status"] == "pause"


def test_an_agents_last_call_center_license_cannot_be_revoked(api, agent, emulator):
    response = api.delete(f"{BASE}/{agent['id']}/licenses/cc-serial-1")
    assert response.status_code == 400 and error_of(response)["code"] == "call_center_license_in_use"
    api.patch(f"{BASE}/{agent['id']}", json={"is_agent": False})
    assert api.delete(f"{BASE}/{agent['id']}/licenses/cc-serial-1").status_code == 204


def test_deleting_an_agent_removes_the_agent_then_the_user(api, agent, emulator, session):
    api.post(f"{BASE}/{agent['id']}/skills", json={"skill_id": ENGLISH, "capacity": 50})
    assert api.delete(f"{BASE}/{agent['id']}").status_code == 204
    assert agent_of(emulator, agent) is None
    assert not any(u["id"] == agent["webitel_user_id"] for u in webitel_state(emulator)["users"])
    assert disagreements(session, emulator) == []


def test_deleting_a_user_made_an_agent_in_webitel_directly(api, licensed, emulator, session):
    emulator.client.post("/call_center/agents", json={"user": {"id": licensed["webitel_user_id"]},
                                                     "team": {"id": SUPPORT}, "progressive_count": 1,
                                                     "chat_count": 1, "task_count": 1})
    response = api.delete(f"{BASE}/{licensed['id']}")
    assert response.status_code == 204, response.json
    assert agent_of(emulator, licensed) is None


def test_an_agent_made_in_webitel_directly_shows_in_the_drift_report(api, licensed, emulator):
    emulator.client.post("/call_center/agents", json={"user": {"id": licensed["webitel_user_id"]},
                                                     "team": {"id": SUPPORT}, "progressive_count": 1,
                                                     "chat_count": 1, "task_count": 1})
    item = next(i for i in api.get("/api/v1/drift").json["items"] if i.get("record_id") == licensed["id"])
    assert item["fields"]["is_agent"] == {"record": False, "webitel": True}
    repaired = api.post("/api/v1/drift/repair", json={"ids": [licensed["id"]], "direction": "to_record"})
    assert repaired.json["items"][0]["outcome"] == "repaired"
    shown = api.get(f"{BASE}/{licensed['id']}").json
    assert shown["is_agent"] is True and shown["team"]["id"] == SUPPORT


def test_the_reconciler_converges_an_agent_and_its_skills(app, api, agent, emulator, session):
    """A pending record (its last change unconfirmed) gets its agent, team and skills back in Webitel."""
    api.post(f"{BASE}/{agent['id']}/skills", json={"skill_id": ENGLISH, "capacity": 50})
    found = agent_of(emulator, agent)
    emulator.client.delete(f"/call_center/agents/{found['id']}")
    emulator.add_fault(method="PATCH", path="/api/call_center/agents/*/skills/*", action="timeout", when="after")
    emulator.add_fault(method="GET", path="/api/call_center/agents*", action="error", status=503)
    response = api.patch(f"{BASE}/{agent['id']}/skills/{ENGLISH}", json={"capacity": 70})
    emulator.clear_faults()
    assert error_of(response)["outcome"] == "pending"
    assert reconcile(app) == {"in_sync": 1}
    assert agent_skills(emulator, agent) == {ENGLISH: (70, True)}
    assert disagreements(session, emulator) == []


def offer_a_call(api, agent, emulator) -> dict:
    """The agent online with English, and a call of the seeded inbound queue offered to it."""
    api.post(f"{BASE}/{agent['id']}/skills", json={"skill_id": ENGLISH, "capacity": 50})
    emulator.set_presence(agent["webitel_user_id"], "sip")
    assert api.put(f"{BASE}/{agent['id']}/agent-status", json={"status": "online"}).status_code == 200
    [queue] = emulator.client.get("/call_center/queues", params={"q": "Inbound support"}).json()["items"]
    seeded = next(a for a in emulator.client.get("/call_center/agents").json()["items"] if a["name"] == "John Smith")
    emulator.client.patch(f"/call_center/agents/{seeded['id']}/status", json={"status": "offline"})
    call = emulator.add_call(queue["id"])
    assert call["state"] == "offering" and call["agent"]["id"] == agent_of(emulator, agent)["id"], call
    return call


@pytest.mark.parametrize("how", ["untick", "delete"])
def test_an_agent_offered_a_call_is_not_removed_until_the_call_ends(api, agent, emulator, session, how):
    """Webitel refuses to delete an agent holding a call (a foreign key of the call's attempt): the
    connector says so in its own words, changes nothing, and the same request succeeds after the call."""
    call = offer_a_call(api, agent, emulator)

    def remove():
        if how == "untick":
            return api.patch(f"{BASE}/{agent['id']}", json={"is_agent": False})
        return api.delete(f"{BASE}/{agent['id']}")

    refused = remove()
    error = error_of(refused)
    assert refused.status_code == 409 and error["code"] == "agent_on_call", refused.json
    assert "call" in error["message"] and "try again" in error["message"]
    assert error["outcome"] == ("not_changed" if how == "untick" else "not_deleted")
    assert "pq:" not in error["message"]
    shown = api.get(f"{BASE}/{agent['id']}").json
    assert shown["is_agent"] is True and shown["sync"]["state"] == "in_sync"
    assert agent_of(emulator, agent)["status"] == "online"  # not even taken offline
    assert emulator.call(call["id"])["state"] == "offering"
    emulator.hangup(call["id"])
    assert remove().status_code in (200, 204)
    assert agent_of(emulator, agent) is None
    assert disagreements(session, emulator) == []


def test_the_reconciler_waits_for_the_call_to_end_before_removing_the_agent(app, api, agent, emulator, session):
    """A pending record that says "no agent" while Webitel's agent holds a call: not a conflict, only a
    matter of waiting; once the call ends the next pass removes the agent."""
    from connector.models import SyncState, WebitelUser, utcnow

    call = offer_a_call(api, agent, emulator)
    row = session.get(WebitelUser, uuid.UUID(agent["id"]))
    row.is_agent, row.sync_state, row.next_attempt_at = False, SyncState.PENDING, utcnow()
    session.commit()
    assert reconcile(app) == {"pending": 1}
    assert "call" in api.get(f"{BASE}/{agent['id']}").json["sync"]["last_error"]
    assert agent_of(emulator, agent) is not None
    emulator.hangup(call["id"])
    assert reconcile(app) == {"in_sync": 1}
    assert agent_of(emulator, agent) is None
    assert disagreements(session, emulator) == []


def test_a_pause_takes_the_cause_the_lookup_offers_and_the_record_shows_it(api, agent, emulator):
    emulator.set_presence(agent["webitel_user_id"], "sip")
    assert api.put(f"{BASE}/{agent['id']}/agent-status", json={"status": "online"}).json["pause_cause"] is None
    cause = next(c for c in api.get("/api/v1/lookups/pause-causes").json["items"] if c["name"] == "Lunch")
    paused = api.put(f"{BASE}/{agent['id']}/agent-status", json={"status": "pause", "pause_cause_id": cause["id"]})
    assert paused.status_code == 200, paused.json
    assert (paused.json["agent_status"], paused.json["pause_cause"]) == ("pause", "Lunch")
    agent_id = agent_of(emulator, agent)["id"]
    held = next(a for a in webitel_state(emulator)["call_center"]["agents"] if a["id"] == agent_id)
    assert (held["status"], held["status_payload"]) == ("pause", "Lunch")  # what Webitel itself holds
    shown = api.get(f"{BASE}/{agent['id']}").json
    assert (shown["agent_status"], shown["pause_cause"]) == ("pause", "Lunch")
    listed = next(r for r in api.get(BASE).json["items"] if r["id"] == agent["id"])
    assert listed["pause_cause"] == "Lunch"
    online = api.put(f"{BASE}/{agent['id']}/agent-status", json={"status": "online"})
    assert (online.json["agent_status"], online.json["pause_cause"]) == ("online", None)


def test_a_pause_cause_set_in_webitel_is_shown(api, agent, emulator):
    emulator.set_presence(agent["webitel_user_id"], "sip")
    assert api.put(f"{BASE}/{agent['id']}/agent-status", json={"status": "online"}).status_code == 200
    found = agent_of(emulator, agent)
    changed = emulator.client.patch(f"/call_center/agents/{found['id']}/status",
                                    json={"status": "pause", "payload": "Lunch"})
    assert changed.status_code == 200, changed.text
    shown = api.get(f"{BASE}/{agent['id']}").json
    assert (shown["agent_status"], shown["pause_cause"]) == ("pause", "Lunch")


def test_pause_cause_id_refusals(api, agent, emulator):
    emulator.set_presence(agent["webitel_user_id"], "sip")
    assert api.put(f"{BASE}/{agent['id']}/agent-status", json={"status": "online"}).status_code == 200
    unknown = api.put(f"{BASE}/{agent['id']}/agent-status", json={"status": "pause", "pause_cause_id": "999"})
    error = error_of(unknown)
    assert unknown.status_code == 422 and list(error["fields"]) == ["pause_cause_id"], error
    both = api.put(f"{BASE}/{agent['id']}/agent-status",
                   json={"status": "pause", "pause_cause": "Lunch", "pause_cause_id": "1"})
    assert both.status_code == 422 and list(error_of(both)["fields"]) == ["pause_cause_id"]
    for wrong in ("", "x" * 30, 5):
        response = api.put(f"{BASE}/{agent['id']}/agent-status", json={"status": "pause", "pause_cause_id": wrong})
        assert response.status_code == 422, (wrong, response.json)
    assert api.get(f"{BASE}/{agent['id']}").json["agent_status"] == "online"  # nothing changed
