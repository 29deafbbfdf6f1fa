"""The documented production setup: the project's nginx configuration in front of the connector's
gunicorn (2 workers x 4 threads, the defaults). 50 slow clients (headers sent one byte at a time,
headers half sent and then nothing) hold connections; a normal request is still answered within
2 s through nginx. Sent straight to gunicorn, the same clients starve it: the control shows the
threat is real in the same run."""

from __future__ import annotations

import base64
import contextlib
import http.client
import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from tests.conftest import API_TOKEN
from tests.support.nginx import Nginx
from tests.support.servers import ConnectorServer, connector_env, run_cli

pytestmark = pytest.mark.e2e

SLOW_CLIENTS = 50
ANSWER_WITHIN_S = 2.0


@pytest.fixture(scope="module")
def gunicorn(tmp_path_factory, _webitel_emulator_server_session):
    emulator = _webitel_emulator_server_session
    url = f"sqlite:///{tmp_path_factory.mktemp('front-proxy') / 'connector.sqlite'}"
    env = connector_env(database_url=url, webitel_url=emulator.base_url, webitel_token=emulator.token,
                        api_token=API_TOKEN, CONNECTOR_LOG_LEVEL="INFO")
    assert run_cli("migrate", env=env).returncode == 0
    server = ConnectorServer(env, workers=None, threads=None)  # the defaults: 2 workers x 4 threads
    yield server
    server.stop()


@pytest.fixture(scope="module")
def nginx(gunicorn, tmp_path_factory):
    proxy = Nginx(f"127.0.0.1:{gunicorn.port}", tmp_path_factory.mktemp("nginx"))
    yield proxy
    proxy.stop()


@contextmanager
def slow_clients(port: int, count: int = SLOW_CLIENTS) -> Iterator[None]:
    """Half of them send their headers one byte every 0.1 s and never finish; the other half send
    half their headers at once and then nothing. All are closed at the end."""
    head = b"GET /api/v1/health/live HTTP/1.1\r\nHost: connector\r\nUser-Agent: slow\r\n"
    sockets = []
    for _ in range(count):
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        sockets.append(s)
    trickling, half_sent = sockets[: count // 2], sockets[count // 2:]
    for s in half_sent:
        s.sendall(head[: len(head) // 2])
    stop = threading.Event()

    def trickle() -> None:
        position = 0
        payload = head + b"X-Padding: " + b"a" * 10_000  # never reaches the blank line
        while not stop.wait(0.1) and position < len(payload):
            for s in trickling:
                with contextlib.suppress(OSError):  # dropped by the server: it is no longer held
                    s.send(payload[position:position + 1])
            position += 1

    feeder = threading.Thread(target=trickle, daemon=True)
    feeder.start()
    try:
        time.sleep(0.5)  # every slow client has sent its first bytes
        yield
    finally:
        stop.set()
        feeder.join(5)
        for s in sockets:
            s.close()


def timed_get(url: str, **kwargs) -> tuple[float, httpx.Response | None]:
    started = time.perf_counter()
    try:
        response = httpx.get(url, timeout=ANSWER_WITHIN_S + 1, **kwargs)
    except httpx.TimeoutException:
        response = None
    return time.perf_counter() - started, response


def test_a_normal_request_is_answered_while_50_slow_clients_hold_connections(nginx, gunicorn):
    auth = {"Authorization": f"Bearer {API_TOKEN}"}
    with slow_clients(nginx.port):
        live_s, live = timed_get(f"{nginx.url}/api/v1/health/live")
        list_s, listed = timed_get(f"{nginx.url}/api/v1/webitel-users", headers=auth)
    print(f"\nthrough nginx, {SLOW_CLIENTS} slow clients: live {live_s * 1000:.0f} ms, "
          f"list {list_s * 1000:.0f} ms")
    assert live is not None and live.status_code == 200 and live_s < ANSWER_WITHIN_S
    assert listed is not None and listed.status_code == 200 and list_s < ANSWER_WITHIN_S


def test_control_the_same_slow_clients_starve_gunicorn_without_the_proxy(gunicorn):
    with slow_clients(gunicorn.port):
        waited_s, response = timed_get(f"{gunicorn.url}/health/live")
    print(f"\nstraight to gunicorn, {SLOW_CLIENTS} slow clients: "
          f"{'no answer' if response is None else response.status_code} after {waited_s * 1000:.0f} ms")
    assert response is None or waited_s >= ANSWER_WITHIN_S, "gunicorn was not starved: the test proves nothing"
    # Once they are gone, gunicorn serves again.
    assert httpx.get(f"{gunicorn.url}/health/live", timeout=10).status_code == 200


def test_the_proxy_passes_the_request_id_and_logs_no_credential(nginx):
    basic = "Basic " + base64.b64encode(f"{API_TOKEN}:".encode()).decode()
    sent = httpx.get(f"{nginx.url}/api/v1/webitel-users", params={"token": API_TOKEN},
                     headers={"Authorization": basic, "X-Request-ID": "via-nginx-1"})
    assert sent.status_code == 401 and sent.headers["X-Request-ID"] == "via-nginx-1"
    made = httpx.get(f"{nginx.url}/api/v1/health/live").headers["X-Request-ID"]
    assert len(made) == 32  # nginx's $request_id, used by the connector too
    time.sleep(0.2)
    lines = [json.loads(line) for line in nginx.access_log.read_text().splitlines() if line.strip()]
    assert {"request_id": "via-nginx-1", "path": "/api/v1/webitel-users", "status": 401}.items() <= next(
        line for line in lines if line["request_id"] == "via-nginx-1").items()
    assert any(line["request_id"] == made for line in lines)
    text = nginx.access_log.read_text()
    assert API_TOKEN not in text and basic.split()[1] not in text


def test_the_proxy_refuses_what_the_connector_does_not_serve_in_the_contracts_shape(nginx):
    # Announced, not sent: nginx answers from the headers alone (sending the body too would race
    # nginx closing the connection after its answer).
    connection = http.client.HTTPConnection("127.0.0.1", nginx.port, timeout=10)
    connection.putrequest("POST", "/api/v1/webitel-users")
    connection.putheader("Content-Type", "application/json")
    connection.putheader("Content-Length", str(2 * 1024 * 1024))
    connection.endheaders()
    too_large = connection.getresponse()
    assert too_large.status == 413 and json.loads(too_large.read())["error"]["code"] == "payload_too_large"
    connection.close()
    for path in ("/metrics", "/", "/index.html"):
        response = httpx.get(f"{nginx.url}{path}")
        assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


def test_with_or_without_the_proxy_a_body_over_1_mb_gets_the_same_413(gunicorn, nginx):
    """The connector's own limit (CONNECTOR_MAX_BODY_BYTES) is nginx's: the same answer either way."""
    answers = []
    for port in (gunicorn.port, nginx.port):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.putrequest("POST", "/api/v1/webitel-users")
        connection.putheader("Authorization", f"Bearer {API_TOKEN}")
        connection.putheader("Content-Type", "application/json")
        connection.putheader("Content-Length", str(1024 * 1024 + 1))
        connection.endheaders()
        response = connection.getresponse()
        answers.append((response.status, json.loads(response.read())))
        connection.close()
    assert answers[0] == answers[1] == (413, {"error": {"code": "payload_too_large",
                                                        "message": "The request body is larger than 1 MB"}})
