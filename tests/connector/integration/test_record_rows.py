"""A record written as its row. A new one (``record_rows.insert_record``): the row holds what the ORM's
INSERT would have written. A result that is the record's own columns (``record_rows.update_record``):
the row and its audit event are written together, fenced by the version counter as the ORM's UPDATE is.
Either way the session then holds the record as if read back, so its next change goes through the ORM.
Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import event, func, select, text, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from connector.db import statements_commit_alone
from connector.models import AuditEvent, SyncState, WebitelUser, WebitelUserLicense, WebitelUserState, utcnow
from connector.services.webitel_users import record_rows
from tests.support.databases import commits_alone


def new_record(name: str, *, stamped: bool = True, **columns: object) -> WebitelUser:
    if stamped:
        columns |= {"created_at": utcnow(), "updated_at": utcnow()}
    return WebitelUser(id=uuid.uuid4(), webitel_username=name, webitel_username_key=name, **columns)


def statements_of(session: Session) -> list[str]:
    seen: list[str] = []
    event.listen(session.get_bind(), "before_cursor_execute", lambda *args: seen.append(args[2].split()[0].upper()))
    return seen


def test_the_row_holds_what_was_set_and_the_columns_defaults(session):
    record = new_record("agarcia", extension="1010")
    record_rows.insert_record(session, record)
    session.commit()
    row = session.execute(text("SELECT extension, state, sync_state, stun_enabled, is_agent, attempts, version, "
                               "team_id FROM webitel_user WHERE webitel_username = 'agarcia'")).one()
    assert tuple(row) == ("1010", WebitelUserState.CREATING, SyncState.PENDING, False, False, 0,
                          record_rows.FIRST_VERSION, None)
    # The record in memory agrees with its row: a default it took is held, not left to a load.
    assert (record.state, record.sync_state, record.attempts, record.version) == ("creating", "pending", 0, 1)


def test_the_record_is_held_as_read_back_no_load_and_no_write_pending(session):
    record = new_record("bsmith")
    record_rows.insert_record(session, record)
    seen = statements_of(session)
    assert record in session and not session.dirty and not session.new
    assert (record.licenses, record.roles, record.skills, record.team_id) == ([], [], [], None)
    session.commit()
    assert seen == []  # nothing loaded, nothing flushed


def test_a_change_is_an_update_fenced_by_the_version(session):
    record = new_record("cjones")
    record_rows.insert_record(session, record)
    session.commit()
    seen = statements_of(session)
    record.extension = "1020"
    session.commit()
    assert seen == ["UPDATE"] and record.version == record_rows.FIRST_VERSION + 1
    # Another unit of work takes the row (a claim bumps the version): this one's next write is refused.
    session.execute(update(WebitelUser).where(WebitelUser.id == record.id)
                    .values(version=WebitelUser.version + 1).execution_options(synchronize_session=False))
    session.commit()
    record.extension = "1030"
    with pytest.raises(StaleDataError):
        session.commit()


def test_a_row_a_uniqueness_rule_refuses_leaves_the_record_out_of_the_session(session):
    record_rows.insert_record(session, new_record("djones", extension="1040"))
    session.commit()
    taken = new_record("ewhite", extension="1040")
    with pytest.raises(IntegrityError):
        record_rows.insert_record(session, taken)
    session.rollback()
    assert taken not in session
    assert session.execute(text("SELECT count(*) FROM webitel_user")).scalar_one() == 1


def test_a_column_whose_default_is_computed_must_be_set(session):
    """``created_at`` defaults to the time of the INSERT: a new record sets it (as the create does), so
    that the record in memory holds the same value as its row."""
    with pytest.raises(ValueError, match="created_at"):
        record_rows.insert_record(session, new_record("fgreen", stamped=False))


def written(session: Session, name: str, extension: str | None = None) -> WebitelUser:
    record = new_record(name, extension=extension)
    record_rows.insert_record(session, record)
    session.commit()
    return record


def event_for(record: WebitelUser, outcome: str = "done") -> dict:
    return {"at": utcnow(), "actor": "test", "action": f"change {record.webitel_username}", "outcome": outcome,
            "error_code": None, "record_id": record.id, "webitel_username": record.webitel_username,
            "before": {"extension": None}, "after": {"extension": record.extension}, "webitel_calls": None,
            "request_id": "r-1"}


def events(session: Session) -> list[tuple]:
    return [tuple(row) for row in session.execute(
        select(AuditEvent.record_id, AuditEvent.outcome, AuditEvent.after, AuditEvent.request_id))]


def test_a_result_of_the_records_columns_is_its_row_and_its_event(session):
    record = written(session, "agarcia")
    record.extension, record.sync_state, record.claim_id = "1010", SyncState.IN_SYNC, None
    assert record_rows.only_columns_changed(session, record)
    record_rows.update_record(session, record, event_for(record))
    assert not session.dirty and record in session  # held as written: nothing left to flush
    seen = statements_of(session)
    session.commit()
    assert seen == []
    row = session.execute(text("SELECT extension, sync_state, version FROM webitel_user")).one()
    assert tuple(row) == ("1010", "in_sync", record_rows.FIRST_VERSION + 1) and record.version == row.version
    assert events(session) == [(record.id, "done", {"extension": "1010"}, "r-1")]
    # The next change goes through the ORM, fenced by the version the write left.
    record.extension = "1020"
    session.commit()
    assert session.scalar(text("SELECT version FROM webitel_user")) == record_rows.FIRST_VERSION + 2


def test_a_result_whose_version_moved_on_writes_nothing_not_even_its_event(session):
    record = written(session, "bsmith")
    session.execute(update(WebitelUser).where(WebitelUser.id == record.id)  # another unit of work took it
                    .values(version=WebitelUser.version + 1).execution_options(synchronize_session=False))
    session.commit()
    record.extension = "1010"
    with pytest.raises(StaleDataError):
        record_rows.update_record(session, record, event_for(record))
    session.rollback()
    assert session.scalar(text("SELECT extension FROM webitel_user")) is None and events(session) == []


def test_a_result_a_uniqueness_rule_refuses_writes_nothing(session):
    written(session, "cjones", extension="1010")
    record = written(session, "djones")
    record.extension = "1010"
    with pytest.raises(IntegrityError):
        record_rows.update_record(session, record, event_for(record))
    session.rollback()
    assert session.scalar(text("SELECT extension FROM webitel_user WHERE webitel_username = 'djones'")) is None
    assert events(session) == []


def test_an_event_the_database_refuses_takes_the_records_row_with_it(session):
    """The row and its event are one write: the event's INSERT failing leaves the row as it was."""
    record = written(session, "ewhite")
    record.extension = "1010"

    def refuse(_conn, _cursor, statement, *_args):
        if "INSERT INTO audit_event" in statement:
            raise OperationalError(statement, None, Exception("injected failure of the event"))

    event.listen(session.get_bind(), "before_cursor_execute", refuse)
    try:
        with pytest.raises(OperationalError):
            record_rows.update_record(session, record, event_for(record))
            session.commit()
    finally:
        event.remove(session.get_bind(), "before_cursor_execute", refuse)
    session.rollback()
    assert session.scalar(text("SELECT extension FROM webitel_user")) is None and events(session) == []


