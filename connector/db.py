"""Database engine and sessions: a SQLite file by default, PostgreSQL (psycopg 3) by URL."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import contextmanager

from sqlalchemy import ColumnElement, Connection, Engine, any_, bindparam, create_engine, event, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.orm import InstrumentedAttribute, Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry

SQLITE_BUSY_TIMEOUT_S = 30


def normalise_url(url: str) -> str:
    """``postgresql://`` and ``postgres://`` mean psycopg 3 here (SQLAlchemy's default is psycopg2)."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def make_engine(url: str, *, pool_size: int = 5) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S, "check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # pool_pre_ping: a connection the server closed (a restart, an idle timeout) is replaced before a
    # request sees it, at the price of one round trip per checkout (bench/bench_connector.py measures it).
    return create_engine(url, pool_size=pool_size, max_overflow=pool_size * 2, pool_recycle=1800, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    # WAL: readers never wait for the writer.
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


def one_of(session: Session, column: InstrumentedAttribute, values: Collection) -> ColumnElement[bool]:
    """``column IN (values)``; on PostgreSQL ``column = ANY(:values)``, one array parameter instead of
    one per value: for the import's pages of 500 keys the driver then adapts one parameter, not
    500 (a re-import on PostgreSQL took a fifth less, ``bench/`` measures it)."""
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))
    return column.in_(values)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def statements_commit_alone(session: Session) -> Iterator[None]:
    """In the block, each statement on the session's connection commits by itself: a unit of work that
    is one write needs no transaction around it, and on PostgreSQL that saves the BEGIN and COMMIT
    round trips (psycopg sends BEGIN on its own). The block must end with the session's commit or
    rollback, which then commit nothing more; it rolls back what is still open (every statement in it
    committed already, so only what was never flushed is dropped). After the block the connection is
    back at its own isolation level: the session's next transaction is atomic again.
    Only on PostgreSQL, for a session bound to one connection (the API request's) not in a
    transaction; elsewhere the block changes nothing. SQLite's BEGIN is a call in the process, and
    switching its driver's mode costs more than it saves (bench/README.md)."""
    connection = session.get_bind()
    if (not isinstance(connection, Connection) or connection.dialect.name != "postgresql"
            or connection.in_transaction()):
        yield
        return
    level = connection.get_execution_options().get("isolation_level", connection.default_isolation_level)
    connection.execution_options(isolation_level="AUTOCOMMIT")
    try:
        yield
    finally:
        if session.in_transaction():
            session.rollback()
        if not (connection.closed or connection.invalidated):  # a lost connection is replaced, at its level
            try:
                connection.execution_options(isolation_level=level)
            except connection.dialect.loaded_dbapi.Error:  # the driver refused (a broken connection):
                connection.invalidate()  # never reused in autocommit; the next use gets a new one


def ping(session: Session) -> None:
    session.execute(text("SELECT 1"))


def safe_url(url: str) -> str:
    """The database URL without its password, for printing."""
    return make_url(url).render_as_string(hide_password=True)
