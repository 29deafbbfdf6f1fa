"""The stand-in's records: ``SysAdminUnit``, ``Contact`` and ``Account`` rows with Creatio's column
names, lookups between them, and typed values (GUIDs, text, numbers, booleans, timestamps)."""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .query import QueryError


class DuplicateKey(Exception):
    """An insert with an Id that exists (Creatio passes the database's refusal on as a 500)."""


class NoSuchRow(LookupError):
    pass


GUID, TEXT, INT, BOOL, TIME = "Edm.Guid", "Edm.String", "Edm.Int32", "Edm.Boolean", "Edm.DateTimeOffset"


@dataclass(frozen=True)
class Entity:
    name: str
    columns: dict[str, str]
    lookups: dict[str, tuple[str, str]] = field(default_factory=dict)  # navigation -> (column, entity)
    required: tuple[str, ...] = ("Name",)


ENTITIES = {
    "SysAdminUnit": Entity("SysAdminUnit", {
        "Id": GUID, "Name": TEXT, "SysAdminUnitTypeValue": INT, "ConnectionType": INT, "Active": BOOL,
        "ContactId": GUID, "CreatedOn": TIME, "ModifiedOn": TIME}, {"Contact": ("ContactId", "Contact")},
        required=("Name", "SysAdminUnitTypeValue")),
    "Contact": Entity("Contact", {"Id": GUID, "Name": TEXT, "AccountId": GUID, "CreatedOn": TIME, "ModifiedOn": TIME},
                      {"Account": ("AccountId", "Account")}),
    "Account": Entity("Account", {"Id": GUID, "Name": TEXT, "PrimaryContactId": GUID, "CreatedOn": TIME,
                                  "ModifiedOn": TIME}, {"PrimaryContact": ("PrimaryContactId", "Contact")}),
}
DEFAULTS = {"SysAdminUnit": {"Active": True, "ConnectionType": 0}}


def now() -> datetime:
    return datetime.now(UTC)


class Store:
    """Thread-safe rows by entity and id. ``case_insensitive`` makes text comparison behave like
    Creatio on MSSQL; the default behaves like Creatio on PostgreSQL."""

    def __init__(self, *, case_insensitive: bool = False) -> None:
        self.case_insensitive = case_insensitive
        self.lock = threading.RLock()
        self.rows: dict[str, dict[uuid.UUID, dict[str, Any]]] = {name: {} for name in ENTITIES}

    def entity(self, name: str) -> Entity:
        if name not in ENTITIES:
            raise QueryError(f"Resource not found for the segment '{name}'")
        return ENTITIES[name]

    def insert(self, entity_name: str, values: dict[str, Any]) -> dict[str, Any]:
        entity = self.entity(entity_name)
        with self.lock:
            row: dict[str, Any] = {column: None for column in entity.columns}
            row.update(DEFAULTS.get(entity_name, {}))
            row.update(self.typed(entity, values))
            row["Id"] = row["Id"] or uuid.uuid4()
            for column in entity.required:
                if row[column] in (None, ""):
                    raise QueryError(f"The field '{column}' of {entity_name} is required")
            self.check_lookups(entity, row)
            if row["Id"] in self.rows[entity_name]:
                raise DuplicateKey(f"duplicate key value violates unique constraint \"PK{entity_name}Id\"")
            row["CreatedOn"] = row["ModifiedOn"] = now()
            self.rows[entity_name][row["Id"]] = row
            return dict(row)

    def update(self, entity_name: str, row_id: uuid.UUID, values: dict[str, Any]) -> dict[str, Any]:
        entity = self.entity(entity_name)
        with self.lock:
            row = self.rows[entity_name].get(row_id)
            if row is None:
                raise NoSuchRow(row_id)
            changed = {**row, **self.typed(entity, values), "Id": row_id, "ModifiedOn": now()}
            self.check_lookups(entity, changed)
            row.update(changed)
            return dict(row)

    def delete(self, entity_name: str, row_id: uuid.UUID) -> None:
        with self.lock:
            if self.rows[self.entity(entity_name).name].pop(row_id, None) is None:
                raise NoSuchRow(row_id)

    def all(self, entity_name: str) -> list[dict[str, Any]]:
        with self.lock:
            return [dict(row) for row in self.rows[self.entity(entity_name).name].values()]

    def get(self, entity_name: str, row_id: uuid.UUID | None) -> dict[str, Any] | None:
        with self.lock:
            row = self.rows[entity_name].get(row_id) if row_id is not None else None
            return dict(row) if row is not None else None

    def typed(self, entity: Entity, values: dict[str, Any]) -> dict[str, Any]:
        typed = {}
        for column, value in values.items():
            kind = entity.columns.get(column)
            if kind is None:
                raise QueryError(f"The property '{column}' does not exist on type '{entity.name}'")
            typed[column] = _typed(column, kind, value)
        return typed

    def check_lookups(self, entity: Entity, row: dict[str, Any]) -> None:
        for column, target in entity.lookups.values():
            if row[column] is not None and row[column] not in self.rows[target]:
                raise QueryError(f"{entity.name}.{column}: no {target} with Id {row[column]}")


def _typed(column: str, kind: str, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, uuid.UUID | datetime):
        return value
    ok = {TEXT: isinstance(value, str), INT: isinstance(value, int) and not isinstance(value, bool),
          BOOL: isinstance(value, bool), GUID: isinstance(value, str), TIME: isinstance(value, str)}[kind]
    if not ok:
        raise QueryError(f"Cannot convert the value of '{column}' to {kind}")
    try:
        if kind == GUID:
            return uuid.UUID(value)
        if kind == TIME:
            return datetime.fromisoformat(value)
    except ValueError:
        raise QueryError(f"Cannot convert the value of '{column}' to {kind}") from None
    return value


def wire(value: Any) -> Any:
    """A value as Creatio's OData 4 writes it (timestamps with seven fractional digits)."""
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f") + "0Z"
    return value
