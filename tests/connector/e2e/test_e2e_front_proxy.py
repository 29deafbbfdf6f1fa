"""The documented production setup: the project's nginx configuration in front of the connector's
gunicorn (2 workers admitting 4 requests each, on 2 x 4 + 1 threads: the defaults). 50 slow
clients (headers sent one byte at a time, headers half sent and then nothing) hold connections; a
normal request is still answered within 2 s through nginx. Sent straight to gunicorn, the same
clients starve it: the control shows the threat is real in the same run."""

from __future__ import annotations

import base64
import contextlib
import http.client
import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from connector.api.admission import Admission
from connector.serving import ServerSettings
from tests.conftest import API_TOKEN
from tests.support.nginx import Nginx
from tests.support.servers import ConnectorServer, connector_env, run_cli

pytestmark = pytest.mark.e2e

SLOW_CLIENTS = 50
# A worker's threads, by default: more than the requests it admits (the spare ones serve liveness).
GUNICORN_THREADS = Admission.threads(ServerSettings().threads)
ANSWER_WITHIN_S = 2.0


@pytest.fixture(scope="module")
def gunicorn(tmp_path_factory, _webitel_emulator_server_session):
    emulator = _webitel_emulator_server_session
    url = f"sqlite:///{tmp_path_factory.mktemp('front-proxy') / 'connector.sqlite'}"
    env = connector_env(database_url=url, webitel_url=emulator.base_url, webitel_token=emulator.token,
                        api_token=API_TOKEN, CONNECTOR_LOG_LEVEL="INFO")
    assert run_cli("migrate", env=env).returncode == 0
    server = ConnectorServer(env, workers=None, threads=None)  # the defaults: 2 workers, 4 requests admitted each
    yield server
    server.stop()


@pytest.fixture(scope="module")
def nginx(gunicorn, tmp_path_factory):
    proxy = Nginx(f"127.0.0.1:{gunicorn.port}", tmp_path_factory.mktemp("nginx"))
    yield proxy
    proxy.stop()


def _accepted_by(port: int) -> dict[int, int]:
    """The established connections to ``port`` (server side, IPv4 loopback): client port -> socket inode."""
    accepted = {}
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote, state, inode = fields[1], fields[2], fields[3], int(fields[9])
        if state == "01" and int(local.split(":")[1], 16) == port and inode:
            accepted[int(remote.split(":")[1], 16)] = inode
    return accepted


def _held_by(pid: int, inodes: set[int]) -> int:
    """How many of the sockets ``inodes`` the process ``pid`` holds open."""
    held = 0
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):
            target = os.readlink(fd)
            held += target.startswith("socket:[") and int(target[8:-1]) in inodes
    return held


@contextmanager
def slow_clients(port: int, count: int = SLOW_CLIENTS, *, workers: list[int] | None = None,
                 threads: int = 0) -> Iterator[None]:
    """Half of them send their headers one byte every 0.1 s and never finish; the other half send
    half their headers at once and then nothing. All are closed at the end.

    Waits until the server has accepted every one; with ``workers`` (gunicorn's worker pids) until
    each worker holds at least ``threads`` of them (every thread busy reading a request that never
    ends), adding clients while the workers' shares are uneven: starving is then a fact, not a guess."""
    head = b"GET /api/v1/health/live HTTP/1.1\r\nHost: connector\r\nUser-Agent: slow\r\n"
    sockets: list[socket.socket] = []
    trickling: list[socket.socket] = []

    def connect(trickle: bool) -> None:
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        sockets.append(s)
        if trickle:
            trickling.append(s)
        else:
            s.sendall(head[: len(head) // 2])

    for index in range(count):
        connect(trickle=index < count // 2)
    stop = threading.Event()

    def trickle() -> None:
        position = 0
        payload = head + b"X-Padding: " + b"a" * 10_000  # never reaches the blank line
        while not stop.wait(0.1) and position < len(payload):
            for s in list(trickling):
                with contextlib.suppress(OSError):  # dropped by the server: it is no longer held
                    s.send(payload[position:position + 1])
            position += 1

    feeder = threading.Thread(target=trickle, daemon=True)
    feeder.start()
    try:
        deadline = time.monotonic() + 60
        while True:
            accepted = _accepted_by(port)
            ours = {accepted[s.getsockname()[1]] for s in sockets if s.getsockname()[1] in accepted}
            if len(ours) == len(sockets):
                shares = [_held_by(pid, ours) for pid in workers or []]
                if all(share >= threads for share in shares):
                    break
                if sum(shares) == len(ours):  # every client is with a worker: even the shares out
                    connect(trickle=False)
            assert time.monotonic() < deadline, f"the slow clients were not all taken: {len(ours)}/{len(sockets)}"
            time.sleep(0.05)
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
    with slow_clients(gunicorn.port, workers=gunicorn.worker_pids(), threads=GUNICORN_THREADS):
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
    deadline = time.monotonic() + 10
    while made not in nginx.access_log.read_text():  # nginx writes its line after the answer
        assert time.monotonic() < deadline, "nginx wrote no access line"
        time.sleep(0.02)
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
