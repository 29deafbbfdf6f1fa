"""End to end: the emulator on a real port, the connector under gunicorn in a subprocess, and a
database that is PostgreSQL (and SQLite, for the contract's flows)."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import API_TOKEN
from tests.support.databases import truncate_all
from tests.support.servers import ConnectorServer, connector_env, run_cli


@pytest.fixture(scope="module")
def _served_emulator(_webitel_emulator_server_session):
    return _webitel_emulator_server_session


@pytest.fixture(scope="module", params=["postgres", "sqlite"])
def e2e_database(request, tmp_path_factory):
    if request.param == "postgres":
        server = request.getfixturevalue("postgres")
        url = server.create_database("connector_e2e")
        yield url
        server.drop_database(url)
    else:
        folder = tmp_path_factory.mktemp("e2e-sqlite")
        yield f"sqlite:///{folder / 'connector.sqlite'}"


def _env(database_url, emulator, **extra):
    return connector_env(database_url=database_url, webitel_url=emulator.base_url, webitel_token=emulator.token,
                         api_token=API_TOKEN, **extra)


@pytest.fixture(scope="module")
def connector_server(e2e_database, _served_emulator):
    env = _env(e2e_database, _served_emulator, CONNECTOR_WEBITEL_READ_TIMEOUT_S="2",
               CONNECTOR_WEBITEL_BACKOFF_S="0.05")
    migrated = run_cli("migrate", env=env)
    assert migrated.returncode == 0, migrated.stderr
    server = ConnectorServer(env)
    yield server
    server.stop()


@pytest.fixture
def emulator(_served_emulator, connector_server, e2e_database):
    """The served emulator, fresh, with an empty connector database (the server keeps running)."""
    _served_emulator.fresh()
    if e2e_database.startswith("sqlite"):
        _empty_sqlite(e2e_database)
    else:
        truncate_all(e2e_database)
    return _served_emulator


def _empty_sqlite(url: str) -> None:
    from sqlalchemy import create_engine, text

    from connector.models import Base

    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            for table in reversed(Base.metadata.sorted_tables):
                conn.execute(text(f'DELETE FROM "{table.name}"'))
    finally:
        engine.dispose()


@pytest.fixture
def api(connector_server, emulator):
    with httpx.Client(base_url=connector_server.url, headers={"Authorization": f"Bearer {API_TOKEN}"},
                      timeout=30) as client:
        yield client

