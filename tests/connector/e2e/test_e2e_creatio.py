"""End to end with a live Creatio: the Creatio stand-in on a real port, the connector under
gunicorn (two workers) reading it over OData, the Webitel emulator on its port."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import API_TOKEN
from tests.support.creatio import STAND_IN_PASSWORD, STAND_IN_USERNAME, new_stand_in
from tests.support.servers import ConnectorServer, connector_env, run_cli

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def stand_in():
    stand_in = new_stand_in()
    with stand_in.serve() as url:
        yield stand_in, url


@pytest.fixture(scope="module")
def server(stand_in, _webitel_emulator_server_session, tmp_path_factory):
    emulator = _webitel_emulator_server_session
    database = f"sqlite:///{tmp_path_factory.mktemp('e2e-creatio') / 'connector.sqlite'}"
    env = connector_env(database_url=database, webitel_url=emulator.base_url, webitel_token=emulator.token,
                        api_token=API_TOKEN, CONNECTOR_CREATIO_URL=stand_in[1],
                        CONNECTOR_CREATIO_USERNAME=STAND_IN_USERNAME, CONNECTOR_CREATIO_PASSWORD=STAND_IN_PASSWORD,
                        CONNECTOR_LOG_LEVEL="DEBUG")
    migrated = run_cli("migrate", env=env)
    assert migrated.returncode == 0, migrated.stderr
    server = ConnectorServer(env)
    yield server
    output = server.stop()
    assert STAND_IN_PASSWORD not in output  # nor in the DEBUG log of two workers


@pytest.fixture
def api(server):
    with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {API_TOKEN}"}, timeout=30) as client:
        yield client


def test_the_connector_reads_creatios_users_and_renews_its_sessions(api, stand_in):
    creatio, _url = stand_in
    user_id = creatio.add_system_user("e2e-user", "End Toend", account="Acme")
    for _ in range(4):  # both workers sign in on their first request
        assert api.get(f"/creatio/users/{user_id}").json()["contact"]["name"] == "End Toend"
    logins = creatio.logins
    creatio.expire_sessions()
    for _ in range(8):
        assert api.get("/creatio/users", params={"q": "e2e-user"}).json()["total"] == 1
    assert 1 <= creatio.logins - logins <= 2  # at most one new login per worker


def test_users_are_not_created_here_and_health_reports_creatio(api, stand_in):
    response = api.post("/creatio/users", json={"name": "x", "contact_name": "X", "type": "employee"})
    assert response.status_code == 405 and response.json()["error"]["code"] == "method_not_allowed"
    health = api.get("/health").json()
    assert health["status"] == "ok" and health["creatio"]["ok"] is True
