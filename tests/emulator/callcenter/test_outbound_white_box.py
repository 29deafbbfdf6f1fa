"""White-box checks of the outbound call center: a calendar's hours against a plain model of
``flow.calendar_check_timing`` (Hypothesis), the seed format for calendars, buckets and members
(and its refusals, naming the entry), the agent's waiting channel, and reset keeping it all."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from emulator.callcenter.agents import Agents
from emulator.callcenter.calendars import Calendar, is_open, timezone_ids
from emulator.callcenter.calls import Switchboard
from emulator.callcenter.members import Members
from emulator.errors import WebitelError
from emulator.seed import SeedError, build_world
from emulator.testing import in_process

UTC_ID = timezone_ids()["utc"]
minutes = st.integers(0, 1440)
accepts = st.lists(st.fixed_dictionaries({"day": st.integers(0, 6), "start_time_of_day": minutes,
                                          "end_time_of_day": minutes, "disabled": st.booleans()}), max_size=6)
moments = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2030, 12, 31)).map(
    lambda d: d.replace(tzinfo=UTC))


def plainly_open(calendar: Calendar, moment: datetime) -> bool:
    """``calendar_check_timing`` for a UTC calendar, written out: a working interval of the day
    spans the minute; no enabled holiday of the date (or of the day every year) closes it unless it
    is a working one within its hours; the date lies within start..end when both are set."""
    minute, day = moment.hour * 60 + moment.minute, moment.weekday()
    if calendar.start_at and calendar.end_at:
        start = datetime.fromtimestamp(calendar.start_at / 1000, UTC).date()
        end = datetime.fromtimestamp(calendar.end_at / 1000, UTC).date()
        if not start <= moment.date() <= end:
            return False
    for holiday in calendar.excepts:
        date = datetime.fromtimestamp(holiday["date"] / 1000, UTC).date()
        same = (date.month, date.day) == (moment.month, moment.day) if holiday.get("repeat") else date == moment.date()
        if not holiday.get("disabled") and same and not (
                holiday.get("working") and holiday["work_start"] <= minute <= holiday["work_stop"]):
            return False
    return any(not a["disabled"] and a["day"] == day and a["start_time_of_day"] <= minute <= a["end_time_of_day"]
               for a in [*calendar.accepts, *calendar.specials])


@st.composite
def calendars(draw, around: datetime) -> Calendar:
    """Calendars whose holidays and range fall near ``around``, so that they matter."""
    def near() -> int:
        return int((around + timedelta(days=draw(st.integers(-3, 3)))).timestamp() * 1000)

    excepts = [{"date": near(), "repeat": draw(st.booleans()), "disabled": draw(st.booleans()),
                "working": draw(st.booleans()), "work_start": draw(minutes), "work_stop": draw(minutes)}
               for _ in range(draw(st.integers(0, 2)))]
    start, end = (near(), near()) if draw(st.booleans()) else (0, 0)
    return Calendar(name="Office", timezone_id=UTC_ID, accepts=draw(accepts), specials=draw(accepts),
                    excepts=excepts, start_at=start, end_at=end)


@settings(max_examples=400, deadline=None)
@given(data=st.data(), moment=moments)
def test_a_calendar_is_open_exactly_when_webitels_check_says(data, moment):
    calendar = data.draw(calendars(moment))
    assert is_open(calendar, int(moment.timestamp() * 1000)) == plainly_open(calendar, moment)


def test_a_calendar_reads_its_own_timezone():
    nine_kyiv = datetime(2026, 1, 5, 7, 0, tzinfo=UTC)  # Monday 09:00 in Kyiv (UTC+2)
    calendar = Calendar(name="Kyiv", timezone_id=timezone_ids()["europe/kyiv"],
                        accepts=[{"day": 0, "start_time_of_day": 540, "end_time_of_day": 600}])
    assert is_open(calendar, int(nine_kyiv.timestamp() * 1000))
    assert not is_open(calendar, int((nine_kyiv - timedelta(minutes=1)).timestamp() * 1000))


SEED = {"domains": [{
    "name": "acme", "admin": {"token": "acme-token"},
    "licenses": [{"id": "cc", "product": "CALL_CENTER", "limit": 5}],
    "calendars": [{"name": "Office", "timezone": "Europe/Kyiv",
                   "accepts": [{"day": d, "start_time_of_day": 0, "end_time_of_day": 1440} for d in range(7)]}],
    "buckets": [{"name": "VIP", "description": "first"}],
    "skills": [{"name": "English"}],
    "queues": [{"name": "Campaign", "type": 4, "calendar": "Office", "payload": {"max_attempts": 2},
                "skills": [{"skill": "English", "buckets": ["VIP"]}],
                "buckets": [{"bucket": "VIP", "priority": 5}],
                "members": [{"name": "Ann", "bucket": "VIP", "agent": "ann",
                             "communications": [{"destination": "+15550001"}]},
                            {"name": "Bob", "priority": 3, "communications": [{"destination": "+15550002"}]}]}],
    "users": [{"username": "ann", "licenses": ["cc"], "agent": {"skills": [{"skill": "English", "capacity": 50}]}}],
}]}


def test_the_seed_makes_calendars_buckets_and_members():
    handle = in_process(SEED)
    try:
        with handle.api_client("acme-token") as api:
            [queue] = api.get("/call_center/queues").json()["items"]
            assert queue["calendar"]["name"] == "Office"
            [row] = api.get(f"/call_center/queues/{queue['id']}/skills").json()["items"]
            assert row["buckets"][0]["name"] == "VIP"
            [qb] = api.get(f"/call_center/queues/{queue['id']}/buckets").json()["items"]
            assert (qb["bucket"]["name"], qb["priority"]) == ("VIP", 5)
            members = api.get(f"/call_center/queues/{queue['id']}/members").json()["items"]
            assert [(m["name"], m.get("bucket", {}).get("name"), m.get("agent", {}).get("name")) for m in members] == \
                [("Bob", None, None), ("Ann", "VIP", "ann")]
            [calendar] = api.get("/calendars").json()["items"]
            assert calendar["name"] == "Office"
        state = handle.state()["domains"][0]["call_center"]
        assert [m["name"] for m in state["members"]] == ["Ann", "Bob"] and state["buckets"][0]["name"] == "VIP"
        assert state["calendars"][0]["timezone"]["name"] == "Europe/Kyiv" and len(state["queue_buckets"]) == 1
    finally:
        handle.close()


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d["calendars"][0].update(timezone="Mars/Olympus"), "calendars[0].timezone: no timezone named"),
    (lambda d: d["calendars"][0].update(name="abc"), "calendars[0]: model.calendar.is_valid.name.app_error"),
    (lambda d: d["calendars"][0].update(accepts="always"), "calendars[0]: api.process.bad_args"),
    (lambda d: d["queues"][0].update(calendar="Home"), "queues[0].calendar: no calendar named 'Home'"),
    (lambda d: d["queues"][0]["members"][0].update(bucket="Gold"), "members[0].bucket: no bucket named 'Gold'"),
    (lambda d: d["queues"][0]["members"][0].update(agent="zed"), "members[0].agent: no agent whose username"),
    (lambda d: d["queues"][0]["members"][1].update(priority="high"), "members[1]: api.process.bad_args"),
    (lambda d: d["queues"][0].update(type=1), "members[0]: app.member.valid.queue"),
    (lambda d: d["queues"][0]["buckets"][0].update(bucket="Gold"), "buckets[0]: no bucket named 'Gold'"),
])
def test_a_seed_webitel_would_refuse_is_refused_naming_the_entry(change, message):
    doc = copy.deepcopy(SEED)
    change(doc["domains"][0])
    with pytest.raises(SeedError, match=message.replace("[", r"\[").replace("]", r"\]")):
        build_world(doc)


def test_an_agent_in_wrap_up_waits_again_on_its_call_channel():
    handle = in_process(SEED)
    try:
        domain = handle.app.extensions["webitel_emulator"].world.domains[1]
        board, agent = domain.store(Switchboard), next(iter(domain.store(Agents)))
        with pytest.raises(WebitelError, match="not allowed"):
            board.waiting_channel(agent.id, "call")  # waiting already
        board.set_channel(agent, "wrap_time", domain.now(), timeout=domain.now() + 60_000)
        with pytest.raises(WebitelError, match="not allowed"):
            board.waiting_channel(agent.id, "")  # the channel the engine passes: none of the agent's
        assert board.waiting_channel(agent.id, "call") == agent.channel_joined_at
        assert agent.channel_state == "waiting" and agent.id not in board.timers
        with pytest.raises(WebitelError, match="sql: no rows"):
            board.waiting_channel(999, "call")
    finally:
        handle.close()


def test_reset_brings_members_and_attempts_back_to_the_seed():
    handle = in_process(SEED)
    try:
        with handle.api_client("acme-token") as api:
            [queue] = api.get("/call_center/queues").json()["items"]
            agent = api.get("/call_center/agents").json()["items"][0]
            handle.set_presence(agent["user"]["id"], "sip")
            api.patch(f"/call_center/agents/{agent['id']}/status", json={"status": "online"})
            [attempt] = api.get("/call_center/queues/attempts/active").json()["items"]
            assert attempt["member"]["name"] == "Ann"  # her bucket's priority first, and she is bound to ann
            handle.answer(attempt["id"])
            handle.hangup(attempt["id"])
        handle.reset()
        domain = handle.app.extensions["webitel_emulator"].world.domains[1]
        assert not domain.store(Switchboard).calls and all(m.attempts == 0 for m in domain.store(Members))
    finally:
        handle.close()
