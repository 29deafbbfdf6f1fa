"""The fault runs over real sockets: a PostgreSQL database, the emulator on a port, the connector under
gunicorn with short Webitel timeouts and no background reconciler (the tests run the pass), and the
reconciler in the test's own process on the same database and emulator."""

from __future__ import annotations

import httpx
import pytest

from connector.app import create_app, dispose
from connector.config import Config
from tests.conftest import API_TOKEN
from tests.support.databases import truncate_all
from tests.support.fault_matrix import HttpApi
from tests.support.servers import ConnectorServer, connector_env, run_cli

READ_TIMEOUT_S, HORIZON_S = 0.4, 1.0


def settings(**extra: str) -> dict[str, str]:
    return {"CONNECTOR_WEBITEL_READ_TIMEOUT_S": str(READ_TIMEOUT_S), "CONNECTOR_WEBITEL_BACKOFF_S": "0.05",
            "CONNECTOR_LATE_WRITE_HORIZON_S": str(HORIZON_S), "CONNECTOR_RECONCILE_INTERVAL_S": "0", **extra}


@pytest.fixture(scope="module")
def database(postgres):
    url = postgres.create_database("connector_faults")
    yield url
    postgres.drop_database(url)


@pytest.fixture(scope="module")
def served(_webitel_emulator_server_session):
    return _webitel_emulator_server_session


@pytest.fixture(scope="module")
def server(database, served):
    env = connector_env(database_url=database, webitel_url=served.base_url, webitel_token=served.token,
                        api_token=API_TOKEN, **settings())
    migrated = run_cli("migrate", env=env)
    assert migrated.returncode == 0, migrated.stderr
    running = ConnectorServer(env, workers=2, threads=8)
    yield running
    running.stop()


@pytest.fixture(scope="module")
def reconciler_app(database, served):
    """The reconciler, in this process, on the same database and the same emulator over HTTP."""
    app = create_app(Config(api_token=API_TOKEN, database_url=database, webitel_url=served.base_url,
                            webitel_token=served.token, webitel_backoff_s=0.05, reconcile_interval_s=0,
                            late_write_horizon_s=HORIZON_S))
    yield app
    dispose(app)


@pytest.fixture
def emulator(served, server, database):
    served.fresh()
    truncate_all(database)
    return served


@pytest.fixture
def api(server, emulator):
    with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {API_TOKEN}"}, timeout=30) as client:
        yield HttpApi(client)
