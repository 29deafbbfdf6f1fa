"""``GET /__emulator__/overview``, the document the dashboard polls, and the dashboard's files."""

from __future__ import annotations

import pytest


def test_the_overview_shows_agents_with_skills_queues_calls_faults_and_the_journal(webitel_emulator):
    handle = webitel_emulator
    agent = handle.client.get("/call_center/agents").json()["items"][0]
    handle.set_presence(agent["user"]["id"], "sip")
    handle.client.patch(f"/call_center/agents/{agent['id']}/status", json={"status": "online"})
    queue = handle.client.get("/call_center/queues").json()["items"][0]
    offered, waiting = handle.add_call(queue["id"], "+1555"), handle.add_call(queue["id"], "+1556")
    rule = handle.add_fault(path="/api/roles", action="error")

    overview = handle.control("GET", "/overview").json()
    [demo] = overview["domains"]
    assert demo["name"] == "demo" and demo["users"] == 3
    [smith] = demo["agents"]["items"]
    assert demo["agents"]["total"] == 1
    assert smith | {"skills": None} == {
        "id": agent["id"], "name": "John Smith", "extension": "1001", "presence": "sip", "status": "online",
        "status_payload": "", "channel": "offering", "free": False, "call_id": offered["id"], "skills": None}
    assert smith["skills"] == [{"name": "English", "capacity": 50, "enabled": True}]
    assert demo["queues"] == {"total": 1, "items": [{"id": queue["id"], "name": "Inbound support", "type": 1,
                                                     "enabled": True, "waiting": 1, "active": 1}]}
    assert [(c["id"], c["state"]) for c in demo["calls"]["items"]] == [(offered["id"], "offering"),
                                                                       (waiting["id"], "waiting")]
    assert overview["faults"] == [{**rule, "hits": 0}]
    assert [e["path"] for e in overview["requests"]][-2:] == ["/api/call_center/agents/1/status",
                                                             "/api/call_center/queues"]


def test_every_list_is_cut_at_the_limit_and_says_its_total(webitel_emulator):
    handle = webitel_emulator
    queue = handle.client.get("/call_center/queues").json()["items"][0]
    calls = [handle.add_call(queue["id"]) for _ in range(3)]
    demo = handle.control("GET", "/overview", params={"limit": 2}).json()["domains"][0]
    assert demo["calls"]["total"] == 3 and [c["id"] for c in demo["calls"]["items"]] == [c["id"] for c in calls[:2]]


@pytest.mark.parametrize("limit", ["0", "5001", "-1", "many", "1.5"])
def test_a_bad_limit_is_refused(webitel_emulator, limit):
    answer = webitel_emulator.control("GET", "/overview", params={"limit": limit})
    assert answer.status_code == 400 and answer.json()["id"] in ("emulator.overview.invalid", "api.process.bad_args")


def test_the_dashboard_is_served_as_plain_files(webitel_emulator):
    page = webitel_emulator.control("GET", "/ui")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert '<script src="/__emulator__/ui/dashboard.js">' in page.text
    for name, kind in (("dashboard.js", "javascript"), ("dashboard.css", "text/css")):
        asset = webitel_emulator.control("GET", f"/ui/{name}")
        assert asset.status_code == 200 and kind in asset.headers["content-type"]
    assert webitel_emulator.control("GET", "/ui/missing.js").status_code == 404
