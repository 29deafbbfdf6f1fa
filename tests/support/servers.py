"""The connector as it is deployed: ``webitel-connector serve`` (gunicorn) in a subprocess, on a free
port, stopped at the end."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

SCRIPTS = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def connector_env(*, database_url: str, webitel_url: str, webitel_token: str, api_token: str, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONNECTOR_")}
    env.update({"CONNECTOR_DATABASE_URL": database_url, "CONNECTOR_WEBITEL_URL": webitel_url,
                "CONNECTOR_WEBITEL_TOKEN": webitel_token, "CONNECTOR_API_TOKEN": api_token,
                "CONNECTOR_LOG_LEVEL": "WARNING", **extra})
    return env


def run_cli(*args: str, env: dict, cwd: str | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([str(SCRIPTS / "webitel-connector"), *args], env=env, cwd=cwd, capture_output=True,
                          text=True, timeout=timeout)


class ConnectorServer:
    """``webitel-connector serve`` under gunicorn; ``url`` is the API base (``.../api/v1``)."""

    def __init__(self, env: dict, *, workers: int | None = 2, threads: int | None = 8) -> None:
        """``workers``/``threads`` None: no flag, the environment (or the default) decides."""
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/api/v1"
        # The output goes to a file: a pipe nobody reads would fill up and stall gunicorn.
        self.log = tempfile.NamedTemporaryFile("w+", prefix="connector-server-", suffix=".log")  # noqa: SIM115 (closed in stop)
        flags = [f"--{name}={value}" for name, value in (("workers", workers), ("threads", threads)) if value]
        self.process = subprocess.Popen(
            [str(SCRIPTS / "webitel-connector"), "serve", "--port", str(self.port), *flags], env=env,
            stdout=self.log, stderr=subprocess.STDOUT, text=True, start_new_session=True)
        self._wait_ready()

    def _wait_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the connector exited: {self.output()}")
            try:
                if httpx.get(f"{self.url}/health/live", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("the connector did not come up in time")

    def stop(self) -> str:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)  # gunicorn's master and its workers
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(5)
        if not self.log.closed:
            self.final_output = self.output()
            self.log.close()
        return self.final_output

    def worker_pids(self) -> list[int]:
        """gunicorn's workers: the master's child processes."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text()
        return [int(pid) for pid in children.split()]

    def output(self) -> str:
        self.log.flush()
        self.log.seek(0)
        return self.log.read()


class EmulatorProcess:
    """``webitel-emulator`` (gunicorn) in a subprocess on a free port, its log (stderr) in a file;
    the banner (stdout, which shows the admin token on purpose) is not kept."""

    def __init__(self, *args: str, env: dict | None = None, start_timeout_s: float = 30) -> None:
        self.port = free_port()
        self.root_url = f"http://127.0.0.1:{self.port}"
        self.base_url = f"{self.root_url}/api"
        self.token = "demo-admin-token"
        self.log = tempfile.NamedTemporaryFile("w+", prefix="emulator-server-", suffix=".log")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen([str(SCRIPTS / "webitel-emulator"), "--port", str(self.port), *args],
                                        env=env, stdout=subprocess.DEVNULL, stderr=self.log, text=True,
                                        start_new_session=True)
        deadline = time.monotonic() + start_timeout_s
        while True:
            try:
                httpx.get(f"{self.root_url}/__emulator__/faults", timeout=1).raise_for_status()  # cheap at any size
                return
            except httpx.HTTPError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("the emulator did not start") from None
                time.sleep(0.05)

    def stop(self) -> str:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        if not self.log.closed:
            self.log.flush()
            self.log.seek(0)
            self.final_output = self.log.read()
            self.log.close()
        return self.final_output
