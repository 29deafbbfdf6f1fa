"""Calendars (engine ``CalendarService``, ``/calendars``): a queue's working hours, in a timezone.

Webitel: ``flow.calendar``; ``model/calendar.go`` (``IsValid``), ``store/sqlstore/calendar_store.go``
(error ids, ``q`` on name or description), ``app/calendar.go`` (update and delete read the calendar
first: 404), and the rule routing applies, ``flow.calendar_check_timing`` (call_center's
``flow-schema.sql``): a calendar is open when an enabled working interval (``accepts`` or
``specials``) of today's weekday (``day`` 0 = Monday) spans the local minute, both ends included;
no enabled exception (``excepts``, on that date, or that day of every year with ``repeat``) closes
today, unless it is ``working`` and the minute is within its ``work_start``..``work_stop``; and
today lies within ``start_at``..``end_at`` when both are set.

Timezones (``/calendars/timezones``) are the IANA zones of the ``tzdata`` package, ids in the order
of their names (Webitel's ``flow.calendar_timezones`` ids are not public).
"""

from __future__ import annotations

import importlib.resources
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta, timezone
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from ..errors import bad_request, internal, not_found
from ..store import Record, Table, any_ilike
from .base import dup, mutation

E_CALENDAR_NOT_FOUND = "store.sql_calendar.get.app_error"
E_CALENDAR_SAVE = "store.sql_calendar.save.app_error"
E_CALENDAR_UPDATE = "store.sql_calendar.update.app_error"
E_CALENDAR_DELETE = "store.sql_calendar.delete.app_error"
E_CALENDAR_NAME = "model.calendar.is_valid.name.app_error"
E_CALENDAR_ACCEPTS = "model.calendar.is_valid.accepts.app_error"
E_CALENDAR_START = "model.calendar.is_valid.accepts.start_time_of_day"
E_CALENDAR_END = "model.calendar.is_valid.accepts.end_time_of_day"
E_CALENDAR_EXCEPT_DATE = "model.calendar.is_valid.excepts.date"
MINUTES_PER_DAY = 1440


# -- timezones --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Timezone:
    id: int
    name: str

    def offset(self, at_ms: int) -> str:
        """The UTC offset at that moment, ``+02:00`` (Webitel's ``Timezone.offset``)."""
        delta = datetime.fromtimestamp(at_ms / 1000, zone(self.name)).utcoffset() or timedelta()
        minutes = int(delta.total_seconds()) // 60
        sign = "-" if minutes < 0 else "+"
        return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


@cache
def timezones() -> tuple[Timezone, ...]:
    names = sorted(importlib.resources.files("tzdata").joinpath("zones").read_text(encoding="utf-8").split())
    return tuple(Timezone(i, name) for i, name in enumerate(names, start=1))


@cache
def timezone_ids() -> dict[str, int]:
    return {tz.name.casefold(): tz.id for tz in timezones()}


def find_timezone(timezone_id: int | None) -> Timezone | None:
    table = timezones()
    return table[timezone_id - 1] if timezone_id is not None and 0 < timezone_id <= len(table) else None


@cache
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


# -- calendars --------------------------------------------------------------------------------------
@dataclass
class Calendar(Record):
    name: str = ""
    description: str = ""
    timezone_id: int | None = None
    start_at: int = 0  # unix ms; 0 = no start
    end_at: int = 0
    accepts: list[dict[str, Any]] = field(default_factory=list)  # {day, start_time_of_day, end_time_of_day, disabled}
    excepts: list[dict[str, Any]] = field(default_factory=list)  # {name, date, repeat, disabled, working, work_...}
    specials: list[dict[str, Any]] = field(default_factory=list)  # as accepts


def _local_date(ms: int, tz: ZoneInfo | timezone) -> date:
    """The date of a unix ms in a timezone; dates beyond Python's years 1..9999 (Webitel's Go
    takes any int64) are the first or last date there is."""
    try:
        return datetime.fromtimestamp(ms / 1000, tz).date()
    except (OverflowError, ValueError, OSError):
        return date.min if ms < 0 else date.max


