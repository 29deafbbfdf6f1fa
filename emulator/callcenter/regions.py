"""Regions (engine ``RegionService``, ``/regions``): a named place with a timezone, which agents
refer to (``agent.region``). Webitel: ``flow.region``; ``model/region.go`` (``IsValid`` checks
nothing, default order ``+name``), ``store/sqlstore/region_store.go`` (error ids).

The emulator's choices (docs/call-center.md): the timezone is kept by id as given (timezones are
``CalendarService``'s); a region still named by an agent can be deleted (the agent keeps the id).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from typing import TypedDict, Unpack

from ..api.fields import REF, Fields
from ..api.protojson import render_as
from ..api.request import Call
from ..api.service import Service, crud
from ..errors import not_found
from ..seed import SeedContext, _expect, section, seed_named
from ..state import Domain, dump_section
from ..store import ListQuery, Record, Table, any_ilike
from .base import ENGINE_PAGE_SIZE, mutation

E_REGION_NOT_FOUND = "store.sql_region.get.app_error"


@dataclass
class Region(Record):
    name: str = ""
    description: str = ""
    timezone_id: int | None = None


class RegionAttributes(TypedDict, total=False):
    name: str
    description: str
    timezone_id: int | None


class Regions(Table[Region]):
    kind = "region"

    def missing(self, row_id: int) -> Exception:
        return not_found(E_REGION_NOT_FOUND, f"Id={row_id}, sql: no rows in result set")

    @mutation
    def create(self, *, actor: int | None, **attributes: Unpack[RegionAttributes]) -> Region:
        return self.insert(Region(**attributes), actor)

    @mutation
    def update(self, region_id: int, *, actor: int | None, **changes: Unpack[RegionAttributes]) -> Region:
        """PUT passes every attribute, PATCH those in its mask."""
        return self.put(replace(self.get(region_id), **changes), actor)

    @mutation
    def delete(self, region_id: int) -> Region:
        return self.pop(region_id)

    def search(self, *, ids: Collection[int] = (), timezones: Collection[int] = (), name: str | None = None,
               description: str | None = None, q: str | None = None) -> list[Region]:
        """The store's filters: ``name`` and ``description`` are equal, ``q`` ILIKE either."""
        return [r for r in self if (not ids or r.id in ids) and (not timezones or r.timezone_id in timezones)
                and (name is None or r.name == name) and (description is None or r.description == description)
                and any_ilike(q, r.name, r.description)]


def wire_region(domain: Domain, region: Region) -> dict:
    return {"id": region.id, "name": region.name, "description": region.description,
            "timezone": {"id": region.timezone_id}}


@dump_section("call_center.regions", order=180)
def _dump(domain: Domain) -> list[dict]:
    return [render_as("engine.Region", wire_region(domain, r)) for r in domain.store(Regions)]


@section("regions", order=45)
def seed_regions(ctx: SeedContext, entries: list[dict], where: str) -> None:
    """``regions: [{name, description?, timezone_id?}]``; agents refer to them by ``region: <name>``."""
    regions = ctx.domain.store(Regions)
    seed_named(ctx, entries, where, "region", lambda spec, at: regions.create(
        actor=ctx.admin_id, name=str(spec.get("name", "")), description=str(spec.get("description", "")),
        timezone_id=_expect(spec.get("timezone_id"), (int, type(None)), f"{at}.timezone_id")))


# -- HTTP --------------------------------------------------------------------------------------------
REGION = Fields(Region, name="name", description="description", timezone=("timezone_id", REF))
api = Service("RegionService", permission="dictionaries", clocked=True)


def _search(call: Call, query: ListQuery) -> list[Region]:
    return call.store(Regions).search(ids=call.ids("id"), timezones=call.ids("timezone_id"),
                                      name=call.query.get("name"), description=call.query.get("description"),
                                      q=query.q)


crud(api, Regions, wire_region, REGION.read, page_size=ENGINE_PAGE_SIZE, search="SearchRegion", filters=_search,
     default_key=lambda r: (r.name.casefold(), r.id),  # Region.DefaultOrder is "+name"
     create="CreateRegion", read="ReadRegion", update=("UpdateRegion", "PatchRegion"), delete="DeleteRegion")
