"""From a request's entity to a record's attributes: which JSON attribute sets which record field.

Webitel's handlers copy every attribute of a create or PUT body literally (an omitted one is its
zero value) and, on PATCH, only those in the update mask (``docs/emulator.md``, "PATCH
semantics"). :meth:`Fields.read` does both, for a body already typed by ``protojson.decode``::

    TEAM = Fields(Team, name="name", admin=("admin_ids", REFS), screen_control="screen_control")
    teams.create(actor=call.user_id, **TEAM.read(call))
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from .request import Call

VALUE, REF, REFS, TAGS = "value", "ref", "refs", "tags"


def ref_id(value: Any) -> int | None:
    """The id of a lookup ``{"id": 5, "name": ...}`` (None when empty)."""
    return (value or {}).get("id") or None


def ref_ids(values: Any) -> list[int]:
    """Ids of repeated lookups, duplicates and empty ones dropped, order kept."""
    return list(dict.fromkeys(i for i in (ref_id(v) for v in values or ()) if i))


class Fields:
    """JSON attribute -> record attribute (and how to read it: a value, a lookup, lookups, tags)."""

    def __init__(self, record: type, **spec: str | tuple[str, str]) -> None:
        self.spec: dict[str, tuple[str, str]] = {k: (v, VALUE) if isinstance(v, str) else v for k, v in spec.items()}
        self.defaults: dict[str, Any] = {}
        for f in dataclasses.fields(record):
            if f.default is not dataclasses.MISSING:
                self.defaults[f.name] = f.default
            elif f.default_factory is not dataclasses.MISSING:
                self.defaults[f.name] = f.default_factory
        unknown = {attr for attr, _ in self.spec.values()} - set(self.defaults)
        if unknown:
            raise TypeError(f"{record.__name__} has no attributes {sorted(unknown)}")

    def default(self, attr: str) -> Any:
        value = self.defaults[attr]
        return value() if callable(value) else value

    def read(self, call: Call, body: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The attributes the request writes (record names), read from the entity."""
        body = call.body if body is None else body
        out: dict[str, Any] = {}
        for name, (attr, kind) in self.spec.items():
            if not call.changed(name):
                continue
            value = body.get(name)
            if kind == REF:
                out[attr] = ref_id(value)
            elif kind == REFS:
                out[attr] = ref_ids(value)
            elif kind == TAGS:
                out[attr] = list(dict.fromkeys(t.get("name", "") for t in value or () if t.get("name")))
            else:
                out[attr] = self.default(attr) if value is None else value
        return out
