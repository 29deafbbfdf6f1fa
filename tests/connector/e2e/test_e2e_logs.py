"""The logs of the deployed pair: the connector under gunicorn and the emulator's console script.
Every line is one JSON object; the connector's access line and Webitel call lines carry the
request id, which reaches Webitel (the emulator's access log shows it); no token ever appears,
also when a client wrongly sends it as Basic auth or in the query."""

from __future__ import annotations

import base64
import json

import httpx
import pytest

from tests.support.servers import ConnectorServer, EmulatorProcess, connector_env, run_cli

pytestmark = pytest.mark.e2e

API_TOKEN = "api-token-Zq81xVw"  # distinctive, to search the logs for
WEBITEL_TOKEN = "demo-admin-token"


def json_lines(output: str) -> list[dict]:
    lines = [line for line in output.splitlines() if line.strip()]
    parsed = []
    for line in lines:
        try:
            parsed.append(json.loads(line))
        except ValueError:
            raise AssertionError(f"not a JSON line: {line!r}") from None
    return parsed


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    emulator = EmulatorProcess("--access-log")
    url = f"sqlite:///{tmp_path_factory.mktemp('logs') / 'connector.sqlite'}"
    env = connector_env(database_url=url, webitel_url=emulator.base_url, webitel_token=WEBITEL_TOKEN,
                        api_token=API_TOKEN, CONNECTOR_LOG_LEVEL="INFO")
    migrated = run_cli("migrate", env=env)
    connector = ConnectorServer(env, workers=2, threads=2)
    yield connector, emulator, migrated
    connector.stop()
    emulator.stop()


def test_logs_are_json_with_request_ids_passed_on_and_no_secret(served):
    connector, emulator, migrated = served
    auth = {"Authorization": f"Bearer {API_TOKEN}"}
    with httpx.Client(base_url=connector.url, timeout=30) as client:
        user = client.post("/creatio/users", headers=auth, json={"name": "agarcia", "contact_name": "Ana Garcia",
                                                                 "type": "employee"}).json()
        created = client.post("/webitel-users", headers={**auth, "X-Request-ID": "trace-create-1"},
                              json={"user_id": user["id"], "extension": "1010"})
        assert created.status_code == 201 and created.headers["X-Request-ID"] == "trace-create-1"
        # The token where it does not belong: as a Basic user, as a Basic password, in the query.
        for wrong in (f"{API_TOKEN}:", f"user:{API_TOKEN}"):
            basic = "Basic " + base64.b64encode(wrong.encode()).decode()
            assert client.get("/webitel-users", headers={"Authorization": basic}).status_code == 401
        assert client.get("/webitel-users", params={"access_token": API_TOKEN}).status_code == 401
    connector_log, emulator_log = connector.stop(), emulator.stop()

    for output in (connector_log, emulator_log, migrated.stdout + migrated.stderr):
        assert API_TOKEN not in output and WEBITEL_TOKEN not in output
        assert base64.b64encode(f"{API_TOKEN}:".encode()).decode() not in output
    connector_lines = json_lines(connector_log)
    access = [line for line in connector_lines if line["logger"] == "connector.access"]
    create = next(line for line in access if line["request_id"] == "trace-create-1")
    assert create["method"] == "POST" and create["path"] == "/api/v1/webitel-users" and create["status"] == 201
    assert create["duration_ms"] > 0
    assert [line["status"] for line in access].count(401) == 3
    assert all(line["path"] == "/api/v1/webitel-users" for line in access if line["status"] == 401)  # no query
    calls = [line for line in connector_lines if line["logger"] == "connector.webitel.calls"
             and line["request_id"] == "trace-create-1"]
    assert {"method": "POST", "path": "/users", "status": 200, "outcome": "ok"}.items() <= next(
        line for line in calls if line["method"] == "POST").items()
    assert all(line["duration_ms"] >= 0 for line in calls)
    # Webitel got the id: the emulator's access log has the connector's calls under it.
    seen_by_webitel = [line for line in json_lines(emulator_log) if line.get("request_id") == "trace-create-1"]
    assert ("POST", "/api/users") in {(line["method"], line["path"]) for line in seen_by_webitel}
    assert len(seen_by_webitel) == len(calls)
