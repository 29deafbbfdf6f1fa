"""webitel-sdk's own ``Client``, unchanged, drives the emulator's WebSocket as an agent's CTI panel
does (``contract_tests/ws_sdk/sdk_client.mjs``, on Node with the ``ws`` package where Node has no
global WebSocket), against ``webitel-emulator`` as QA runs it (gunicorn). ``make test`` installs the
package's locked dependencies (``npm ci``)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest

from tests.emulator.test_websocket import AGENT_TOKEN, live_seed
from tests.support.servers import EmulatorProcess

pytestmark = pytest.mark.e2e

SDK_CHECK = Path(__file__).resolve().parents[2] / "contract_tests" / "ws_sdk"


def test_webitel_sdks_client_runs_an_agents_panel_on_the_emulator(tmp_path):
    node = shutil.which("node")
    assert node, "Node.js is needed (.ci/run installs it)"
    assert (SDK_CHECK / "node_modules" / "webitel-sdk").is_dir(), f"run `npm ci` in {SDK_CHECK} (make test does)"
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps(live_seed()))
    server = EmulatorProcess("--seed", str(seed))
    try:
        queues = httpx.get(f"{server.base_url}/call_center/queues", headers={"X-Webitel-Access": AGENT_TOKEN})
        env = {**os.environ, "EMULATOR_URL": server.root_url, "AGENT_TOKEN": AGENT_TOKEN,
               "QUEUE_ID": queues.json()["items"][0]["id"]}
        run = subprocess.run([node, "sdk_client.mjs"], cwd=SDK_CHECK, env=env, capture_output=True, text=True,
                             timeout=90)
    finally:
        server.stop()
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]
    steps = {s["step"]: s for s in (json.loads(line) for line in run.stdout.splitlines() if line.startswith('{"step"'))}
    assert steps["hello"]["use_cc"] is True
    assert steps["rest_status"]["status"] == "online"
    assert steps["socket_status"]["statuses"] == ["online", "pause", "online"]
    assert steps["ringing"]["from"] == "+15551234" and steps["ringing"]["queue"] == "Inbound support"
    assert steps["call"]["events"][:5] == ["ringing", "active", "hold", "active", "hangup"]
    assert steps["call"]["cause"] == "NORMAL_CLEARING"
    assert steps["done"]["statuses"] == ["online", "pause", "online", "offline"]
