"""Fixtures shared by the connector's tests: databases (SQLite and PostgreSQL), the connector app
wired to the in-process Webitel emulator and to its Creatio side (embedded by default; the OData
stand-in or a live Creatio with ``both_creatio_sides``), and its API client."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import ExitStack

import pytest

from connector.app import create_app, dispose
from connector.config import Config
from connector.migrate import upgrade
from tests.support.creatio import CreatioUnderTest, records_for, under_test_for
from tests.support.databases import sqlite_copy, sqlite_template, truncate_all
from tests.support.postgres import PostgresServer, PostgresUnavailable, postgres_server
from tests.support.verbs import HttpVerbs

API_TOKEN = "test-api-token"


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """TEST_DATABASE_URL's server, or a throwaway cluster for this session."""
    stack = ExitStack()
    try:
        server = stack.enter_context(postgres_server())
    except PostgresUnavailable as exc:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required in CI: {exc}")
        pytest.skip(f"no PostgreSQL here: {exc} (install PostgreSQL or set TEST_DATABASE_URL)")
    with stack:
        yield server


@pytest.fixture(scope="session")
def postgres_database(postgres: PostgresServer) -> Iterator[str]:
    """A migrated database of this session (one per xdist worker)."""
    url = postgres.create_database()
    upgrade(url)
    yield url
    postgres.drop_database(url)


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory):
    return sqlite_template(tmp_path_factory.mktemp("sqlite-template"))


@pytest.fixture
def postgres_url(postgres_database: str) -> str:
    """An empty, migrated PostgreSQL database for this test."""
    truncate_all(postgres_database)
    return postgres_database


@pytest.fixture
def sqlite_url(_sqlite_template, tmp_path) -> str:
    return sqlite_copy(_sqlite_template, tmp_path)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request) -> str:
    """An empty, migrated database for this test: the test runs once on SQLite, once on PostgreSQL."""
    return request.getfixturevalue(f"{request.param}_url")


@pytest.fixture
def emulator(webitel_emulator):
    return webitel_emulator


def connector_config(database_url: str, emulator, **overrides) -> Config:
    settings = {"api_token": API_TOKEN, "database_url": database_url, "webitel_url": emulator.base_url,
                "webitel_token": emulator.token, "webitel_backoff_s": 0.0,
                "reconcile_interval_s": 0, **overrides}
    return Config(**settings)


@pytest.fixture
def config_overrides() -> dict:
    """Override in a module to change the connector's settings for its tests."""
    return {}


@pytest.fixture
def creatio_kind(request) -> str:
    """The app's Creatio side: "embedded", unless the test runs on both (``both_creatio_sides``)."""
    return getattr(request, "param", "embedded")


@pytest.fixture
def creatio_under_test(request, creatio_kind) -> CreatioUnderTest:
    """The embedded store, the Creatio stand-in, or a live Creatio (CREATIO_URL; see tests/support/creatio.py)."""
    under_test = under_test_for(creatio_kind)
    if under_test.live and request.node.get_closest_marker("stand_in"):
        pytest.skip("needs the Creatio stand-in (its control, or a Creatio holding only the test's records)")
    return under_test


@pytest.fixture
def app(database_url, emulator, config_overrides, creatio_under_test):
    app = create_app(connector_config(database_url, emulator, **{**creatio_under_test.config, **config_overrides}),
                     webitel_transport=emulator.transport, creatio_transport=creatio_under_test.transport)
    yield app
    dispose(app)


@pytest.fixture
def creatio(app):
    """The app's Creatio side (``CreatioSide``)."""
    return app.extensions["connector"].creatio


@pytest.fixture
def creatio_records(creatio, creatio_under_test):
    """Puts a test's Creatio records into the side under test (and removes them from a live Creatio)."""
    records = records_for(creatio_under_test, creatio)
    yield records
    records.cleanup()


@pytest.fixture
def creatio_stand_in(creatio_under_test):
    """The stand-in behind the app's OData side (a test using it runs on the ``odata`` side only)."""
    if creatio_under_test.stand_in is None:
        pytest.skip("needs the Creatio stand-in")
    return creatio_under_test.stand_in


class ApiClient(HttpVerbs):
    """Flask's test client with the connector's bearer token on every request."""

    def __init__(self, app, token: str | None = API_TOKEN) -> None:
        self.client = app.test_client()
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def request(self, method: str, path: str, **kwargs):
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return self.client.open(path, method=method, headers=headers, **kwargs)







@pytest.fixture
def api(app) -> ApiClient:
    return ApiClient(app)


@pytest.fixture
def session(app):
    with app.extensions["connector"].sessions() as session:
        yield session


@pytest.fixture
def webitel(app):
    """The connector's own Webitel client (in process, to the emulator)."""
    return app.extensions["connector"].webitel
