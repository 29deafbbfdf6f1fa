"""A new record is written as a row, the way the import writes its new records: one INSERT of its
columns, none of the unit of work's bookkeeping (a flush of one new object with three collections cost
a create about as much as the rest of its database work). The session then holds the record as if it
had been read back, so every later change goes through the ORM as before: an UPDATE fenced by the
version counter, or a DELETE."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.sql.schema import ScalarElementColumnDefault

from ...models import WebitelUser

_TABLE = cast(Table, WebitelUser.__table__)
_INSERT = insert(_TABLE)
FIRST_VERSION = 1  # what the ORM's version counter starts a new row at
COLLECTIONS = ("licenses", "roles", "skills")


def insert_record(session: Session, record: WebitelUser) -> None:
    """INSERT the new (transient) ``record`` in the session's transaction and hold it as persistent.
    A column it leaves unset takes its column's default, or NULL, as the ORM's INSERT would do; a
    refused INSERT (a uniqueness rule) raises IntegrityError here, and the record stays transient."""
    record.version = FIRST_VERSION
    row = {key: _value(record, key) for key in _COLUMN_KEYS}
    session.connection().execute(_INSERT, row)  # in the session's transaction; a Core INSERT needs no more
    for key, value in row.items():
        if key not in record.__dict__:
            set_committed_value(record, key, value)
    for name in COLLECTIONS:  # known empty: no load when read, nothing to flush
        set_committed_value(record, name, [])
    make_transient_to_detached(record)
    session.add(record)


def _value(record: WebitelUser, key: str) -> Any:
    if key in record.__dict__:
        return record.__dict__[key]
    default = _TABLE.c[key].default
    if default is None:
        return None
    if not isinstance(default, ScalarElementColumnDefault):
        raise ValueError(f"a new record must set {key}: its default is computed")  # a programming error
    return default.arg


_COLUMN_KEYS = tuple(attr.key for attr in WebitelUser.__mapper__.column_attrs)
