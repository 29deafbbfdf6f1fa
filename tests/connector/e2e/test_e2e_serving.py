"""``webitel-connector serve`` as production runs it: gunicorn's size from flags or the environment,
and a graceful stop (SIGTERM lets the requests in flight finish)."""

from __future__ import annotations

import concurrent.futures
import os
import signal
import time

import httpx
import pytest

from tests.conftest import API_TOKEN
from tests.support.servers import ConnectorServer, connector_env, free_port, run_cli

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def database_url(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('serving') / 'connector.sqlite'}"
    env = connector_env(database_url=url, webitel_url="http://127.0.0.1:9/api", webitel_token="t", api_token="t")
    assert run_cli("migrate", env=env).returncode == 0
    return url


@pytest.fixture
def env(database_url, webitel_emulator_server):
    return connector_env(database_url=database_url, webitel_url=webitel_emulator_server.base_url,
                         webitel_token=webitel_emulator_server.token, api_token=API_TOKEN,
                         CONNECTOR_LOG_LEVEL="INFO")


def wait_for(predicate, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_workers_come_from_the_environment_and_a_flag_wins(env):
    server = ConnectorServer({**env, "CONNECTOR_WORKERS": "3", "CONNECTOR_THREADS": "2"}, workers=None, threads=None)
    try:
        wait_for(lambda: len(server.worker_pids()) == 3)
        assert "3 worker(s) x 2 thread(s)" in server.output()
    finally:
        server.stop()
    server = ConnectorServer({**env, "CONNECTOR_WORKERS": "3"}, workers=1, threads=None)
    try:
        wait_for(lambda: len(server.worker_pids()) == 1)
        assert "1 worker(s) x 4 thread(s)" in server.output()
    finally:
        server.stop()


@pytest.mark.parametrize(("name", "value", "message"), [
    ("CONNECTOR_WORKERS", "two", "CONNECTOR_WORKERS: expected a whole number, got 'two'"),
    ("CONNECTOR_THREADS", "0", "CONNECTOR_THREADS must be 1 or more"),
    ("CONNECTOR_GRACEFUL_TIMEOUT_S", "-1", "CONNECTOR_GRACEFUL_TIMEOUT_S must be 1 or more"),
])
def test_a_malformed_server_setting_is_refused(env, name, value, message):
    result = run_cli("serve", "--port", str(free_port()), env={**env, name: value}, timeout=30)
    assert result.returncode == 2 and message in result.stderr


def test_sigterm_lets_requests_in_flight_finish(env, webitel_emulator_server):
    server = ConnectorServer(env, workers=1, threads=2)
    try:
        # Readiness asks Webitel, which answers after 1.5 s: the request is in flight when SIGTERM comes.
        webitel_emulator_server.add_fault(method="GET", path="/api/userinfo", action="delay", delay_ms=1500)
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            pending = pool.submit(httpx.get, f"{server.url}/health/ready", timeout=10)
            time.sleep(0.5)
            assert not pending.done()
            os.kill(server.process.pid, signal.SIGTERM)  # the master only, as a container stop does
            response = pending.result()
        assert response.status_code == 200 and response.json()["status"] == "ok"
        assert server.process.wait(15) == 0
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"{server.url}/health/live", timeout=2)
    finally:
        server.stop()
