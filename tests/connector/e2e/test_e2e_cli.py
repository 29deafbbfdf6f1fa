"""The console script as a user runs it: ``demo`` (emulator + connector + demo users, one curl
line), ``migrate`` and ``serve`` refusing a missing configuration."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time

import pytest

from tests.support.servers import SCRIPTS, free_port, run_cli

pytestmark = pytest.mark.e2e


def start_demo(cwd, port: int, emulator_port: int) -> subprocess.Popen:
    """The demo as a background shell job starts it: SIGINT ignored, in its own process group."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONNECTOR_")}
    return subprocess.Popen([str(SCRIPTS / "webitel-connector"), "demo", "--port", str(port),
                             "--emulator-port", str(emulator_port)], cwd=cwd, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, start_new_session=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))


def stop(process: subprocess.Popen, signum: int) -> int:
    """Send ``signum`` to the demo's process group; kill it if it does not stop, so that no server
    is ever left running; the exit status, or -9 when it had to be killed."""
    if process.poll() is None:
        os.killpg(process.pid, signum)
        try:
            return process.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)
            return -9
    return process.returncode


def port_is_free(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


def read_banner(process: subprocess.Popen, timeout: float = 30) -> list[str]:
    assert process.stdout is not None, "stdout piped"
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            if process.poll() is not None:
                raise AssertionError(f"demo exited: {''.join(lines)}")
            continue
        lines.append(line.rstrip("\n"))
        if line.startswith("Ctrl-C"):
            return lines
    raise AssertionError(f"no banner in time: {lines}")


def test_demo_prints_a_curl_line_that_creates_a_webitel_user(tmp_path):
    port, emulator_port = free_port(), free_port()
    process = start_demo(tmp_path, port, emulator_port)
    try:
        banner = read_banner(process)
        text = "\n".join(banner)
        assert f"http://127.0.0.1:{port}/api/v1" in text and f"http://127.0.0.1:{emulator_port}/api" in text
        assert "Bearer demo-connector-token" in text and "demo-admin-token" in text
        assert f"http://127.0.0.1:{port}/api/v1/docs" in text
        curl = next(line.strip() for line in banner if line.strip().startswith("curl "))
        created = subprocess.run(["bash", "-c", curl], capture_output=True, text=True, timeout=30)
        record = json.loads(created.stdout)
        assert record["webitel_username"] == "agarcia" and record["webitel_user_id"] and record["default_device"]
        again = json.loads(subprocess.run(["bash", "-c", curl], capture_output=True, text=True, timeout=30).stdout)
        assert again["error"]["code"] == "already_exists"
        assert (tmp_path / "webitel-connector-demo.sqlite").exists()
    finally:
        status = stop(process, signal.SIGTERM)
    assert status == 0, "the demo did not stop on SIGTERM"
    assert port_is_free(port) and port_is_free(emulator_port)


def test_demo_stops_on_ctrl_c_even_when_started_in_the_background(tmp_path):
    """A background shell starts the demo with SIGINT ignored; Ctrl-C (SIGINT) still stops it."""
    port, emulator_port = free_port(), free_port()
    process = start_demo(tmp_path, port, emulator_port)
    try:
        read_banner(process)
    finally:
        status = stop(process, signal.SIGINT)
    assert status == 0, "the demo did not stop on SIGINT"
    assert port_is_free(port) and port_is_free(emulator_port)


def test_serve_without_an_api_token_refuses_to_start():
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONNECTOR_")}
    result = run_cli("serve", "--port", str(free_port()), env=env, timeout=30)
    assert result.returncode == 2
    assert "CONNECTOR_API_TOKEN is required" in result.stderr


def test_migrate_creates_the_schema(tmp_path):
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("CONNECTOR_")},
           "CONNECTOR_API_TOKEN": "t", "CONNECTOR_DATABASE_URL": f"sqlite:///{tmp_path / 'c.sqlite'}"}
    result = run_cli("migrate", env=env)
    assert result.returncode == 0 and "up to date" in result.stdout
    assert run_cli("migrate", env=env).returncode == 0  # again: nothing to do
