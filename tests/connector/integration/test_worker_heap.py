"""A gunicorn worker freezes what it built to serve (``serving.freeze_startup_heap``), so that a full
garbage collection walks only what requests leave behind. Checked in a child process: loading the app
as a worker does freezes that process's heap for good."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

WORKER = """
import gc, json, sys
from connector.config import Config
from connector.serving import ConnectorServer, ServerSettings

config = Config(api_token="t", database_url=sys.argv[1], webitel_url="http://127.0.0.1:9/api", webitel_token="t")
app = ConnectorServer(config, ServerSettings()).load()
print(json.dumps({"frozen": gc.get_freeze_count(), "walked": len(gc.get_objects()), "app": type(app).__name__}))
"""


def test_a_worker_freezes_what_it_built_to_serve(tmp_path):
    child = subprocess.run([sys.executable, "-c", WORKER, f"sqlite:///{tmp_path / 'connector.sqlite'}"],
                           capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert child.returncode == 0, child.stderr
    worker = json.loads(child.stdout.strip().splitlines()[-1])
    assert worker["app"] == "Flask"
    # The modules, the app, its mappers and schemas: tens of thousands of objects, out of the
    # collector's walk; what is left to walk is what came after (a few thousand at most).
    assert worker["frozen"] > 50_000
    assert worker["walked"] < worker["frozen"] / 10
