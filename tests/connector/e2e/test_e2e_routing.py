"""Active-skill-only routing through the whole product, on real ports: the connector under gunicorn
makes a Creatio user a Webitel agent with a skill the queue needs; the emulator's call center offers
the queue's calls to it while the skill is active, and keeps them waiting while it is not."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e


def test_only_an_active_skill_routes_calls(api, emulator):
    user = api.post("/creatio/users", json={"name": "agarcia", "contact_name": "Ana Garcia",
                                            "type": "employee"}).json()
    record = api.post("/webitel-users", json={"user_id": user["id"], "extension": "1010"}).json()
    rid = record["id"]
    assert api.post(f"/webitel-users/{rid}/licenses", json={"license_id": "cc-serial-1"}).status_code == 201
    teams = {t["name"]: t["id"] for t in api.get("/lookups/teams").json()["items"]}
    skills = {s["name"]: s["id"] for s in api.get("/lookups/skills").json()["items"]}
    made = api.patch(f"/webitel-users/{rid}", json={"is_agent": True, "team_id": teams["Support"]})
    assert made.status_code == 200, made.text
    given = api.post(f"/webitel-users/{rid}/skills", json={"skill_id": skills["English"], "capacity": 60})
    assert given.status_code == 201
    emulator.set_presence(record["webitel_user_id"], "sip")  # the phone is registered
    online = api.put(f"/webitel-users/{rid}/agent-status", json={"status": "online"})
    assert online.status_code == 200 and online.json()["agent_status"] == "online", online.text
    webitel_user_id = made.json()["webitel_user_id"]
    queue = next(q for q in emulator.client.get("/call_center/queues").json()["items"]
                 if q["name"] == "Inbound support")

    first = emulator.add_call(queue["id"])
    assert first["state"] == "offering" and first["agent"]["user_id"] == webitel_user_id
    emulator.answer(first["id"])
    emulator.hangup(first["id"])
    emulator.advance_clock(60)  # past the team's wrap-up time: the agent waits for calls again

    inactive = api.patch(f"/webitel-users/{rid}/skills/{skills['English']}", json={"active": False})
    assert inactive.status_code == 200 and inactive.json()["skills"][0]["active"] is False
    second = emulator.add_call(queue["id"])
    assert second["state"] == "waiting", second  # an inactive skill routes nothing

    active = api.patch(f"/webitel-users/{rid}/skills/{skills['English']}", json={"active": True})
    assert active.status_code == 200
    offered = emulator.call(second["id"])
    assert offered["state"] == "offering" and offered["agent"]["user_id"] == webitel_user_id, offered
