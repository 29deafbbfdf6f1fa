"""The console script as a user runs it: ``demo`` (emulator + connector + demo users, one curl
line), ``migrate`` and ``serve`` refusing a missing configuration."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import httpx
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


def _plain_env() -> dict:
    return {k: v for k, v in os.environ.items() if not k.startswith("CONNECTOR_")}


def test_the_import_runs_against_the_demo_as_the_banner_says(tmp_path):
    """The README's first hour: `make run`, then the import line the banner prints, with no other
    setting. The demo's jsmith and mbrown are linked to the Creatio users with those logins; the
    terminal shows the bar and the summary, and no log line."""
    port, emulator_port = free_port(), free_port()
    process = start_demo(tmp_path, port, emulator_port)
    try:
        banner = read_banner(process)
        line = next(text.strip() for text in banner if "webitel-connector import" in text)
        assert line == ".venv/bin/webitel-connector import --demo"
        done = run_cli("import", "--demo", env=_plain_env(), cwd=str(tmp_path))
        assert done.returncode == 0, done.stderr
        table = dict(row.strip().rsplit(None, 1) for row in done.stdout.splitlines() if row.startswith("  "))
        assert (table["linked existing contacts"], table["created"], table["failed"]) == ("2", "1", "0"), done.stdout
        assert "3/3" in done.stderr and "Traceback" not in done.stderr
        assert '"level"' not in done.stderr  # no JSON log line between the bar's redraws
        token = {"Authorization": "Bearer demo-connector-token"}
        records = {r["webitel_username"]: r for r in httpx.get(f"http://127.0.0.1:{port}/api/v1/webitel-users",
                                                                headers=token, timeout=30).json()["items"]}
        assert records["jsmith"]["user"]["name"] == "jsmith" and records["jsmith"]["contact"]["name"] == "John Smith"
    finally:
        status = stop(process, signal.SIGTERM)
    assert status == 0
    assert not (tmp_path / "webitel-connector-demo.json").exists()  # the demo's settings go with it


def test_the_demo_import_without_a_demo_says_how_to_start_one(tmp_path):
    result = run_cli("import", "--demo", env=_plain_env(), cwd=str(tmp_path))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "no demo is running" in result.stderr and "make run" in result.stderr


def test_the_import_into_a_database_not_migrated_says_to_migrate(tmp_path):
    env = {**_plain_env(), "CONNECTOR_DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite'}"}
    result = run_cli("import", env=env, cwd=str(tmp_path))
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert "is not migrated" in result.stderr and "webitel-connector migrate" in result.stderr
    assert run_cli("migrate", env=env).returncode == 0  # migrate needs no API token either


def test_a_taken_port_says_how_to_choose_others(tmp_path):
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        taken = holder.getsockname()[1]
        for flags in (["--port", str(taken), "--emulator-port", str(free_port())],
                      ["--port", str(free_port()), "--emulator-port", str(taken)]):
            result = run_cli("demo", *flags, env=_plain_env(), cwd=str(tmp_path), timeout=60)
            assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
            assert f"127.0.0.1:{taken}" in result.stderr and "make run PORT=" in result.stderr
            assert not (tmp_path / "webitel-connector-demo.json").exists()


def test_make_run_takes_the_ports_as_variables():
    root = Path(__file__).resolve().parents[3]
    shown = subprocess.run(["make", "-n", "run", "PORT=8180", "EMULATOR_PORT=8190"], cwd=root, capture_output=True,
                           text=True, timeout=30)
    assert shown.returncode == 0, shown.stderr
    assert "webitel-connector demo --port 8180 --emulator-port 8190" in shown.stdout
