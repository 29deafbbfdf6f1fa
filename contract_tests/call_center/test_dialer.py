"""The dialer: an outbound queue offers its members to free agents with the queue's skills, by
the same routing rules as inbound calls, within its calendar's hours; every attempt is recorded,
active and then in the history (issue 8's "Done when"; docs/call-center.md, "The dialer")."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from contract_tests.call_center.conftest import CC, ok, refused
from contract_tests.call_center.test_calendars import advance_to, next_weekday_at
from contract_tests.call_center.test_members import comm
from contract_tests.call_center.test_routing import go_online

pytestmark = pytest.mark.control_plane

WEEKDAYS_9_TO_18 = [{"day": day, "start_time_of_day": 540, "end_time_of_day": 1080} for day in range(5)]
TALK_S, WRAP_S = 60, 5


def active(api, queue: dict) -> list[dict]:
    return ok(api.get(f"{CC}/queues/attempts/active", params={"queue_id": queue["id"], "size": 100})).get("items", [])


def history(api, queue: dict) -> list[dict]:
    return ok(api.get(f"{CC}/queues/attempts/history", params={"queue_id": queue["id"], "size": 1000})).get("items", [])


def members(api, queue: dict) -> list[dict]:
    return ok(api.get(f"{CC}/queues/{queue['id']}/members", params={"size": 1000})).get("items", [])


def clock(emulator) -> datetime:
    return datetime.fromtimestamp(int(emulator.state()["clock_ms"]) / 1000, UTC)


def open_at(moment: datetime) -> bool:
    minute = moment.hour * 60 + moment.minute
    return moment.weekday() < 5 and 540 <= minute <= 1080


@pytest.fixture
def campaign(api, cc, emulator):
    """A progressive queue of team T needing skill S at 10..100, open on weekdays 09:00-18:00 UTC;
    five agents of T with S at 50 enabled, and three who must never be dialled for it: S
    disabled, S at 5 (out of range), and S at 50 but in another team. All online."""
    team, other_team, skill = cc.team(wrap_up_time=WRAP_S), cc.team(), cc.skill()
    calendar = cc.make_calendar(accepts=WEEKDAYS_9_TO_18)
    queue = cc.queue(type=4, team={"id": team["id"]}, calendar={"id": calendar["id"]}, priority=5)
    cc.queue_skill(queue, skill, min_capacity=10, max_capacity=100)
    eligible = []
    for _ in range(5):
        agent = cc.agent(team={"id": team["id"]})
        cc.agent_skill(agent, skill, capacity=50)
        eligible.append(agent)
    disabled = cc.agent(team={"id": team["id"]})
    cc.agent_skill(disabled, skill, capacity=50, enabled=False)
    too_low = cc.agent(team={"id": team["id"]})
    cc.agent_skill(too_low, skill, capacity=5)
    elsewhere = cc.agent(team={"id": other_team["id"]})
    cc.agent_skill(elsewhere, skill, capacity=50)
    for agent in (*eligible, disabled, too_low, elsewhere):
        go_online(api, emulator, agent)
    return queue, eligible, (disabled, too_low, elsewhere)


def test_an_outbound_queue_dials_each_member_exactly_once_within_its_calendar(api, cc, emulator, campaign):
    queue, eligible, never = campaign
    advance_to(emulator, next_weekday_at(5, 12, 0, emulator))  # Saturday noon: the calendar is closed
    made = ok(api.post(f"{CC}/queues/{queue['id']}/members/bulk", json={
        "items": [{"name": f"member {i}", "communications": [comm(f"+1555000{i:04d}")]} for i in range(100)]}))
    assert len(made["ids"]) == 100
    assert active(api, queue) == []  # nobody is dialled while the queue is closed
    emulator.advance_clock(3600)
    assert active(api, queue) == []

    advance_to(emulator, next_weekday_at(0, 17, 50, emulator))  # Monday 17:50: open, ten minutes before closing
    rounds, closed_seen = 0, 0
    while True:
        attempts = active(api, queue)
        if not attempts:
            waiting = [m for m in members(api, queue) if "stop_cause" not in m]
            if not waiting:
                break
            now = clock(emulator)
            assert not open_at(now), f"{len(waiting)} members wait, agents are free, and the queue is open at {now}"
            closed_seen += 1
            advance_to(emulator, next_weekday_at(1, 9, 0, emulator))  # Tuesday 09:00: dialling resumes
            continue
        assert len(attempts) <= 5 and {a["agent"]["id"] for a in attempts} <= {a["id"] for a in eligible}
        assert len({a["member"]["id"] for a in attempts}) == len(attempts)  # one attempt per member at a time
        for attempt in attempts:
            assert attempt["state"] == "offering"
            emulator.answer(attempt["id"])
        emulator.advance_clock(TALK_S)
        for attempt in attempts:
            emulator.hangup(attempt["id"])
        emulator.advance_clock(WRAP_S)
        rounds += 1
        assert rounds <= 100
    assert closed_seen == 1  # the day ended with members still to call

    done = history(api, queue)
    assert len(done) == 100
    assert sorted(a["member"]["id"] for a in done) == sorted(made["ids"])  # each member exactly once
    assert {a["result"] for a in done} == {"success"}
    assert {a["agent"]["id"] for a in done} == {a["id"] for a in eligible}
    offered = {o["id"] for a in done for o in a["offered_agents"]}
    assert not offered & {a["id"] for a in never}
    for attempt in done:  # every attempt began while the calendar was open
        assert open_at(datetime.fromtimestamp(int(attempt["joined_at"]) / 1000, UTC)), attempt
    for member in members(api, queue):
        assert (member["stop_cause"], member["attempts"]) == ("success", 1)
        assert "reserved" not in member


def test_a_disabled_skill_stops_the_dialer_offering_to_that_agent(api, cc, emulator):
    skill = cc.skill()
    queue = cc.queue(type=4)
    cc.queue_skill(queue, skill)
    agent = cc.agent()
    row = cc.agent_skill(agent, skill, capacity=50, enabled=False)
    go_online(api, emulator, agent)
    member = cc.member(queue)
    assert active(api, queue) == []
    ok(api.patch(f"{CC}/agents/{agent['id']}/skills/{row['id']}", json={"enabled": True}))
    [attempt] = active(api, queue)
    assert (attempt["member"]["id"], attempt["agent"]["id"]) == (member["id"], agent["id"])
    assert ok(api.get(f"{CC}/queues/{queue['id']}/members/{member['id']}"))["reserved"] is True


@pytest.fixture
def dialing(api, cc, emulator):
    """A progressive queue, one online agent with its skill; ``payload`` sets the queue's dialer."""
    skill, team = cc.skill(), cc.team(wrap_up_time=10)

    def make(**queue_fields):
        queue = cc.queue(type=4, team={"id": team["id"]}, **queue_fields)
        cc.queue_skill(queue, skill)
        agent = cc.agent(team={"id": team["id"]})
        cc.agent_skill(agent, skill, capacity=50)
        go_online(api, emulator, agent)
        return queue, agent

    return make


