"""PostgreSQL connections are handed out live without a ping round trip on every checkout: a
connection the server closed is replaced unseen, one idle too long is pinged first."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from connector.db import make_engine, normalise_url

pytestmark = pytest.mark.postgres
IDLE_S = 10.0


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def engine(postgres_url, clock):
    engine = make_engine(postgres_url, pool_size=1, ping_after_idle_s=IDLE_S, clock=clock)
    yield engine
    engine.dispose()


@pytest.fixture
def pings(engine, monkeypatch) -> list:
    """The pings sent (SQLAlchemy's own ping, spied on)."""
    sent, ping = [], engine.dialect.do_ping

    def spy(dbapi_connection):
        sent.append(dbapi_connection)
        return ping(dbapi_connection)

    monkeypatch.setattr(engine.dialect, "do_ping", spy)
    return sent


@pytest.fixture
def admin(postgres_url):
    engine = make_engine(postgres_url)
    yield engine
    engine.dispose()


def backend_pid(engine) -> int:
    """The server process of the connection the pool hands out (a query on it, so it works)."""
    with engine.connect() as conn:
        return conn.execute(text("SELECT pg_backend_pid()")).scalar_one()


def terminate(admin, pid: int) -> None:
    """End a connection's server process, as a restart or an administrator would (waits until it is gone)."""
    with admin.connect() as conn:
        assert conn.execute(text("SELECT pg_terminate_backend(:pid, 10000)"), {"pid": pid}).scalar_one()


def test_a_connection_used_recently_is_handed_out_without_a_ping(engine, clock, pings):
    first = backend_pid(engine)
    clock.now += IDLE_S - 1
    assert backend_pid(engine) == first
    assert pings == []


def test_a_connection_idle_too_long_is_pinged_first(engine, clock, pings):
    first = backend_pid(engine)
    clock.now += IDLE_S + 1
    assert backend_pid(engine) == first
    assert len(pings) == 1


def test_a_connection_the_server_closed_is_replaced_unseen(engine, admin, pings):
    first = backend_pid(engine)
    terminate(admin, first)
    assert backend_pid(engine) != first  # a new connection, and no error
    assert pings == []  # seen on the socket, without a round trip


def test_a_dead_connection_idle_too_long_fails_its_ping_and_is_replaced(engine, admin, clock, pings):
    first = backend_pid(engine)
    terminate(admin, first)
    clock.now += IDLE_S + 1
    assert backend_pid(engine) != first
    assert len(pings) == 1


def test_without_the_check_the_dead_connection_reaches_the_caller(postgres_url, admin):
    """What the check spares a request: the same dead connection, handed out unchecked, fails."""
    unchecked = create_engine(normalise_url(postgres_url), pool_size=1)
    try:
        first = backend_pid(unchecked)
        terminate(admin, first)
        with pytest.raises(OperationalError):
            backend_pid(unchecked)
    finally:
        unchecked.dispose()
