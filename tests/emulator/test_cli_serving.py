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

from tests.support.servers import EmulatorProcess, free_port

pytestmark = pytest.mark.e2e

SCRIPT = Path(sys.executable).with_name("webitel-emulator")


def test_a_malformed_thread_count_is_refused():
    result = subprocess.run([str(SCRIPT), "--port", str(free_port())], env={**os.environ, "EMULATOR_THREADS": "many"},
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 2 and "--threads: invalid int value: 'many'" in result.stderr


def test_sigterm_lets_a_request_in_flight_finish():
    emulator = EmulatorProcess(env={**os.environ, "EMULATOR_THREADS": "2"})
    try:
        httpx.post(f"{emulator.root_url}/__emulator__/faults", json={"path": "/api/userinfo", "action": "delay",
                                                                     "delay_ms": 1500}).raise_for_status()
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            pending = pool.submit(httpx.get, f"{emulator.base_url}/userinfo",
                                  headers={"X-Webitel-Access": emulator.token}, timeout=10)
            deadline = time.monotonic() + 10
            while not httpx.get(f"{emulator.root_url}/__emulator__/requests?limit=1").json()["in_flight"]:
                assert time.monotonic() < deadline, "the request never reached the emulator"
                time.sleep(0.02)
            assert not pending.done()
            emulator.process.send_signal(signal.SIGTERM)
            assert pending.result().status_code == 200
        assert emulator.process.wait(15) == 0
    finally:
        emulator.stop()