def test_an_unanswered_attempt_is_tried_again_as_the_queue_says(api, cc, emulator, dialing):
    queue, agent = dialing(payload={"max_attempts": 2, "wait_between_retries": 60})
    member = cc.member(queue)
    [first] = active(api, queue)
    emulator.miss(first["id"])  # the member does not answer: abandoned, the agent waits again (no wrap-up)
    assert ok(api.get(f"{CC}/agents/{agent['id']}"))["channel"][0]["state"] == "waiting"
    again = ok(api.get(f"{CC}/queues/{queue['id']}/members/{member['id']}"))
    assert (again["attempts"], "stop_cause" in again) == (1, False)
    assert active(api, queue) == []  # not before wait_between_retries
    emulator.advance_clock(60)
    [second] = active(api, queue)
    assert second["id"] != first["id"] and second["attempts"] == 2
    emulator.miss(second["id"])
    stopped = ok(api.get(f"{CC}/queues/{queue['id']}/members/{member['id']}"))
    assert (stopped["attempts"], stopped["stop_cause"]) == (2, "abandoned")  # max_attempts reached
    results = [a["result"] for a in history(api, queue)]
    assert results == ["abandoned", "abandoned"]
    attempts = ok(api.get(f"{CC}/queues/{queue['id']}/members/{member['id']}/attempts"))["items"]
    assert [a["id"] for a in attempts] == [first["id"], second["id"]] and not any(a.get("active") for a in attempts)


def test_a_queue_without_max_attempts_stops_a_member_at_its_first_result(api, cc, emulator, dialing):
    queue, _agent = dialing()
    member = cc.member(queue)
    [attempt] = active(api, queue)
    emulator.hangup(attempt["id"])  # rejected before an answer
    stopped = ok(api.get(f"{CC}/queues/{queue['id']}/members/{member['id']}"))
    assert (stopped["attempts"], stopped["stop_cause"]) == (1, "abandoned")


