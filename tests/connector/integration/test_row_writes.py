"""connector.db's single-row writes (a create's reservation and its final update): the row is what
a flush would have written, and the object is left as that row, with nothing for a flush to do."""

from __future__ import annotations

import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.orm.exc import StaleDataError

from connector.db import insert_row, update_row
from connector.models import WebitelUser, WebitelUserState
from tests.support.connector import creatio_user


@pytest.fixture
def statements(session):
    """The SQL the session's engine runs from now on."""
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        seen.append(statement)

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)


def new_record(session, name="agarcia", **fields) -> WebitelUser:
    user = creatio_user(session, name)
    return WebitelUser(system_user_id=user.id, contact_id=user.contact_id, webitel_username=name, **fields)


def columns(record: WebitelUser) -> dict:
    return {attr.key: getattr(record, attr.key) for attr in WebitelUser.__mapper__.column_attrs}


def test_insert_row_writes_what_a_flush_would(session):
    flushed = new_record(session, "flushed", extension="1010")
    session.add(flushed)
    session.commit()
    inserted = new_record(session, "inserted", extension="2020")
    insert_row(session, inserted)
    session.commit()
    session.expunge_all()
    rows = {r.webitel_username: columns(r) for r in session.scalars(select(WebitelUser))}
    varying = {"id", "system_user_id", "contact_id", "webitel_username", "extension", "state_since", "created_at",
               "updated_at"}
    assert {k: v for k, v in rows["inserted"].items() if k not in varying} == \
           {k: v for k, v in rows["flushed"].items() if k not in varying}
    assert rows["inserted"]["state"] == WebitelUserState.CREATING and rows["inserted"]["version"] == 0
    assert rows["inserted"]["created_at"] is not None and rows["inserted"]["id"] is not None


def test_insert_row_leaves_the_object_loaded_and_clean(session, statements):
    record = new_record(session, licenses=[], roles=[], skills=[])
    insert_row(session, record)
    session.commit()
    statements.clear()
    assert record in session and not session.dirty and not session.new
    assert columns(record)["team_name"] is None and record.licenses == []
    session.commit()
    assert statements == []  # no lazy load, nothing flushed


def test_update_row_sets_the_changes_and_the_onupdate_columns(session, statements):
    record = new_record(session)
    insert_row(session, record)
    session.commit()
    created = record.updated_at
    statements.clear()
    update_row(session, record, webitel_user_id="42", state=WebitelUserState.ACTIVE)
    session.commit()
    assert len(statements) == 1 and statements[0].startswith("UPDATE")
    assert not session.dirty and record.webitel_user_id == "42" and record.updated_at >= created
    session.expunge_all()
    row = session.get(WebitelUser, record.id)
    assert (row.webitel_user_id, row.state, row.updated_at) == ("42", "active", record.updated_at)


def test_update_row_of_a_row_that_is_gone_fails_as_a_flush_would(session):
    record = new_record(session)
    insert_row(session, record)
    session.commit()
    session.execute(WebitelUser.__table__.delete())
    with pytest.raises(StaleDataError):
        update_row(session, record, webitel_user_id="42")


class _Other(DeclarativeBase):
    pass


class _ServerDefaults(_Other):
    """Defaults only the server (or SQL) computes: the object could not know its row."""

    __tablename__ = "server_defaults"
    id: Mapped[int] = mapped_column(primary_key=True)
    made_at: Mapped[str] = mapped_column(server_default=text("CURRENT_TIMESTAMP"))
    touched_at: Mapped[str | None] = mapped_column(server_onupdate=text("CURRENT_TIMESTAMP"))
    counted: Mapped[int | None] = mapped_column(default=func.random())


@pytest.mark.parametrize("unset", ["made_at", "counted"])
def test_insert_row_refuses_defaults_it_cannot_compute(session, unset):
    values = {"id": 1, "made_at": "now", "touched_at": None, "counted": 1}
    del values[unset]
    with pytest.raises(TypeError, match=unset):
        insert_row(session, _ServerDefaults(**values))


def test_update_row_refuses_a_server_side_onupdate(session):
    with pytest.raises(TypeError, match="touched_at"):
        update_row(session, _ServerDefaults(id=1, made_at="now", touched_at=None, counted=1), counted=2)
