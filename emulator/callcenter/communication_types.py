"""Communication types (engine ``CommunicationTypeService``, ``/call_center/communication_type``): the
kinds of a member's contacts (a mobile phone, a work email), each on a channel (Phone, Email,
Messaging), one of them the channel's default.

Webitel: engine ``model/cc_communication.go`` (``IsValid`` checks nothing; default order ``id``),
``store/sqlstore/cc_communication_store.go`` (every store error but not-found is an internal
error: a code already used, ``cc_communication_domain_id_code_uindex``, or a value longer than
its column, name varchar(50), code varchar(100), description varchar(200), is answered 500),
call_center's trigger ``cc_communication_set_def`` (a type made the default, or moved to another
channel as the default, takes the default from the channel's other types).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from typing import Any

from ..api.fields import Fields
from ..api.protojson import render_as
from ..api.request import Call
from ..api.service import Service, crud
from ..api.spec import spec
from ..errors import bad_args, internal, not_found
from ..seed import SeedContext, section, seed_named
from ..state import Domain, dump_section
from ..store import ListQuery, Record, Table, UniqueIndex, any_ilike
from .base import ENGINE_PAGE_SIZE
from .seeding import _plain

E_TYPE_NOT_FOUND = "store.sql_communication_type.get.app_error"
E_TYPE_SAVE = "store.sql_communication_type.save.app_error"
E_TYPE_UPDATE = "store.sql_communication_type.update.app_error"
E_TYPE_DELETE = "store.sql_communication_type.delete.app_error"
CHANNELS: tuple[str, ...] = tuple(spec().definitions["engine.CommunicationChannels"]["enum"])
UNDEFINED = CHANNELS[0]  # "Undefined": the enum's zero, stored for a type sent without a channel
COLUMNS = (("name", 50), ("code", 100), ("description", 200))  # cc_communication's varchar lengths


@dataclass
class CommunicationType(Record):
    name: str = ""
    code: str = ""
    channel: str = UNDEFINED
    description: str = ""
    default: bool = False


class CommunicationTypes(Table[CommunicationType]):
    kind = "communication_type"

    def __init__(self, domain: Domain) -> None:
        super().__init__(domain)
        self.codes = UniqueIndex(fold=False)

    def missing(self, row_id: int) -> Exception:
        return not_found(E_TYPE_NOT_FOUND, f"Id={row_id}, sql: no rows in result set")

    def create(self, *, actor: int | None, **attributes: Any) -> CommunicationType:
        kind = self._checked(CommunicationType(**attributes), E_TYPE_SAVE)
        self.insert(kind, actor)
        self._saved(None, kind)
        return kind

    def update(self, type_id: int, *, actor: int | None, **changes: Any) -> CommunicationType:
        current = self.get(type_id)
        kind = self._checked(replace(current, **changes), E_TYPE_UPDATE)
        self.put(kind, actor)
        self._saved(current, kind)
        return kind

    def delete(self, type_id: int) -> CommunicationType:
        kind = self.get(type_id)
        users: list[str] = []
        self.domain.emit("communication_type.deleting", kind, users)  # members' communications name themselves
        if users:
            raise internal(E_TYPE_DELETE, f"Id={type_id}, pq: update or delete on table \"cc_communication\" "
                                          f"violates foreign key constraint: still used by {' and '.join(users)}")
        self.codes.move(kind.code, "", kind.id)
        return self.pop(type_id)

    def _checked(self, kind: CommunicationType, error_id: str) -> CommunicationType:
        if kind.channel not in CHANNELS:  # the API's enum decoding makes sure; seeds are checked here
            raise bad_args(f"channel: {kind.channel!r} is not one of {', '.join(CHANNELS)}")
        for column, length in COLUMNS:
            if len(getattr(kind, column)) > length:
                raise internal(error_id, f"name={kind.name}, pq: value too long for type character "
                                         f"varying({length}) ({column})")
        if self.codes.taken(kind.code, kind.id):
            raise internal(error_id, f"name={kind.name}, pq: duplicate key value violates unique constraint "
                                     "\"cc_communication_domain_id_code_uindex\"")
        return kind

    def _saved(self, old: CommunicationType | None, new: CommunicationType) -> None:
        self.codes.move(old.code if old else "", new.code, new.id)
        if new.default and (old is None or not old.default or old.channel != new.channel):
            for other in self:
                if other.id != new.id and other.channel == new.channel:
                    other.default = False

    def search(self, *, ids: Collection[int] = (), channels: Collection[str] = (), default_only: bool = False,
               q: str | None = None) -> list[CommunicationType]:
        """``q`` on name or description; ``default`` true keeps the defaults (false filters nothing)."""
        return [t for t in self if (not ids or t.id in ids) and (not channels or t.channel in channels)
                and (not default_only or t.default) and any_ilike(q, t.name, t.description)]


def wire_type(domain: Domain, kind: CommunicationType) -> dict:
    return {"id": kind.id, "name": kind.name, "code": kind.code, "channel": kind.channel,
            "description": kind.description, "default": kind.default}


@dump_section("call_center.communication_types", order=64)
def _dump(domain: Domain) -> list[dict]:
    return [render_as("engine.CommunicationType", wire_type(domain, t)) for t in domain.store(CommunicationTypes)]


@section("communication_types", order=64)
def seed_types(ctx: SeedContext, entries: list[dict], where: str) -> None:
    """``communication_types: [{name, code, channel?: Phone|Email|Messaging, description?, default?}]``."""
    types = ctx.domain.store(CommunicationTypes)
    seed_named(ctx, entries, where, "communication_type", lambda spec, at: types.create(
        actor=ctx.admin_id, **_plain(spec, CommunicationType, (), at)))


# -- HTTP --------------------------------------------------------------------------------------------
KIND = Fields(CommunicationType, name="name", code="code", channel="channel", description="description",
              default="default")
api = Service("CommunicationTypeService", permission="dictionaries", clocked=True)


def _search(call: Call, query: ListQuery) -> list[CommunicationType]:
    return call.store(CommunicationTypes).search(ids=call.ids("id"), channels=call.query.get("channel", ()),
                                                 default_only=call.query.get("default", False), q=query.q)


crud(api, CommunicationTypes, wire_type, KIND.read, page_size=ENGINE_PAGE_SIZE, search="SearchCommunicationType",
     filters=_search, create="CreateCommunicationType", read="ReadCommunicationType",
     update=("UpdateCommunicationType", "PatchCommunicationType"), delete="DeleteCommunicationType")
