"""A record written as its row, outside the unit of work's flush, where the flush's bookkeeping is most of
the cost and buys nothing:

* a new record: one INSERT of its columns, the way the import writes its new records (a flush of one new
  object with three collections cost a create about as much as the rest of its database work);
* a unit of work's result that changes the record's own columns and nothing else (no collection, no
  other object): one UPDATE of its columns fenced by the version counter, exactly as the ORM's UPDATE
  is fenced, with the result's audit event. On PostgreSQL the two are one statement, the event inserted
  from the UPDATE's ``RETURNING``, so that it is written only with the record (and in
  :func:`connector.db.statements_commit_alone` that statement is the whole transaction: one round trip
  where BEGIN, INSERT, UPDATE and COMMIT took four). Any other result goes through the ORM's flush.

Either way the session then holds the record as if it had been read back, so the next change goes
through the ORM as any other (an UPDATE fenced by the version counter, or a DELETE).
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, Table, bindparam, insert, inspect, select, update
from sqlalchemy import cast as sql_cast
from sqlalchemy.orm import Session, make_transient, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.sql.schema import ScalarElementColumnDefault

from ...models import AuditEvent, WebitelUser, utcnow
from .. import audit

_TABLE = cast(Table, WebitelUser.__table__)
_EVENTS = cast(Table, AuditEvent.__table__)
_INSERT = insert(_TABLE)
FIRST_VERSION = 1  # what the ORM's version counter starts a new row at
COLLECTIONS = ("licenses", "roles", "skills")
_COLUMN_KEYS = tuple(attr.key for attr in WebitelUser.__mapper__.column_attrs)
# Every column but the key, whatever changed: one shape of statement, compiled once (a statement per set
# of changed columns cost more to build than the flush it replaced). The version fence makes writing
# an unchanged column harmless: every writer of the row bumps the version.
_WRITTEN = tuple(key for key in _COLUMN_KEYS if not _TABLE.c[key].primary_key)
_UPDATE = (update(_TABLE).where(_TABLE.c.id == bindparam("where_id"), _TABLE.c.version == bindparam("where_version"))
           .values({key: bindparam(key) for key in _WRITTEN}))
_EVENT_KEYS = tuple(column.key for column in _EVENTS.c if not column.primary_key)


def _update_with_event() -> Any:
    """PostgreSQL: the UPDATE, and the event inserted from the row it returns (none when the fence
    refused the UPDATE). Each value is cast to its column's type: a bare parameter in a SELECT list has
    no type for PostgreSQL to infer."""
    written = _UPDATE.returning(_TABLE.c.id).cte("result")
    values = [written.c.id if key == "record_id" else
              sql_cast(bindparam(f"event_{key}", type_=_EVENTS.c[key].type), _EVENTS.c[key].type)
              for key in _EVENT_KEYS]
    # preserve_rowcount: the INSERT's row count is the fence's answer (SQLAlchemy keeps an UPDATE's only).
    return (insert(_EVENTS).from_select(list(_EVENT_KEYS), select(*values).select_from(written))
            .execution_options(preserve_rowcount=True))


_UPDATE_WITH_EVENT = _update_with_event()


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
    _hold(session, record)


def only_columns_changed(session: Session, record: WebitelUser) -> bool:
    """Whether what the session would flush is ``record``'s own columns and nothing else, with every
    column loaded: then :func:`update_record` writes it. A collection's change shows as its child's (a
    new child, or one whose back-reference changed)."""
    if session.new or session.deleted or any(obj is not record for obj in session.dirty):
        return False
    state = inspect(record)
    return (state.session is session and state.persistent
            and all(key in record.__dict__ for key in _COLUMN_KEYS))


def update_record(session: Session, record: WebitelUser, event: dict[str, Any]) -> None:
    """Write ``record``'s columns (see :func:`only_columns_changed`) and the audit ``event`` (a row of
    :func:`connector.services.audit.event_row`) in the session's transaction, and hold the record as
    written. Refused as the ORM's UPDATE is: StaleDataError when the row's version moved on (another
    unit of work took the record; nothing is written, not even the event), IntegrityError from the
    database (a uniqueness rule)."""
    version = record.version
    record.version, record.updated_at = version + 1, utcnow()  # the version counter's, the column's onupdate
    values = {key: record.__dict__[key] for key in _WRITTEN}
    connection = session.connection()
    fence = {"where_id": record.id, "where_version": version}
    if connection.dialect.name == "postgresql":
        event_values = {f"event_{key}": value for key, value in event.items() if key != "record_id"}
        _fenced(connection.execute(_UPDATE_WITH_EVENT, {**values, **fence, **event_values}))
    else:
        _fenced(connection.execute(_UPDATE, {**values, **fence}))
        audit.add_row(session, event)
    session.expunge(record)
    make_transient(record)
    _hold(session, record)


def _fenced(result: Any) -> None:
    """The version fence's answer: the statement matched the row at its version, or StaleDataError (the
    caller rolls the session back, which forgets what this write set on the record)."""
    matched = cast(CursorResult[Any], result).rowcount
    if matched != 1:
        raise StaleDataError(f"UPDATE statement on table '{_TABLE.name}' expected to update 1 row(s); "
                             f"{matched} were matched.")


def _hold(session: Session, record: WebitelUser) -> None:
    """The session holds the (transient) record as if read back: persistent, no history, nothing to flush."""
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
