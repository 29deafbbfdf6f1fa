"""``webitel-connector serve`` as production runs it: gunicorn's size from flags or the environment,
and a graceful stop (SIGTERM lets the requests in flight finish)."""

from __future__ import annotations

import concurrent.futures
import os
import re
import signal
import time
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

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
            wait_for(lambda: webitel_emulator_server.in_flight() > 0)  # the connector waits on Webitel
            assert not pending.done()
            os.kill(server.process.pid, signal.SIGTERM)  # the master only, as a container stop does
            response = pending.result()
        assert response.status_code == 200 and response.json()["status"] == "ok"
        assert server.process.wait(15) == 0
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"{server.url}/health/live", timeout=2)
    finally:
        server.stop()


def live_requests_counted(server: ConnectorServer) -> float:
    text = httpx.get(server.url.removesuffix("/api/v1") + "/metrics", timeout=5).text
    return sum(sample.value for family in text_string_to_metric_families(text) for sample in family.samples
               if sample.name == "connector_http_requests_total" and sample.labels["route"] == "/api/v1/health/live")


def test_metrics_add_up_over_every_worker_and_their_folder_goes_with_the_server(env):
    server = ConnectorServer(env, workers=2, threads=2)
    try:
        wait_for(lambda: len(server.worker_pids()) == 2)
        before = live_requests_counted(server)
        for _ in range(30):  # a new connection each: both workers take some
            assert httpx.get(f"{server.url}/health/live", headers={"Connection": "close"}).status_code == 200
        assert live_requests_counted(server) == before + 30
        folder = Path(re.search(r"metrics of every worker in (\S+)\"", server.output()).group(1))
        assert len(list(folder.glob("counter_*.db"))) >= 2, "one file per worker"
    finally:
        server.stop()
    assert not folder.exists()


def test_a_given_metrics_folder_is_emptied_of_the_last_run(env, tmp_path):
    stale = tmp_path / "counter_999999.db"
    stale.write_bytes(b"left by the last run")
    server = ConnectorServer({**env, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}, workers=1, threads=2)
    try:
        assert not stale.exists()
        assert live_requests_counted(server) >= 1  # the readiness wait's own requests
    finally:
        server.stop()
    assert tmp_path.exists()
