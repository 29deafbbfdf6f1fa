"""``webitel-emulator``'s gunicorn settings: threads from the environment, and a graceful stop."""

from __future__ import annotations

import concurrent.futures
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.support.servers import free_port

pytestmark = pytest.mark.e2e

SCRIPT = Path(sys.executable).with_name("webitel-emulator")


def test_a_malformed_thread_count_is_refused():
    result = subprocess.run([str(SCRIPT), "--port", str(free_port())], env={**os.environ, "EMULATOR_THREADS": "many"},
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 2 and "--threads: invalid int value: 'many'" in result.stderr


def test_sigterm_lets_a_request_in_flight_finish():
    port = free_port()
    process = subprocess.Popen([str(SCRIPT), "--port", str(port)], env={**os.environ, "EMULATOR_THREADS": "2"},
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    root = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                httpx.get(f"{root}/__emulator__/state", timeout=1).raise_for_status()
                break
            except httpx.HTTPError:
                assert time.monotonic() < deadline and process.poll() is None, "the emulator did not start"
                time.sleep(0.05)
        httpx.post(f"{root}/__emulator__/faults", json={"path": "/api/userinfo", "action": "delay",
                                                         "delay_ms": 1500}).raise_for_status()
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            pending = pool.submit(httpx.get, f"{root}/api/userinfo", headers={"X-Webitel-Access": "demo-admin-token"},
                                  timeout=10)
            time.sleep(0.5)
            assert not pending.done()
            process.send_signal(signal.SIGTERM)
            assert pending.result().status_code == 200
        assert process.wait(15) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(5)
