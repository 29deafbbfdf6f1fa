"""Calendars and timezones (engine ``CalendarService``, ``/calendars``): model/calendar.go
``IsValid``, store/sqlstore/calendar_store.go, and a queue's calendar gating its calls
(``flow.calendar_check_timing``; docs/call-center.md)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from contract_tests.call_center.conftest import ALWAYS, CC, ok, refused
from contract_tests.target import Target

WEEKDAYS_9_TO_18 = [{"day": day, "start_time_of_day": 540, "end_time_of_day": 1080} for day in range(5)]


def test_a_calendar_is_created_read_listed_replaced_and_deleted(api, cc):
    kyiv = cc.timezone("Europe/Kyiv")
    calendar = cc.make_calendar(timezone={"id": kyiv["id"]}, accepts=WEEKDAYS_9_TO_18, description="office",
                                excepts=[{"name": "New year", "date": "1767225600000", "repeat": True}],
                                specials=[{"day": 5, "start_time_of_day": 600, "end_time_of_day": 840}])
    assert calendar["timezone"] == {"id": kyiv["id"], "name": "Europe/Kyiv"}
    # Monday is day 0, a zero protojson leaves out.
    assert calendar["accepts"][0] == {"start_time_of_day": 540, "end_time_of_day": 1080}
    assert calendar["accepts"][1]["day"] == 1 and calendar["specials"][0]["day"] == 5
    assert calendar["excepts"] == [{"name": "New year", "date": "1767225600000", "repeat": True}]
    assert ok(api.get(f"/calendars/{calendar['id']}")) == calendar

    # A list answers Calendar.DefaultFields (id, name, description) unless fields names others.
    [listed] = ok(api.get("/calendars", params={"id": calendar["id"]}))["items"]
    assert listed == {"id": calendar["id"], "name": calendar["name"], "description": "office"}
    [wide] = ok(api.get("/calendars", params={"id": calendar["id"], "fields": ["id", "timezone"]}))["items"]
    assert wide == {"id": calendar["id"], "timezone": calendar["timezone"]}
    assert ok(api.get("/calendars", params={"q": calendar["name"][:12] + "*"}))["items"][0]["id"] == calendar["id"]

    replaced = ok(api.put(f"/calendars/{calendar['id']}", json={
        "name": calendar["name"], "timezone": {"id": kyiv["id"]}, "accepts": ALWAYS}))
    assert "description" not in replaced and "excepts" not in replaced and len(replaced["accepts"]) == 7
    assert ok(api.delete(f"/calendars/{calendar['id']}"))["id"] == calendar["id"]
    refused(api.get(f"/calendars/{calendar['id']}"), 404, "store.sql_calendar.get.app_error")


@pytest.mark.parametrize(("body", "error_id"), [
    ({"name": "abc", "accepts": ALWAYS}, "model.calendar.is_valid.name.app_error"),  # more than 3 characters
    ({"name": "Office"}, "model.calendar.is_valid.accepts.app_error"),
    ({"name": "Office", "accepts": [{"day": 0, "start_time_of_day": -1, "end_time_of_day": 10}]},
     "model.calendar.is_valid.accepts.start_time_of_day"),
    ({"name": "Office", "accepts": [{"day": 0, "start_time_of_day": 0, "end_time_of_day": 1441}]},
     "model.calendar.is_valid.accepts.end_time_of_day"),
    ({"name": "Office", "accepts": ALWAYS, "excepts": [{"name": "a", "date": "1767225600000"},
                                                     {"name": "b", "date": "1767229200000"}]},
     "model.calendar.is_valid.excepts.date"),
])
def test_a_calendar_webitel_finds_invalid_is_refused(api, cc, body, error_id):
    body = {**body, "name": Target.unique(body["name"]) if len(body["name"]) > 3 else body["name"],
            "timezone": {"id": cc.timezone("UTC")["id"]}}
    refused(api.post("/calendars", json=body), 400, error_id)


def test_a_disabled_holiday_may_share_its_date(api, cc):
    cc.make_calendar(accepts=ALWAYS, excepts=[{"name": "a", "date": "1767225600000"},
                                              {"name": "b", "date": "1767225600000", "disabled": True}])


def test_a_calendar_needs_a_timezone_that_exists(api, cc):
    body = {"name": Target.unique("calendar "), "timezone": {"id": "999999"}, "accepts": ALWAYS}
    refused(api.post("/calendars", json=body), 500, "store.sql_calendar.save.app_error")
    calendar = cc.make_calendar(accepts=ALWAYS)
    refused(api.put(f"/calendars/{calendar['id']}", json=body), 400, "store.sql_calendar.update.app_error")


def test_missing_calendars(api, cc):
    refused(api.get("/calendars/999999"), 404, "store.sql_calendar.get.app_error")
    body = {"name": "Office hours", "timezone": {"id": cc.timezone("UTC")["id"]}, "accepts": ALWAYS}
    refused(api.put("/calendars/999999", json=body), 404, "store.sql_calendar.get.app_error")
    refused(api.put("/calendars/999999", json={**body, "name": "abc"}), 400,
            "model.calendar.is_valid.name.app_error")  # the controller validates before it reads
    refused(api.delete("/calendars/999999"), 404, "store.sql_calendar.get.app_error")


def test_a_calendar_used_by_a_queue_cannot_be_deleted(api, cc):
    calendar = cc.make_calendar(accepts=ALWAYS)
    queue = cc.queue(calendar={"id": calendar["id"]})
    assert queue["calendar"] == {"id": calendar["id"], "name": calendar["name"]}
    refused(api.delete(f"/calendars/{calendar['id']}"), 500, "store.sql_calendar.delete.app_error")


def test_a_queue_refers_to_a_calendar_that_exists(api, cc):
    refused(api.post(f"{CC}/queues", json=cc.queue_body(calendar={"id": "999999"})), 400,
            "store.sql_queue.save.app_error")
    queue = cc.queue()
    refused(api.patch(f"{CC}/queues/{queue['id']}", json={"calendar": {"id": "999999"}}), 400,
            "store.sql_queue.update.app_error")


def test_timezones_are_listed_by_name_and_id(api):
    found = ok(api.get("/calendars/timezones", params={"q": "Europe/Kyiv"}))["items"]
    assert [z["name"] for z in found] == ["Europe/Kyiv"]
    kyiv = found[0]
    assert kyiv["offset"] in ("+02:00", "+03:00")
    assert ok(api.get("/calendars/timezones", params={"id": kyiv["id"]}))["items"] == [kyiv]
    page = ok(api.get("/calendars/timezones", params={"size": 5}))
    assert len(page["items"]) == 5 and page["next"] is True


# -- the calendar gates a queue's calls (control plane: the clock) -----------------------------------
def advance_to(emulator, when: datetime) -> None:
    """Move the emulator's clock forward to ``when`` (UTC)."""
    now = int(emulator.state()["clock_ms"])
    target = int(when.timestamp() * 1000)
    assert target >= now, "the clock only moves forward"
    emulator.advance_clock((target - now) / 1000)


