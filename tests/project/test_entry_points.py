"""The image's entry points, started as the compose file starts them: its commands, with exactly
its environment (secrets filled in, service host names pointed at this machine's PostgreSQL and
emulator), and its health checks run as the container engine would run them. A Docker engine is
not run here; this is what can be checked without one."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import yaml
from sqlalchemy.engine import make_url

from tests.support.servers import SCRIPTS, free_port

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
SECRETS = {"POSTGRES_PASSWORD": "pg-secret", "WEBITEL_TOKEN": "webitel-admin-token-7Q",
           "CONNECTOR_API_TOKEN": "connector-token-7Q"}
VARIABLE = re.compile(r"\$\{(\w+)(?::([?-])([^}]*))?\}")


def interpolate(value: str, variables: dict[str, str]) -> str:
    """Compose's ``${VAR}``, ``${VAR:-default}`` and ``${VAR:?error}``."""
    def one(match: re.Match) -> str:
        name, kind, rest = match.groups()
        if variables.get(name):
            return variables[name]
        if kind == "?":
            raise AssertionError(f"{name} is required: {rest}")
        return rest if kind == "-" else ""
    return VARIABLE.sub(one, value)


def service(name: str) -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"][name]


def environment(name: str, **hosts: str) -> dict[str, str]:
    """The service's environment as compose gives it, with ``host:port`` of other services replaced."""
    env = {key: interpolate(str(value), SECRETS) for key, value in service(name).get("environment", {}).items()}
    for key, value in env.items():
        for old, new in hosts.items():
            value = value.replace(old, new)
        env[key] = value
    return {"PATH": os.environ["PATH"], **env}  # nothing else: a container has no more


def command(name: str, port: int) -> list[str]:
    """The service's command, on this machine: the venv's script, loopback, a free port."""
    args = [a.replace("0.0.0.0", "127.0.0.1") for a in service(name)["command"]]
    if "--port" in args:
        args[args.index("--port") + 1] = str(port)
    return [str(SCRIPTS / args[0]), *args[1:]]


def health_check(test: list[str], port: int, container_port: int) -> subprocess.CompletedProcess:
    """A ``["CMD", ...]`` health check run with this Python, against the service's local port."""
    assert test[0] == "CMD"
    args = [a.replace(f"127.0.0.1:{container_port}", f"127.0.0.1:{port}") for a in test[1:]]
    if args[0] == "python":
        args[0] = sys.executable
    return subprocess.run(args, capture_output=True, text=True, timeout=30)


class Started:
    def __init__(self, args: list[str], env: dict, log: Path) -> None:
        self.log = log
        self.process = subprocess.Popen(args, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
                                        start_new_session=True)

    def wait_for(self, url: str) -> None:
        for _ in range(300):
            if self.process.poll() is not None:
                raise AssertionError(f"exited {self.process.returncode}: {self.log.read_text()}")
            try:
                if httpx.get(url, timeout=1).status_code < 500:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"did not answer: {self.log.read_text()}")

    def stop(self) -> int:
        if self.process.poll() is None:
            os.killpg(self.process.pid, 15)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, 9)
                self.process.wait(5)
        return self.process.returncode


def test_the_emulator_migrate_and_serve_start_with_the_documented_environment(postgres, tmp_path):
    database = make_url(postgres.create_database("compose"))
    emulator_port, connector_port = free_port(), free_port()
    hosts = {"@postgres:5432/connector": f"@{database.host}:{database.port}/{database.database}",
             "connector:": f"{database.username}:", "http://emulator:8090": f"http://127.0.0.1:{emulator_port}"}
    emulator = Started(command("emulator", emulator_port), environment("emulator"), tmp_path / "emulator.log")
    connector = None
    try:
        emulator.wait_for(f"http://127.0.0.1:{emulator_port}/__emulator__/faults")
        assert health_check(service("emulator")["healthcheck"]["test"], emulator_port, 8090).returncode == 0

        env = environment("connector", **hosts)
        assert env == environment("migrate", **hosts)
        migrate = subprocess.run(command("migrate", 0), env=env, capture_output=True, text=True, timeout=60)
        assert migrate.returncode == 0, migrate.stdout + migrate.stderr

        connector = Started(command("connector", connector_port), env, tmp_path / "connector.log")
        connector.wait_for(f"http://127.0.0.1:{connector_port}/api/v1/health/live")
        assert health_check(service("connector")["healthcheck"]["test"], connector_port, 8080).returncode == 0
        dockerfile = (ROOT / "Dockerfile").read_text()
        image_check = json.loads(re.search(r"CMD (\[\"python\".*\])", dockerfile).group(1))
        assert health_check(["CMD", *image_check], connector_port, 8080).returncode == 0
        # Ready: the database and Webitel, with the token compose hands to both sides.
        ready = httpx.get(f"http://127.0.0.1:{connector_port}/api/v1/health/ready", timeout=10)
        assert ready.status_code == 200, ready.text
        listed = httpx.get(f"http://127.0.0.1:{connector_port}/api/v1/webitel-users", timeout=10,
                           headers={"Authorization": f"Bearer {SECRETS['CONNECTOR_API_TOKEN']}"})
        assert listed.status_code == 200
        assert connector.stop() == 0
        logs = (tmp_path / "connector.log").read_text()
        assert all(json.loads(line) for line in logs.splitlines() if line.strip())
        assert SECRETS["CONNECTOR_API_TOKEN"] not in logs and SECRETS["WEBITEL_TOKEN"] not in logs
    finally:
        if connector is not None:
            connector.stop()
        emulator.stop()
        postgres.drop_database(str(database))