def test_an_agent_reports_the_result_of_a_processed_attempt(api, cc, emulator, dialing):
    queue, agent = dialing(task_processing={"enabled": True, "sec": 30, "renewal_sec": 10},
                           payload={"max_attempts": 3})
    member = cc.member(queue)
    [attempt] = active(api, queue)
    report = f"{CC}/queues/{queue['id']}/members/{member['id']}/attempts/{attempt['id']}"
    refused(api.patch(report, json={"status": "success"}), 400, "app.cc_member.reporting.app_err")  # not yet
    emulator.answer(attempt["id"])
    emulator.hangup(attempt["id"])
    [processing] = active(api, queue)
    assert processing["state"] == "processing"
    assert ok(api.get(f"{CC}/agents/{agent['id']}"))["channel"][0]["state"] == "processing"
    ok(api.patch(f"{CC}/queues/attempts/{attempt['id']}/renewal", json={"renewal": 120}))
    emulator.advance_clock(60)  # beyond the first 30 s, within the renewal
    assert active(api, queue)[0]["state"] == "processing"
    later = int(emulator.state()["clock_ms"]) + 3_600_000
    assert ok(api.patch(report, json={"status": "callback", "min_offering_at": str(later),
                                      "variables": {"outcome": "call back"}})) == {"status": "success"}
    assert ok(api.get(f"{CC}/agents/{agent['id']}"))["channel"][0]["state"] == "wrap_time"
    member = ok(api.get(f"{CC}/queues/{queue['id']}/members/{member['id']}"))
    assert (member["attempts"], member["min_offering_at"], member["variables"]) == (1, str(later),
                                                                                    {"outcome": "call back"})
    assert "stop_cause" not in member  # a next offering time keeps the member
    [done] = history(api, queue)
    assert (done["result"], done["variables"]) == ("callback", {"outcome": "call back"})
    refused(api.patch(report, json={"status": "success"}), 400, "app.cc_member.reporting.app_err")  # once
    refused(api.patch(f"{CC}/queues/attempts/{attempt['id']}/renewal", json={"renewal": 10}), 400,
            "app.cc_member.renewal_attempt.app_err")


def test_an_unreported_attempt_times_out(api, cc, emulator, dialing):
    queue, agent = dialing(task_processing={"enabled": True, "sec": 30}, payload={"max_attempts": 1})
    member = cc.member(queue)
    [attempt] = active(api, queue)
    emulator.answer(attempt["id"])
    emulator.hangup(attempt["id"])
    emulator.advance_clock(31)
    [done] = history(api, queue)
    assert done["result"] == "canceled_by_timeout"  # one attempt only: no retry (cc_attempt_timeout)
    assert ok(api.get(f"{CC}/queues/{queue['id']}/members/{member['id']}"))["stop_cause"] == "canceled_by_timeout"


def test_cancelling_a_member_ends_its_attempt(api, cc, emulator, dialing):
    queue, agent = dialing()
    member = cc.member(queue)
    [attempt] = active(api, queue)
    refused(api.delete(f"{CC}/queues/{queue['id']}/members/{member['id']}"), 404, "store.sql_member.delete.app_error")
    ok(api.patch(f"{CC}/queues/{queue['id']}/members/{member['id']}", json={"stop_cause": "cancel"}))
    assert active(api, queue) == []
    assert history(api, queue)[0]["result"] == "cancel"
    assert ok(api.get(f"{CC}/agents/{agent['id']}"))["channel"][0]["state"] == "waiting"
    ok(api.delete(f"{CC}/queues/{queue['id']}/members/{member['id']}"))


def test_members_wait_for_their_time_expire_and_need_a_number(api, cc, emulator, dialing):
    queue, agent = dialing()
    now = int(emulator.state()["clock_ms"])
    later = cc.member(queue, min_offering_at=str(now + 600_000))
    expired = cc.member(queue, expire_at=str(now - 1000))
    stopped_number = cc.member(queue, communications=[comm(stop_at=str(now))])
    assert active(api, queue) == []
    path = f"{CC}/queues/{queue['id']}/members"
    assert ok(api.get(f"{path}/{expired['id']}"))["stop_cause"] == "expired"
    assert ok(api.get(f"{path}/{stopped_number['id']}"))["stop_cause"] == "no_communications"
    emulator.advance_clock(600)
    assert active(api, queue)[0]["member"]["id"] == later["id"]


def test_members_are_dialled_by_bucket_then_member_priority(api, cc, emulator, dialing):
    skill = cc.skill()
    queue = cc.queue(type=4)
    cc.queue_skill(queue, skill)
    low, high, off = cc.bucket(), cc.bucket(), cc.bucket()
    for bucket, priority, disabled in ((low, 1, False), (high, 9, False), (off, 20, True)):
        ok(api.post(f"{CC}/queues/{queue['id']}/buckets", json={"bucket": {"id": bucket["id"]},
                                                                "priority": priority, "disabled": disabled}))
    in_off = cc.member(queue, bucket={"id": off["id"]})
    first_low = cc.member(queue, bucket={"id": low["id"]}, priority=5)
    first_high = cc.member(queue, bucket={"id": high["id"]})
    second_high = cc.member(queue, bucket={"id": high["id"]})
    agent = cc.agent()
    cc.agent_skill(agent, skill, capacity=50)
    go_online(api, emulator, agent)
    order = []
    for _ in range(3):
        [attempt] = active(api, queue)
        order.append(attempt["member"]["id"])
        emulator.hangup(attempt["id"])
    assert order == [first_high["id"], second_high["id"], first_low["id"]]
    assert active(api, queue) == []  # a disabled queue bucket's members are not dialled
    assert "stop_cause" not in ok(api.get(f"{CC}/queues/{queue['id']}/members/{in_off['id']}"))


