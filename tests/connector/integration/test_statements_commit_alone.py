"""``db.statements_commit_alone``: on PostgreSQL each statement in the block commits by itself (the
create's look-up and reservation need no BEGIN and COMMIT round trips), and after the block, however it
ends, the connection is back at its level, so the next transaction is whole again. Elsewhere (SQLite,
a session not bound to one connection) the block changes nothing. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, event, func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from connector.db import make_engine, statements_commit_alone
from connector.models import AuditEvent
from tests.support.databases import commits_alone


@pytest.fixture
def engine(app) -> Engine:
    return app.extensions["connector"].engine


@pytest.fixture
def pg_engine(postgres_url) -> Iterator[Engine]:
    engine = make_engine(postgres_url)
    yield engine
    engine.dispose()


def on_one_connection(engine: Engine) -> Iterator[Session]:
    """A session on one connection, as an API request's is."""
    with engine.connect() as connection, Session(bind=connection, expire_on_commit=False) as session:
        yield session


@pytest.fixture
def bound(engine) -> Iterator[Session]:
    yield from on_one_connection(engine)


@pytest.fixture
def pg_bound(pg_engine) -> Iterator[Session]:
    yield from on_one_connection(pg_engine)


def events(engine: Engine) -> int:
    """The audit events another connection sees (what was committed)."""
    with engine.connect() as other:
        return other.scalar(select(func.count()).select_from(AuditEvent)) or 0


def event_row(action: str) -> AuditEvent:
    return AuditEvent(actor="test", action=action, outcome="done")


def on_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


def test_in_the_block_each_statement_commits_by_itself(engine, bound):
    with statements_commit_alone(bound):
        bound.add(event_row("one"))
        bound.flush()
        # Seen from another connection before any commit: on PostgreSQL it committed alone.
        assert events(engine) == (1 if on_postgres(engine) else 0)
        bound.commit()
    assert events(engine) == 1


def test_after_the_block_a_transaction_is_whole_again(engine, bound):
    with statements_commit_alone(bound):
        bound.add(event_row("reserved"))
        bound.commit()
    bound.add(event_row("result"))
    bound.flush()
    assert events(engine) == 1  # the flushed row waits for the commit
    bound.rollback()
    assert events(engine) == 1


@pytest.mark.postgres
def test_a_block_left_by_an_error_mid_transaction_is_rolled_back_and_restored(pg_engine, pg_bound):
    """A look-up raised after the session began: the block ends its transaction (what was written
    committed already; nothing is left open) and the next one is whole."""
    with pytest.raises(LookupError), statements_commit_alone(pg_bound):
        pg_bound.add(event_row("written"))
        pg_bound.flush()
        raise LookupError("the Creatio user is gone")
    assert not pg_bound.in_transaction()
    assert events(pg_engine) == 1
    pg_bound.add(event_row("result"))
    pg_bound.flush()
    pg_bound.rollback()
    assert events(pg_engine) == 1


@pytest.mark.postgres
def test_what_was_never_flushed_is_dropped_not_written_alone(pg_engine, pg_bound):
    with statements_commit_alone(pg_bound):
        pg_bound.add(event_row("pending"))  # never flushed: the block does not write it statement by statement
    assert events(pg_engine) == 0
    assert pg_bound.scalar(select(func.count()).select_from(AuditEvent)) == 0


@pytest.mark.postgres
def test_a_lost_connection_ends_the_block_without_an_error_of_its_own(pg_engine, pg_bound):
    def server_away(*_args: object) -> None:
        raise OperationalError("connect", None, Exception("the server is away"))

    event.listen(pg_engine, "do_connect", server_away)
    try:
        with statements_commit_alone(pg_bound):
            pg_bound.connection().invalidate()  # as SQLAlchemy does when the server goes away
    finally:  # the block asked for no new connection (it could not have had one)
        event.remove(pg_engine, "do_connect", server_away)
    pg_bound.add(event_row("after"))
    pg_bound.commit()  # a new connection, at the engine's level: a whole transaction
    assert events(pg_engine) == 1


@pytest.mark.postgres
def test_a_connection_the_driver_cannot_put_back_is_not_reused(pg_engine, pg_bound, monkeypatch):
    """The driver refuses to leave autocommit (as psycopg refuses on a connection whose state it no
    longer knows): the block ends without an error of its own, and the next transaction runs on a new
    connection, whole."""
    dialect = pg_engine.dialect
    set_level = dialect.set_isolation_level

    def refuse_to_leave(dbapi_connection, level):
        if level != "AUTOCOMMIT":
            raise dialect.loaded_dbapi.OperationalError("can't change 'autocommit' now")
        set_level(dbapi_connection, level)

    monkeypatch.setattr(dialect, "set_isolation_level", refuse_to_leave)
    with statements_commit_alone(pg_bound):
        pg_bound.add(event_row("reserved"))
        pg_bound.commit()
    monkeypatch.undo()
    pg_bound.add(event_row("result"))
    pg_bound.flush()
    pg_bound.rollback()
    assert events(pg_engine) == 1  # the reservation only
    assert not commits_alone(pg_bound.connection())


def test_on_sqlite_the_block_changes_nothing(sqlite_url):
    engine = make_engine(sqlite_url)
    try:
        for session in on_one_connection(engine):
            with pytest.raises(LookupError), statements_commit_alone(session):
                session.add(event_row("written"))
                session.flush()
                raise LookupError("the Creatio user is gone")
            assert session.in_transaction()  # still the caller's to end, as without the block
            session.rollback()
        assert events(engine) == 0
    finally:
        engine.dispose()


def test_a_session_on_the_engine_is_left_as_it_is(engine):
    with Session(engine) as session, statements_commit_alone(session):
        session.add(event_row("one"))
        session.flush()
        assert events(engine) == 0  # its own transaction, as always
        session.rollback()
    assert events(engine) == 0
