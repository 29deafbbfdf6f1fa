"""A PostgreSQL connection the server closed (a restart, an administrator, an idle timeout) is
replaced before a request sees it: the pool pings a connection before handing it out."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from connector.db import make_engine, normalise_url

pytestmark = pytest.mark.postgres


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
    """End a connection's server process (waits until it is gone)."""
    with admin.connect() as conn:
        assert conn.execute(text("SELECT pg_terminate_backend(:pid, 10000)"), {"pid": pid}).scalar_one()


def test_a_connection_the_server_closed_is_replaced_unseen(postgres_url, admin):
    engine = make_engine(postgres_url, pool_size=1)
    try:
        first = backend_pid(engine)
        terminate(admin, first)
        assert backend_pid(engine) != first  # a new connection, and no error
    finally:
        engine.dispose()


def test_without_the_ping_the_dead_connection_reaches_the_caller(postgres_url, admin):
    """What the ping spares a request: the same dead connection, handed out unchecked, fails."""
    unchecked = create_engine(normalise_url(postgres_url), pool_size=1)
    try:
        first = backend_pid(unchecked)
        terminate(admin, first)
        with pytest.raises(OperationalError):
            backend_pid(unchecked)
    finally:
        unchecked.dispose()
