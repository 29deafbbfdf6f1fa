"""``webitel-emulator`` as a user runs it: a subprocess under gunicorn on a free port (issue 2, "Done when")."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.e2e

SCRIPT = Path(sys.executable).with_name("webitel-emulator")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Served:
    process: subprocess.Popen[str]
    base_url: str  # .../api
    tokens: dict[str, str]  # by domain name, from the banner

    def client(self, domain: str | None = None, timeout: float = 5) -> httpx.Client:
        token = self.tokens[domain] if domain else next(iter(self.tokens.values()))
        return httpx.Client(base_url=self.base_url, headers={"X-Webitel-Access": token}, timeout=timeout)


def start(*args: str) -> Served:
    """Start the console script, wait until it answers, and read its banner."""
    process = subprocess.Popen([str(SCRIPT), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None and process.stderr is not None  # both piped
    first = process.stdout.readline()
    match = re.match(r"Webitel emulator: (http://\S+)/api", first)
    if match is None:
        process.kill()
        raise AssertionError(f"no banner: {first!r} {process.stderr.read()}")
    root = match.group(1)
    deadline = time.monotonic() + 15
    while True:
        try:
            state = httpx.get(f"{root}/__emulator__/state", timeout=1)
            if state.status_code == 200:
                break
        except httpx.TransportError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise AssertionError(f"the emulator did not start: {process.stderr.read()}")
        time.sleep(0.05)
    # One banner line per domain follows the first (printed before serving, so already in the pipe).
    tokens = {}
    for _ in state.json()["domains"]:
        found = re.match(r"\s+domain '([^']+)': X-Webitel-Access: (\S+)$", process.stdout.readline())
        assert found, "a banner line per domain"
        tokens[found.group(1)] = found.group(2)
    return Served(process, f"{root}/api", tokens)


def stop(served: Served) -> None:
    served.process.terminate()
    try:
        served.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        served.process.kill()
        served.process.wait()
    assert served.process.stdout is not None and served.process.stderr is not None  # both piped
    served.process.stdout.close()
    served.process.stderr.close()


@pytest.fixture(scope="module")
def demo() -> Iterator[Served]:
    served = start("--port", str(free_port()))
    yield served
    stop(served)


def test_it_prints_the_base_url_and_the_admin_token(demo):
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/api", demo.base_url)
    assert demo.tokens == {"demo": "demo-admin-token"}


def test_a_user_created_with_generate_device_has_a_default_device(demo):
    with demo.client() as client:
        response = client.post("/users", params={"generate_device": "true"},
                               json={"username": "cli_ann", "name": "Ann", "extension": "5101"})
        assert response.status_code == 200, response.text
        user = response.json()
        assert user["device"]["id"] and user["device"]["id"] in [d["id"] for d in user["devices"]]
        second = client.post("/users", json={"username": "cli_bob", "extension": "5101"})
        assert second.status_code == 409
        assert second.json()["id"] == "app.user.extension.conflict.error"
        client.delete(f"/users/{user['id']}", params={"permanent": "true"})


def test_faults_work_under_gunicorn(demo):
    with demo.client() as client:
        control = httpx.Client(base_url=demo.base_url.removesuffix("/api") + "/__emulator__", timeout=5)
        control.post("/faults", json={"path": "/api/roles", "action": "reset", "times": 1})
        with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
            client.get("/roles")
        assert client.get("/roles").status_code == 200
        control.post("/faults", json={"path": "/api/roles", "action": "timeout", "delay_ms": 300, "times": 1})
        with demo.client(timeout=0.1) as impatient, pytest.raises(httpx.ReadTimeout):
            impatient.get("/roles")
        assert client.get("/roles").status_code == 200
        control.close()


def test_metrics_openapi_and_request_ids_under_gunicorn(demo):
    root = demo.base_url.removesuffix("/api")
    with demo.client() as client, httpx.Client(base_url=root, timeout=5) as plain:
        assert client.get("/users", headers={"X-Request-ID": "cli-req-1"}).status_code == 200
        journal = plain.get("/__emulator__/requests", params={"limit": 1}).json()["items"]
        assert journal[-1]["request_id"] == "cli-req-1"
        metrics = plain.get("/metrics")
        assert metrics.status_code == 200
        assert 'webitel_emulator_requests_total{method="GET",operation="SearchUsers",status="200"}' in metrics.text
        document = plain.get("/__emulator__/openapi.json").json()
        assert document["swagger"] == "2.0" and "/users/{id}" in document["paths"]


SEED_YAML = """
domains:
  - name: yamlcorp
    admin: {username: boss, password: boss-pass, token: yaml-admin-token}
    licenses: [{id: cc-1, product: CALL_CENTER, limit: 1, not_after: 2999-01-01}]
    users:
      - {username: ann, name: Ann, extension: "1001", licenses: [cc-1]}
"""


def test_a_yaml_seed(tmp_path):
    seed = tmp_path / "seed.yaml"
    seed.write_text(SEED_YAML)
    served = start("--port", str(free_port()), "--seed", str(seed))
    try:
        assert served.tokens == {"yamlcorp": "yaml-admin-token"}
        with served.client() as client:
            assert [u["username"] for u in client.get("/users").json()["items"]] == ["boss", "ann"]
            license = client.get("/license").json()["items"][0]
            assert license["status"]["errors"] == ["product exhausted"]
    finally:
        stop(served)


@pytest.mark.parametrize("name, text, message", [
    ("dup.json", json.dumps({"domains": [{"name": "d", "users": [{"username": "a", "extension": "1"},
                                                                   {"username": "b", "extension": "1"}]}]}),
     r"domains\[0\]\.users\[1\]: app\.user\.extension\.conflict\.error"),
    ("broken.yaml", "domains: [", r"broken\.yaml: not valid YAML"),
    ("list.json", "[]", r"seed: expected dict"),
    ("missing.json", None, r"missing\.json"),
])
def test_a_bad_seed_exits_non_zero_with_a_clear_message(tmp_path, name, text, message):
    path = tmp_path / name
    if text is not None:
        path.write_text(text)
    done = subprocess.run([str(SCRIPT), "--port", str(free_port()), "--seed", str(path)],
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 2
    assert done.stderr.startswith("webitel-emulator: cannot load the seed:")
    assert re.search(message, done.stderr), done.stderr
    assert done.stdout == ""
