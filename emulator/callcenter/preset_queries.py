"""Preset queries (engine ``PresetQueryService``, ``/call_center/preset/query``): a user's saved
filters of a UI section (``section``: e.g. the agents' list), each a free JSON ``preset``. Every
user sees and changes only their own: no permission is needed.

Webitel: engine ``model/cc_preset_query.go`` (``IsValid`` checks nothing; default order ``name``),
``store/sqlstore/cc_preset_query_store.go``: a name is unique per user and section
(``cc_preset_query_user_id_section_name_uindex``): 409 ``store.sql_preset_query.save.name`` on
create; on update the store looks for another constraint name, so the same clash is answered 400
``store.sql_preset_query.update.app_error``, which the emulator keeps. The user's presets go with
the user (``ON DELETE CASCADE``).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field, replace
from typing import Any

from ..api.fields import Fields
from ..api.protojson import render_as
from ..api.request import Call
from ..api.service import Service, crud
from ..directory.users import User
from ..errors import WebitelError, bad_request, not_found
from ..state import Domain, dump_section
from ..store import ListQuery, Record, Table, ilike, on
from .base import ENGINE_PAGE_SIZE

E_PRESET_NOT_FOUND = "store.sql_preset_query.get.app_error"
E_PRESET_NAME = "store.sql_preset_query.save.name"
E_PRESET_UPDATE = "store.sql_preset_query.update.app_error"


@dataclass
class PresetQuery(Record):
    user_id: int = 0
    name: str = ""
    description: str = ""
    section: str = ""
    preset: Any = field(default_factory=dict)  # cc_preset_query.preset jsonb NOT NULL: {} when none is sent


class PresetQueries(Table[PresetQuery]):
    kind = "preset_query"

    def __init__(self, domain: Domain) -> None:
        super().__init__(domain)
        self.keys: dict[tuple[int, str, str], int] = {}  # (user, section, name) -> id

    def missing(self, row_id: int) -> Exception:
        return not_found(E_PRESET_NOT_FOUND, f"Id={row_id}, sql: no rows in result set")

    def own(self, user_id: int, preset_id: int) -> PresetQuery:
        """A preset of this user (another user's is not found)."""
        preset = self.get(preset_id)
        if preset.user_id != user_id:
            raise self.missing(preset_id)
        return preset

    def create(self, *, actor: int, **attributes: Any) -> PresetQuery:
        preset = PresetQuery(user_id=actor, **attributes)
        self._unique(preset, WebitelError(409, E_PRESET_NAME, self._clash(preset)))
        self.insert(preset, actor)
        self.keys[self._key(preset)] = preset.id
        return preset

    def update(self, preset_id: int, *, actor: int, **changes: Any) -> PresetQuery:
        current = self.own(actor, preset_id)
        preset = replace(current, **changes)
        self._unique(preset, bad_request(E_PRESET_UPDATE, self._clash(preset)))
        self.put(preset, actor)
        del self.keys[self._key(current)]
        self.keys[self._key(preset)] = preset.id
        return preset

    def delete(self, preset_id: int, *, actor: int) -> PresetQuery:
        preset = self.own(actor, preset_id)
        del self.rows[preset.id], self.keys[self._key(preset)]
        return preset

    @staticmethod
    def _key(preset: PresetQuery) -> tuple[int, str, str]:
        return preset.user_id, preset.section, preset.name

    @staticmethod
    def _clash(preset: PresetQuery) -> str:
        return (f"pq: duplicate key value violates unique constraint \"cc_preset_query_user_id_section_name_uindex\": "
                f"section={preset.section!r}, name={preset.name!r}")

    def _unique(self, preset: PresetQuery, error: WebitelError) -> None:
        owner = self.keys.get(self._key(preset))
        if owner is not None and owner != preset.id:
            raise error

    def search(self, user_id: int, *, ids: Collection[int] = (), sections: Collection[str] = (),
               q: str | None = None) -> list[PresetQuery]:
        """The user's presets by name (``PresetQuery.DefaultOrder``), ``q`` on the name."""
        rows = [p for p in self if p.user_id == user_id and (not ids or p.id in ids)
                and (not sections or p.section in sections) and (not q or ilike(q, p.name))]
        return sorted(rows, key=lambda p: (p.name.casefold(), p.id))

    @on("user.deleted")
    def _user_deleted(self, user: User, permanent: bool) -> None:
        if permanent:
            for preset in [p for p in self if p.user_id == user.id]:
                del self.rows[preset.id], self.keys[self._key(preset)]


def wire_preset(domain: Domain, preset: PresetQuery) -> dict:
    return {"id": preset.id, "name": preset.name, "description": preset.description, "preset": preset.preset,
            "created_at": preset.created_at, "updated_at": preset.updated_at, "section": preset.section}


@dump_section("call_center.preset_queries", order=63)
def _dump(domain: Domain) -> list[dict]:
    return [{**render_as("engine.PresetQuery", wire_preset(domain, p)), "user_id": str(p.user_id)}
            for p in domain.store(PresetQueries)]


# -- HTTP: every operation acts on the caller's own presets --------------------------------------------
PRESET = Fields(PresetQuery, name="name", description="description", section="section", preset="preset")
api = Service("PresetQueryService", permission="preset_query")


def _search(call: Call, query: ListQuery) -> list[PresetQuery]:
    return call.store(PresetQueries).search(call.user_id or 0, ids=call.ids("id"),
                                            sections=call.query.get("section", ()), q=query.q)


crud(api, PresetQueries, wire_preset, PRESET.read, page_size=ENGINE_PAGE_SIZE, search="SearchPresetQuery",
     filters=_search, create="CreatePresetQuery", update=("UpdatePresetQuery", "PatchPresetQuery"),
     self_service=True)


@api.operation("ReadPresetQuery", self_service=True)
def read(call: Call) -> dict:
    return wire_preset(call.domain, call.store(PresetQueries).own(call.user_id or 0, call.path["id"]))


@api.operation("DeletePresetQuery", self_service=True)
def delete(call: Call) -> dict:
    return wire_preset(call.domain, call.store(PresetQueries).delete(call.path["id"], actor=call.user_id or 0))
