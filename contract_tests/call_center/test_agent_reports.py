"""Agents' history and reports (engine ``AgentService``) and the queue report (``QueueService``):
figures computed from what the simulation did, so that they agree with the calls and state changes
a test made (docs/call-center.md, "Reports")."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from contract_tests.call_center.conftest import CC, ok, refused
from contract_tests.call_center.test_calendars import advance_to
from contract_tests.call_center.test_routing import go_online

pytestmark = pytest.mark.control_plane


def clock(emulator) -> int:
    return int(emulator.state()["clock_ms"])


@pytest.fixture
def shift(api, cc, emulator, cause):
    """An agent of a team (wrap-up 10 s, no-answer pause 5 s) who goes online, misses one call,
    talks 60 s on another (20 s of it on hold), pauses for lunch, and is online again; and a
    second call whose caller gives up while the agent's phone rings. Answers (agent, queue,
    start, the calls)."""
    skill, team = cc.skill(), cc.team(wrap_up_time=10, no_answer_delay_time=5, max_no_answer=5)
    queue = cc.queue(team={"id": team["id"]}, tags=[{"name": "vip"}])
    cc.queue_skill(queue, skill)
    agent = cc.agent(team={"id": team["id"]})
    cc.agent_skill(agent, skill)
    now = datetime.fromtimestamp(clock(emulator) / 1000, UTC)
    advance_to(emulator, datetime.combine(now.date() + timedelta(days=1), time(10), UTC))  # "today" holds it all
    start = clock(emulator)
    go_online(api, emulator, agent)
    missed = emulator.add_call(queue["id"])
    emulator.miss(missed["id"])
    emulator.advance_clock(5)  # the no-answer pause ends; the call is offered again
    emulator.answer(missed["id"])
    ok(api.patch(f"/calls/active/{missed['id']}/hold", json={}))
    emulator.advance_clock(20)
    ok(api.patch(f"/calls/active/{missed['id']}/unhold", json={}))
    emulator.advance_clock(40)
    emulator.hangup(missed["id"])
    emulator.advance_clock(10)  # wrap-up
    gave_up = emulator.add_call(queue["id"])
    emulator.hangup(gave_up["id"])
    lunch = cause(allow_agent=True)["name"]
    ok(api.patch(f"{CC}/agents/{agent['id']}/status", json={"status": "pause", "payload": lunch}))
    emulator.advance_clock(600)
    ok(api.patch(f"{CC}/agents/{agent['id']}/status", json={"status": "online"}))
    return agent, queue, start, (missed, gave_up)


def test_the_state_history_records_every_status_and_channel_change(api, emulator, shift):
    agent, queue, start, _calls = shift
    rows = ok(api.get(f"{CC}/agents/{agent['id']}/states/history", params={"size": 100}))["items"]
    assert rows == sorted(rows, key=lambda r: (-int(r["joined_at"]), -int(r["id"])))  # newest first
    statuses = [r["state"] for r in reversed(rows) if "channel" not in r]
    assert statuses == ["offline", "online", "pause", "online"]
    [lunch] = [r for r in rows if r["state"] == "pause"]
    assert lunch["payload"] == lunch["pause_cause"] and lunch["payload"].startswith("ct_cause_")
    assert lunch["duration"] == "600"
    channel = [r["state"] for r in reversed(rows) if r.get("channel") == "call"]
    assert channel == ["waiting", "offering", "missed", "waiting", "offering", "bridged", "wrap_time", "waiting",
                       "offering", "waiting"]
    [talk] = [r for r in rows if r["state"] == "bridged"]
    assert talk["queue"] == {"id": queue["id"], "name": queue["name"]} and talk["duration"] == "60"
    everyone = ok(api.get(f"{CC}/agents/states/history", params={"agent_id": agent["id"], "size": 100}))["items"]
    assert [r["id"] for r in everyone] == [r["id"] for r in rows]
    later = ok(api.get(f"{CC}/agents/states/history", params={"agent_id": agent["id"], "from_id": rows[1]["id"]}))
    assert [r["id"] for r in later["items"]] == [rows[0]["id"]]


def test_today_statistics_count_the_agents_calls(api, emulator, shift):
    agent, _queue, _start, _calls = shift
    today = ok(api.get(f"{CC}/agents/{agent['id']}/statistics/today"))
    assert (today["call_handled"], today["call_missed"], today["call_abandoned"]) == (1, 1, 1)
    assert (today["call_inbound"], today["call_inbound_queue"], today["sum_talk_sec"]) == (1, 1, "40")
    assert (today["avg_talk_sec"], today["avg_hold_sec"]) == (40, 20)
    assert today["online"] >= 75  # the miss's pause, the call, its wrap-up: online but for lunch
    assert 0 < today["utilization"] <= 100 and 0 < today["occupancy"] <= 100
    refused(api.get(f"{CC}/agents/999999/statistics/today"), 404, "store.sql_agent.get.app_error")


def test_the_call_and_status_reports_agree_with_the_history(api, emulator, shift):
    agent, queue, start, (answered, _gave_up) = shift
    window = {"time.from": str(start), "time.to": str(clock(emulator) + 1)}
    refused(api.get(f"{CC}/agents/reports/call"), 400, "grpc.agent.report.call")
    [row] = ok(api.get(f"{CC}/agents/reports/call", params={**window, "agent_id": agent["id"]}))["items"]
    assert (row["name"], row["count"], row["handles"], row["abandoned"]) == (agent["name"], 3, 1, 1)
    assert (row["sum_talk_sec"], row["max_hold_sec"]) == (40, 20)

    refused(api.get(f"{CC}/agents/reports/status"), 400, "grpc.agent.report.call")
    [status] = ok(api.get(f"{CC}/agents/reports/status", params={**window, "agent_id": agent["id"]}))["items"]
    assert (status["agent_id"], status["status"], status["handles"], status["missed"]) == (int(agent["id"]),
                                                                                             "online", 1, 1)
    assert status["pause"] == "600" and status["call_time"] == "40"
    assert status["queues"] == [{"id": queue["id"], "name": queue["name"]}]
    assert ok(api.get(f"{CC}/agents/reports/status", params={**window, "agent_id": agent["id"],
                                                             "status": "pause"})) == {}
    item = ok(api.get(f"{CC}/agents/reports/status/{agent['id']}", params=window))
    assert (item["agent_id"], item["pause"], item["team"]) == (int(agent["id"]), "600", agent["team"])
    refused(api.get(f"{CC}/agents/reports/status/{agent['id']}"), 400, "grpc.agent.report.call")
    refused(api.get(f"{CC}/agents/reports/status/999999", params=window), 404, "store.sql_agent.get.app_error")


def test_an_agents_queues_and_their_waiting_members(api, cc, emulator, shift):
    agent, queue, _start, _calls = shift
    [row] = ok(api.get(f"{CC}/agents/{agent['id']}/queues"))["items"]
    assert row["queue"] == {"id": queue["id"], "name": queue["name"]} and row["enabled"] is True
    assert row["agents"] == {"online": 1, "free": 1, "total": 1}
    outbound = cc.queue(type=4, team=agent["team"], enabled=False)  # disabled: the dialer leaves it alone
    skill_id = ok(api.get(f"{CC}/agents/{agent['id']}/skills"))["items"][0]["skill"]["id"]
    cc.queue_skill(outbound, {"id": skill_id})
    ok(api.patch(f"{CC}/queues/{outbound['id']}", json={"enabled": True}))
    ok(api.patch(f"{CC}/agents/{agent['id']}/status", json={"status": "pause"}))  # nobody dials now
    bucket = cc.bucket()
    cc.member(outbound, bucket={"id": bucket["id"]})
    cc.member(outbound, bucket={"id": bucket["id"]})
    cc.member(outbound)
    stats = ok(api.get(f"{CC}/agents/{agent['id']}/statistics/queues"))["items"]
    [waiting] = [s for s in stats if s["queue"]["id"] == outbound["id"]]
    counts = {(s.get("bucket", {}).get("id")): s["member_waiting"] for s in waiting["statistics"]}
    assert counts == {bucket["id"]: 2, None: 1}


def test_the_agents_team_list_is_deprecated_and_the_waiting_state_is_never_set(api, shift):
    agent, _queue, _start, _calls = shift
    refused(api.get(f"{CC}/agents/{agent['id']}/teams"), 500, "deprecated")
    refused(api.patch(f"{CC}/agents/{agent['id']}/states/waiting", json={}), 400, "app.agent.waiting.app_err")


def test_users_statuses(api, cc, shift):
    agent, _queue, _start, _calls = shift
    [row] = ok(api.get(f"{CC}/users", params={"q": agent["name"]}))["items"]
    assert (row["id"], row["status"], row["presence"]) == (agent["user"]["id"], "online", {"status": "sip"})
    plain = cc.user()
    [other] = ok(api.get(f"{CC}/users", params={"q": plain["name"]}))["items"]
    assert "status" not in other
    assert ok(api.get(f"{CC}/users", params={"q": plain["name"], "not_user_id": plain["id"]})) == {}


def test_the_queue_report(api, emulator, shift):
    agent, queue, start, _calls = shift
    refused(api.get(f"{CC}/queues/reports/general"), 400, "grpc.queue.report.general")
    report = ok(api.get(f"{CC}/queues/reports/general", params={"joined_at.from": str(start),
                                                                "queue_id": queue["id"]}))
    [row] = report["items"]
    assert (row["count"], row["processed"], row["abandoned"], row["missed"]) == ("2", 1, 1, 1)
    assert (row["bridged"], row["sum_bill_sec"], row["avg_wrap_sec"]) == (50, 60, 10)
    assert row["agent_status"] == {"online": 1, "free": 1, "total": 1} and report["aggs"]["total"] == 1


def test_queues_are_switched_on_and_off_together_and_their_tags_listed(api, cc, shift):
    _agent, queue, _start, _calls = shift
    tagged = {"tags": ["vip"]}
    assert ok(api.get(f"{CC}/queues/state", params=tagged)) == {"is_all_enabled": True, "potential_rows": 1}
    assert ok(api.patch(f"{CC}/queues/state", json={"enabled": False, **tagged})) == {"count": 1}
    assert ok(api.get(f"{CC}/queues/{queue['id']}")).get("enabled") is None
    assert ok(api.get(f"{CC}/queues/state", params=tagged)) == {"potential_rows": 1}
    assert ok(api.patch(f"{CC}/queues/state", json={"enabled": False, **tagged})) == {}  # nothing changed
    assert ok(api.patch(f"{CC}/queues/state", json={"enabled": True, "id": ["nope"]})) == {}
    assert {"name": "vip"} in ok(api.get(f"{CC}/queues/tags"))["items"]
    assert ok(api.get(f"{CC}/queues/tags", params={"q": "vi*"}))["items"] == [{"name": "vip"}]