def test_a_member_bound_to_an_agent_waits_for_that_agent(api, cc, emulator, dialing):
    queue, first = dialing()
    skill_rows = ok(api.get(f"{CC}/agents/{first['id']}/skills"))["items"]
    second = cc.agent(team=first["team"])
    cc.agent_skill(second, {"id": skill_rows[0]["skill"]["id"]}, capacity=50)
    member = cc.member(queue, agent={"id": second["id"]})
    assert active(api, queue) == []  # the first agent is free, but the member is the second's
    go_online(api, emulator, second)
    [attempt] = active(api, queue)
    assert (attempt["member"]["id"], attempt["agent"]["id"]) == (member["id"], second["id"])


def test_an_agent_is_assigned_a_waiting_call_and_stale_attempts_are_reset(api, cc, emulator):
    skill = cc.skill()
    inbound = cc.queue()
    cc.queue_skill(inbound, skill)
    agent = cc.agent()
    go_online(api, emulator, agent)  # without the skill: routing leaves the call waiting
    call = emulator.add_call(inbound["id"], from_="+15551234")
    [waiting] = ok(api.get(f"{CC}/queues/attempts/active", params={"queue_id": inbound["id"]}))["items"]
    assert (waiting["id"], waiting["state"]) == (call["id"], "wait_agent")
    refused(api.patch(f"{CC}/queues/attempts/{call['id']}/assign", json={"agent_id": "999999"}), 400,
            "app.cc_member.intercept.app_err")
    ok(api.patch(f"{CC}/queues/attempts/{call['id']}/assign", json={"agent_id": agent["id"]}))
    assert emulator.call(call["id"])["agent"]["id"] == agent["id"]
    refused(api.patch(f"{CC}/queues/attempts/{call['id']}/assign", json={"agent_id": agent["id"]}), 400,
            "app.cc_member.intercept.app_err")  # no longer waiting

    ok(api.put(f"{CC}/queues/attempts/active/reset", json={"idle_for_minutes": "5"}))
    assert emulator.call(call["id"])["state"] == "offering"  # not idle for 5 minutes yet
    emulator.advance_clock(300)
    ok(api.put(f"{CC}/queues/attempts/active/reset", json={"idle_for_minutes": "5"}))
    ended = emulator.call(call["id"])
    assert (ended["state"], ended["result"]) == ("ended", "error")  # the engine's default result


def test_creating_an_attempt_is_a_no_op_in_webitel(api, cc, emulator, dialing):
    queue, agent = dialing(enabled=False)
    member = cc.member(queue)
    assert ok(api.post(f"{CC}/queues/{queue['id']}/members/{member['id']}/attempts",
                       json={"agent_id": agent["id"]})) == {}
    assert active(api, queue) == []


def test_the_agent_reports_its_own_attempt_by_callback(api, cc, emulator, webitel, dialing):
    queue, agent = dialing(task_processing={"enabled": True, "sec": 60})
    member = cc.member(queue)
    [attempt] = active(api, queue)
    emulator.answer(attempt["id"])
    emulator.hangup(attempt["id"])
    stranger = cc.user()
    with webitel.api_client(cc.token_of(stranger)) as theirs:
        refused(theirs.patch(f"{CC}/attempts/{attempt['id']}", json={"status": "success"}), 400,
                "app.cc_member.reporting.app_err")
        refused(theirs.post(f"{CC}/queues/{queue['id']}/members", json={"communications": [comm()]}), 403,
                "api.context.permissions.app_error")
    owner = ok(api.get(f"/users/{agent['user']['id']}"))
    with webitel.api_client(cc.token_of(owner)) as mine:
        refused(mine.patch(f"{CC}/attempts/{attempt['id']}", json={}), 400, "app.cc_member.reporting.app_err")
        assert ok(mine.patch(f"{CC}/attempts/{attempt['id']}", json={"status": "success"})) == {"status": "success"}
    stopped = ok(api.get(f"{CC}/queues/{queue['id']}/members/{member['id']}"))
    assert (stopped["stop_cause"], stopped["attempts"]) == ("success", 1)