def next_weekday_at(weekday: int, hour: int, minute: int, emulator) -> datetime:
    """The next moment (UTC) that is ``weekday`` (0 Monday) at ``hour:minute``, a week ahead at most."""
    now = datetime.fromtimestamp(int(emulator.state()["clock_ms"]) / 1000, UTC)
    for days in range(1, 9):
        day = now.date().toordinal() + days
        candidate = datetime.fromordinal(day).replace(hour=hour, minute=minute, tzinfo=UTC)
        if candidate.weekday() == weekday:
            return candidate
    raise AssertionError("unreachable")


@pytest.mark.control_plane
def test_a_queue_outside_its_calendar_takes_no_calls(api, cc, emulator):
    calendar = cc.make_calendar(accepts=WEEKDAYS_9_TO_18, excepts=[])
    queue = cc.queue(calendar={"id": calendar["id"]})
    advance_to(emulator, next_weekday_at(5, 10, 0, emulator))  # Saturday: no working interval
    refused(emulator.control("POST", "/calls", json={"queue_id": queue["id"]}), 400, "emulator.call.queue")
    advance_to(emulator, next_weekday_at(0, 8, 59, emulator))  # Monday 08:59: not yet
    refused(emulator.control("POST", "/calls", json={"queue_id": queue["id"]}), 400, "emulator.call.queue")
    emulator.advance_clock(60)  # 09:00, the interval's first minute
    assert emulator.add_call(queue["id"])["state"] == "waiting"
    advance_to(emulator, next_weekday_at(1, 18, 0, emulator))  # Tuesday 18:00: the last minute, both ends included
    assert emulator.add_call(queue["id"])["state"] == "waiting"
    emulator.advance_clock(60)
    refused(emulator.control("POST", "/calls", json={"queue_id": queue["id"]}), 400, "emulator.call.queue")


@pytest.mark.control_plane
def test_a_holiday_closes_the_day_unless_it_is_a_working_one_within_its_hours(api, cc, emulator):
    monday = next_weekday_at(0, 10, 0, emulator)
    holiday = int(monday.replace(hour=0).timestamp() * 1000)
    calendar = cc.make_calendar(accepts=ALWAYS, excepts=[{"name": "closed", "date": str(holiday)}])
    queue = cc.queue(calendar={"id": calendar["id"]})
    advance_to(emulator, monday)
    refused(emulator.control("POST", "/calls", json={"queue_id": queue["id"]}), 400, "emulator.call.queue")
    ok(api.put(f"/calendars/{calendar['id']}", json={
        "name": calendar["name"], "timezone": calendar["timezone"], "accepts": ALWAYS,
        "excepts": [{"name": "short day", "date": str(holiday), "working": True, "work_start": 540,
                     "work_stop": 660}]}))
    assert emulator.add_call(queue["id"])["state"] == "waiting"  # 10:00 is within 09:00..11:00
    emulator.advance_clock(2 * 3600)
    refused(emulator.control("POST", "/calls", json={"queue_id": queue["id"]}), 400, "emulator.call.queue")


@pytest.mark.control_plane
def test_a_queue_that_ignores_its_calendar_takes_calls_when_closed(api, cc, emulator):
    calendar = cc.make_calendar(accepts=[{"day": 0, "start_time_of_day": 0, "end_time_of_day": 0, "disabled": True}])
    queue = cc.queue(calendar={"id": calendar["id"]}, payload={"ignore_calendar": True})
    assert emulator.add_call(queue["id"])["state"] == "waiting"
