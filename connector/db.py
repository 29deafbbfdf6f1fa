"""Database engine and sessions: a SQLite file by default, PostgreSQL (psycopg 3) by URL."""

from __future__ import annotations

import functools
import select
import time
from collections.abc import Callable

from sqlalchemy import Engine, and_, bindparam, create_engine, event, insert, inspect, text, update
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, make_transient_to_detached, sessionmaker
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

SQLITE_BUSY_TIMEOUT_S = 30
# A pooled PostgreSQL connection idle for longer than this is pinged before use. One used more
# recently is not: a ping per checkout would be a round trip on every request for nothing.
PING_AFTER_IDLE_S = 10.0


def normalise_url(url: str) -> str:
    """``postgresql://`` and ``postgres://`` mean psycopg 3 here (SQLAlchemy's default is psycopg2)."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def make_engine(url: str, *, pool_size: int = 5, ping_after_idle_s: float = PING_AFTER_IDLE_S,
                clock: Callable[[], float] = time.monotonic) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S, "check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    engine = create_engine(url, pool_size=pool_size, max_overflow=pool_size * 2, pool_recycle=1800)
    LivenessCheck(engine, ping_after_idle_s=ping_after_idle_s, clock=clock).install()
    return engine


class LivenessCheck:
    """Hands out only live PostgreSQL connections, without SQLAlchemy's ping on every checkout.

    A connection the server closed (a restart, ``pg_terminate_backend``, an idle timeout) has a
    readable socket while it sits in the pool: the server's goodbye or the end of the stream. A
    zero-timeout poll of the socket sees that without a round trip. What it cannot see is a path that died
    silently (a firewall forgetting an idle flow), so a connection idle longer than
    ``ping_after_idle_s`` is pinged as well. A dead one is replaced by the pool (it retries the
    checkout with a new connection); the request never sees it.
    """

    def __init__(self, engine: Engine, *, ping_after_idle_s: float, clock: Callable[[], float]) -> None:
        self.engine, self.ping_after_idle_s, self.clock = engine, ping_after_idle_s, clock

    def install(self) -> None:
        event.listen(self.engine, "checkin", self.checkin)
        event.listen(self.engine, "checkout", self.checkout)

    def checkin(self, _dbapi_connection, record) -> None:
        record.info["returned_at"] = self.clock()

    def checkout(self, dbapi_connection, record, _proxy) -> None:
        returned_at = record.info.pop("returned_at", None)
        if returned_at is None:
            return  # a new connection
        if self.clock() - returned_at > self.ping_after_idle_s:
            try:
                self.engine.dialect.do_ping(dbapi_connection)
            except self.engine.dialect.loaded_dbapi.Error as exc:
                raise DisconnectionError(f"the pooled connection failed its ping: {exc}") from exc
        elif dbapi_connection.closed or _readable(dbapi_connection.fileno()):
            raise DisconnectionError("the server closed the pooled connection")


def _readable(fd: int) -> bool:
    """Whether the socket has something to read (or was closed) right now; never waits. poll, where
    there is one: select refuses descriptors above 1023."""
    if hasattr(select, "poll"):
        poller = select.poll()
        poller.register(fd, select.POLLIN)
        return bool(poller.poll(0))
    return bool(select.select([fd], [], [], 0)[0])


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    # WAL: readers never wait for the writer that holds a Webitel user's lock during its Webitel calls.
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


# -- single-row writes -----------------------------------------------------------------------------
# A flush plans a unit of work over every relationship of the mapper: for a create's reservation and
# result that planning cost more than the two statements themselves (about 0.2 ms of a create, see
# bench/bench_connector.py). Where a write is known to be one row, these run it as one statement on
# the session's transaction and leave the object as the row now is: loaded, nothing to flush.

def insert_row(session: Session, obj) -> None:
    """INSERT a new ``obj`` (unset columns get their Python-side defaults) and add it to the session
    as if it had been loaded. Related objects set on it are not inserted."""
    mapper = inspect(type(obj))
    values = {}
    for attr in mapper.column_attrs:
        column = attr.columns[0]
        if attr.key not in obj.__dict__:
            setattr(obj, attr.key, _python_value(column, column.default, column.server_default))
        values[column.key] = getattr(obj, attr.key)
    session.connection().execute(insert(mapper.local_table), values)
    make_transient_to_detached(obj)
    session.add(obj)


def update_row(session: Session, obj, **changes) -> None:
    """UPDATE the row of a persistent ``obj`` with ``changes`` (and the ``onupdate`` columns), and set
    the same values on it as loaded. A row that is gone raises, as a flush would."""
    mapper = inspect(type(obj))
    for attr in mapper.column_attrs:
        column = attr.columns[0]
        if (column.onupdate is not None or column.server_onupdate is not None) and attr.key not in changes:
            changes[attr.key] = _python_value(column, column.onupdate, column.server_onupdate)
    params = {f"new_{key}": value for key, value in changes.items()}
    params.update((f"key_{i}", value) for i, value in enumerate(mapper.primary_key_from_instance(obj)))
    result = session.connection().execute(_update_statement(mapper, tuple(changes)), params)
    if result.rowcount != 1:
        raise StaleDataError(f"UPDATE of {mapper.class_.__name__} {obj!r} matched {result.rowcount} rows, not 1")
    for key, value in changes.items():
        set_committed_value(obj, key, value)


def _python_value(column, default, server_default):
    """The value of a column default computed here; a default only the server knows would leave
    the object out of step with its row, so it is refused."""
    if server_default is not None:
        raise TypeError(f"{column} has a server-side default: write it with a flush")
    if default is None:
        return None
    if default.is_scalar:
        return default.arg
    if default.is_callable:
        return default.arg(None)  # SQLAlchemy's wrapper takes an execution context; ours need none
    raise TypeError(f"{column} has a SQL expression default: write it with a flush")


@functools.cache
def _update_statement(mapper, keys: tuple[str, ...]):
    """``UPDATE … SET <keys> WHERE <primary key>``, built once per mapper and set of columns."""
    identity = and_(*(column == bindparam(f"key_{i}") for i, column in enumerate(mapper.primary_key)))
    return (update(mapper.local_table).where(identity)
            .values({mapper.get_property(key).columns[0].key: bindparam(f"new_{key}") for key in keys}))


def ping(session: Session) -> None:
    session.execute(text("SELECT 1"))