def is_open(calendar: Calendar, at_ms: int) -> bool:
    """``flow.calendar_check_timing``: ``accept and excepted is null and not expire``."""
    tz_row = find_timezone(calendar.timezone_id)
    tz = zone(tz_row.name) if tz_row is not None else ZoneInfo("UTC")
    now = datetime.fromtimestamp(at_ms / 1000, tz)
    minute, weekday, today = now.hour * 60 + now.minute, now.isoweekday() - 1, now.date()
    if calendar.start_at > 0 and calendar.end_at > 0 and not (
            _local_date(calendar.start_at, tz) <= today <= _local_date(calendar.end_at, tz)):
        return False
    for exc in calendar.excepts:
        if exc.get("disabled"):
            continue
        day = _local_date(int(exc.get("date") or 0), tz)
        same = (day.month, day.day) == (today.month, today.day) if exc.get("repeat") else day == today
        if same and not (exc.get("working") and int(exc.get("work_start") or 0) <= minute
                         <= int(exc.get("work_stop") or 0)):
            return False
    return any(not a.get("disabled") and int(a.get("day") or 0) == weekday
               and int(a.get("start_time_of_day") or 0) <= minute <= int(a.get("end_time_of_day") or 0)
               for a in (*calendar.accepts, *calendar.specials))


def _check(calendar: Calendar) -> None:
    """``Calendar.IsValid`` (engine model/calendar.go), in its order."""
    if len(calendar.name) <= 3:
        raise bad_request(E_CALENDAR_NAME, f"name={calendar.name}")
    if not calendar.accepts:
        raise bad_request(E_CALENDAR_ACCEPTS, f"name={calendar.name}")
    for accept in calendar.accepts:
        if not 0 <= int(accept.get("start_time_of_day") or 0) <= MINUTES_PER_DAY:
            raise bad_request(E_CALENDAR_START, "start_time_of_day must be in the range 0-1440.")
        if not 0 <= int(accept.get("end_time_of_day") or 0) <= MINUTES_PER_DAY:
            raise bad_request(E_CALENDAR_END, "end_time_of_day must be in the range 0-1440.")
    seen: set[str] = set()
    for exc in calendar.excepts:
        if exc.get("disabled"):
            continue
        # Go's layout "2006-02-01" is year-day-month: Webitel's key, kept as it is.
        key = _local_date(int(exc.get("date") or 0), UTC).strftime("%Y-%d-%m")
        if key in seen:
            raise bad_request(E_CALENDAR_EXCEPT_DATE, f"You can't add another holiday on the same date {key}")
        seen.add(key)


class Calendars(Table[Calendar]):
    kind = "calendar"

    def missing(self, row_id: int) -> Exception:
        return not_found(E_CALENDAR_NOT_FOUND, f"Id={row_id}, sql: no rows in result set")

    @mutation
    def create(self, *, actor: int | None, **attributes: Any) -> Calendar:
        calendar = Calendar(**attributes)
        _check(calendar)
        if find_timezone(calendar.timezone_id) is None:
            # The insert's FK (or its inner join) fails: the store answers it as an internal error.
            raise internal(E_CALENDAR_SAVE, f"id=0, timezone id={calendar.timezone_id} not found: pq: insert or "
                                            "update on table \"calendar\" violates foreign key constraint")
        return self.insert(calendar, actor)

    @mutation
    def update(self, calendar_id: int, *, actor: int | None, **changes: Any) -> Calendar:
        """PUT: every attribute, validated before the calendar is read (the engine's order)."""
        _check(Calendar(**changes))
        calendar = replace(dup(self.get(calendar_id)), **changes)
        if find_timezone(calendar.timezone_id) is None:
            raise bad_request(E_CALENDAR_UPDATE, f"Id={calendar_id}, timezone id={calendar.timezone_id} not found: "
                                                 "pq: insert or update on table \"calendar\" violates foreign key "
                                                 "constraint")
        return self.put(calendar, actor)

    @mutation
    def delete(self, calendar_id: int) -> Calendar:
        calendar = self.get(calendar_id)
        users: list[str] = []
        self.domain.emit("calendar.deleting", calendar, users)  # queues name themselves
        if users:
            # cc_queue.calendar_id has no ON DELETE action; the store answers the FK as an internal error.
            raise internal(E_CALENDAR_DELETE, f"Id={calendar_id}, pq: update or delete on table \"calendar\" "
                                              f"violates foreign key constraint \"cc_queue_calendar_id_fk\": still "
                                              f"used by {', '.join(users)}")
        return self.pop(calendar_id)

    def search(self, *, ids: Collection[int] = (), q: str | None = None) -> list[Calendar]:
        return [c for c in self if (not ids or c.id in ids) and any_ilike(q, c.name, c.description)]

    def open_at(self, calendar_id: int | None, at_ms: int) -> bool:
        """A queue with this calendar takes calls now (a queue without one always does)."""
        calendar = self.find(calendar_id)
        return calendar is None or is_open(calendar, at_ms)


def search_timezones(*, ids: Iterable[int] = (), q: str | None = None) -> list[Timezone]:
    wanted = set(ids)
    return [tz for tz in timezones() if (not wanted or tz.id in wanted) and any_ilike(q, tz.name)]
