"""A new record written as a row (``new_rows.insert_record``): the row holds what the ORM's INSERT would
have written, and the session holds the record as if read back, so its changes go through the ORM,
fenced by the version counter. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import event, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from connector.models import SyncState, WebitelUser, WebitelUserState, utcnow
from connector.services.webitel_users import new_rows


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
    new_rows.insert_record(session, record)
    session.commit()
    row = session.execute(text("SELECT extension, state, sync_state, stun_enabled, is_agent, attempts, version, "
                               "team_id FROM webitel_user WHERE webitel_username = 'agarcia'")).one()
    assert tuple(row) == ("1010", WebitelUserState.CREATING, SyncState.PENDING, False, False, 0,
                          new_rows.FIRST_VERSION, None)
    # The record in memory agrees with its row: a default it took is held, not left to a load.
    assert (record.state, record.sync_state, record.attempts, record.version) == ("creating", "pending", 0, 1)


def test_the_record_is_held_as_read_back_no_load_and_no_write_pending(session):
    record = new_record("bsmith")
    new_rows.insert_record(session, record)
    seen = statements_of(session)
    assert record in session and not session.dirty and not session.new
    assert (record.licenses, record.roles, record.skills, record.team_id) == ([], [], [], None)
    session.commit()
    assert seen == []  # nothing loaded, nothing flushed


def test_a_change_is_an_update_fenced_by_the_version(session):
    record = new_record("cjones")
    new_rows.insert_record(session, record)
    session.commit()
    seen = statements_of(session)
    record.extension = "1020"
    session.commit()
    assert seen == ["UPDATE"] and record.version == new_rows.FIRST_VERSION + 1
    # Another unit of work takes the row (a claim bumps the version): this one's next write is refused.
    session.execute(update(WebitelUser).where(WebitelUser.id == record.id)
                    .values(version=WebitelUser.version + 1).execution_options(synchronize_session=False))
    session.commit()
    record.extension = "1030"
    with pytest.raises(StaleDataError):
        session.commit()


def test_a_row_a_uniqueness_rule_refuses_leaves_the_record_out_of_the_session(session):
    new_rows.insert_record(session, new_record("djones", extension="1040"))
    session.commit()
    taken = new_record("ewhite", extension="1040")
    with pytest.raises(IntegrityError):
        new_rows.insert_record(session, taken)
    session.rollback()
    assert taken not in session
    assert session.execute(text("SELECT count(*) FROM webitel_user")).scalar_one() == 1


def test_a_column_whose_default_is_computed_must_be_set(session):
    """``created_at`` defaults to the time of the INSERT: a new record sets it (as the create does), so
    that the record in memory holds the same value as its row."""
    with pytest.raises(ValueError, match="created_at"):
        new_rows.insert_record(session, new_record("fgreen", stamped=False))
