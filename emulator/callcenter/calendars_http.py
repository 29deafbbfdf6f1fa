"""HTTP face of the engine's ``CalendarService`` (``/calendars``, ``/calendars/timezones``), a
calendar's wire form, its seed section and its part of the state."""

from __future__ import annotations

from typing import Any

from ..api.fields import REF, Fields
from ..api.protojson import decode, render_as
from ..api.request import Call
from ..api.service import Service, crud, listing
from ..directory.users import Users, audit
from ..seed import SeedContext, SeedError, entry, section, seed_named, timestamp_ms
from ..state import Domain, dump_section
from ..store import paginate
from .base import ENGINE_PAGE_SIZE
from .calendars import Calendar, Calendars, find_timezone, search_timezones, timezone_ids

CALENDAR = Fields(Calendar, name="name", description="description", timezone=("timezone_id", REF),
                  start_at="start_at", end_at="end_at", accepts="accepts", excepts="excepts", specials="specials")
# Calendar.DefaultFields: a list answers these unless ``fields`` names others (engine model/calendar.go).
LIST_FIELDS = ("id", "name", "description")


def timezone_ref(timezone_id: int | None) -> dict | None:
    tz = find_timezone(timezone_id)
    return {"id": tz.id, "name": tz.name} if tz is not None else ({"id": timezone_id} if timezone_id else None)


def wire_calendar(domain: Domain, calendar: Calendar) -> dict:
    return {"id": calendar.id, "domain_id": domain.id, **audit(domain.store(Users), calendar),
            "name": calendar.name, "description": calendar.description, "start_at": calendar.start_at,
            "end_at": calendar.end_at, "timezone": timezone_ref(calendar.timezone_id), "accepts": calendar.accepts,
            "excepts": calendar.excepts, "specials": calendar.specials}


@dump_section("call_center.calendars", order=102)
def _dump(domain: Domain) -> list[dict]:
    return [render_as("engine.Calendar", wire_calendar(domain, c)) for c in domain.store(Calendars)]


@section("calendars", order=42)
def seed_calendars(ctx: SeedContext, entries: list[dict], where: str) -> None:
    """``calendars: [{name, timezone: "Europe/Kyiv", accepts: [{day, start_time_of_day,
    end_time_of_day}], excepts?, specials?, description?, start_at?, end_at?}]``; queues refer to
    them by ``calendar: <name>``. The entry is read as the API reads ``POST /calendars``."""
    calendars = ctx.domain.store(Calendars)

    def make(spec: dict, at: str) -> Calendar:
        tz = spec.get("timezone", "UTC")
        timezone_id = tz if isinstance(tz, int) else timezone_ids().get(str(tz).casefold())
        if timezone_id is None:
            raise SeedError(f"{at}.timezone: no timezone named '{tz}'")
        body = {k: v for k, v in spec.items() if k in ("name", "description", "accepts", "excepts", "specials")}
        with entry(at):
            typed = decode({"$ref": "#/definitions/engine.CreateCalendarRequest"}, body)
        return calendars.create(actor=ctx.admin_id, timezone_id=timezone_id, name=typed.get("name", ""),
                                description=typed.get("description", ""), accepts=typed.get("accepts", []),
                                excepts=typed.get("excepts", []), specials=typed.get("specials", []),
                                start_at=timestamp_ms(spec.get("start_at"), f"{at}.start_at"),
                                end_at=timestamp_ms(spec.get("end_at"), f"{at}.end_at"))

    seed_named(ctx, entries, where, "calendar", make)


api = Service("CalendarService", permission="calendars", clocked=True)


@api.operation("SearchCalendar")
def search(call: Call) -> dict:
    query = call.list_query(ENGINE_PAGE_SIZE)
    rows = call.store(Calendars).search(ids=call.ids("id"), q=query.q)
    shown = set(query.fields or LIST_FIELDS)

    def wire(calendar: Calendar) -> dict[str, Any]:
        return {k: v for k, v in wire_calendar(call.domain, calendar).items() if k in shown}

    return listing(call, query, paginate(rows, query, wire))


crud(api, Calendars, wire_calendar, CALENDAR.read, create="CreateCalendar", read="ReadCalendar",
     update=("UpdateCalendar",), delete="DeleteCalendar")


@api.operation("SearchTimezones")
def search_timezones_view(call: Call) -> dict:
    query, now = call.list_query(ENGINE_PAGE_SIZE), call.domain.now()
    rows = search_timezones(ids=call.ids("id"), q=query.q)
    return listing(call, query, paginate(rows, query, lambda tz: {"id": tz.id, "name": tz.name,
                                                                   "offset": tz.offset(now)}))