def test_on_postgresql_a_result_is_one_statement_that_commits_alone(postgres_url):
    from connector.db import make_engine

    engine = make_engine(postgres_url)
    try:
        with engine.connect() as connection, Session(bind=connection, expire_on_commit=False) as session:
            record = written(session, "fgreen")
            record.extension = "1010"
            seen: list[tuple[str, bool]] = []
            event.listen(engine, "before_cursor_execute",
                         lambda conn, _c, statement, *_a: seen.append((statement.split()[0], commits_alone(conn))))
            with statements_commit_alone(session):
                record_rows.update_record(session, record, event_for(record))
                session.commit()
            assert seen == [("WITH", True)]
        with engine.connect() as other:  # committed: another connection sees the row and its event
            assert other.scalar(text("SELECT extension FROM webitel_user WHERE webitel_username = 'fgreen'")) == "1010"
            assert other.scalar(select(func.count()).select_from(AuditEvent)
                                .where(AuditEvent.record_id == record.id)) == 1
    finally:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM audit_event"))
            conn.execute(text("DELETE FROM webitel_user"))
        engine.dispose()


@pytest.mark.parametrize("change", ["license added", "license removed", "child changed", "other new", "deleted",
                                    "unloaded column", "detached"])
def test_a_result_that_is_more_than_the_records_columns_goes_through_the_orm(session, change):
    record = written(session, "hblack")
    record.licenses.append(WebitelUserLicense(license_id="l-1", product="Call Center"))
    session.commit()
    record.extension = "1010"
    assert record_rows.only_columns_changed(session, record)
    if change == "license added":
        record.licenses.append(WebitelUserLicense(license_id="l-2", product="Call Center"))
    elif change == "license removed":  # its row goes only when the ORM flushes: the collection tells
        record.licenses.pop()
    elif change == "child changed":
        record.licenses[0].product = "Other"
    elif change == "other new":
        session.add(new_record("jgrey"))
    elif change == "deleted":
        session.delete(record)
    elif change == "unloaded column":
        session.expire(record, ["team_id"])
    else:
        session.expunge(record)
    assert not record_rows.only_columns_changed(session, record)
