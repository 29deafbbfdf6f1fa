"""The Creatio package's remote module, built, in headless Chromium (Debian's) inside a small host
page that provides what Creatio gives a remote module (the devkit's handler chain: HTTP and system
settings), against the connector under gunicorn and the Webitel emulator on real ports: create a
Webitel user, grant a license, add a skill, make it an agent, pause it with a cause, run the import
with its progress, delete. The flow is creatio-package/remote-module/e2e/flow.mjs (Playwright's core
driving the browser); each step is checked in the emulator's own state. It saves the screenshots
docs/creatio.md shows when CREATIO_SCREENSHOTS names a folder."""

from __future__ import annotations

import json
import os
import subprocess
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest

from tests.conftest import API_TOKEN
from tests.support.servers import ConnectorServer, connector_env, run_cli
from tests.support.tools import require_tool

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
MODULE_SOURCE = ROOT / "creatio-package" / "remote-module"
BUILT = ROOT / "creatio-package" / "Files" / "src" / "js" / "webitel_users" / "remoteEntry.js"
DEMO_USERS = [("agarcia", "Ana Garcia"), ("jsmith", "John Smith"), ("mbrown", "Mary Brown")]


def _require_built_module() -> None:
    missing = [what for what, path in (("the remote module's packages (npm ci)", MODULE_SOURCE / "node_modules"),
                                       ("the built remote module (make module)", BUILT)) if not path.exists()]
    if missing:
        reason = f"{', '.join(missing)} missing: `make module` installs and builds it"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}: it is required in CI")
        pytest.skip(reason)


class _HostFiles(SimpleHTTPRequestHandler):
    """The host page and its script from remote-module/host, the module from the package's Files."""

    def translate_path(self, path: str) -> str:
        path = path.split("?", 1)[0]
        if path.startswith("/webitel_users/"):
            return str(BUILT.parent / path.removeprefix("/webitel_users/"))
        return str(MODULE_SOURCE / "host" / (path.lstrip("/") or "index.html"))

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the browser's own errors are what the flow checks."""


@pytest.fixture
def host_page() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_HostFiles))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def connector(tmp_path, webitel_emulator_server, host_page) -> Iterator[ConnectorServer]:
    env = connector_env(database_url=f"sqlite:///{tmp_path / 'connector.sqlite'}",
                        webitel_url=webitel_emulator_server.base_url, webitel_token=webitel_emulator_server.token,
                        api_token=API_TOKEN, CONNECTOR_CORS_ORIGINS=host_page)
    migrated = run_cli("migrate", env=env)
    assert migrated.returncode == 0, migrated.stderr
    server = ConnectorServer(env)
    try:
        headers = {"Authorization": f"Bearer {API_TOKEN}"}
        for login, contact in DEMO_USERS:  # the Creatio users (the embedded side: the demo's)
            created = httpx.post(f"{server.url}/creatio/users", headers=headers, timeout=30,
                                 json={"name": login, "contact_name": contact, "type": "employee"})
            assert created.status_code == 201, created.text
        yield server
    finally:
        server.stop()


def test_the_section_in_chromium_changes_webitel_as_a_user_would(connector, webitel_emulator_server, host_page):
    _require_built_module()
    chromium = require_tool("chromium", "chromium")
    url = f"{host_page}/index.html?" + urlencode({"connector": connector.url, "token": API_TOKEN})
    env = {**os.environ, "HOST_URL": url, "EMULATOR_URL": webitel_emulator_server.root_url, "CHROMIUM": chromium,
           "SCREENSHOTS": os.environ.get("CREATIO_SCREENSHOTS", "")}
    run = subprocess.run(["node", "e2e/flow.mjs"], cwd=MODULE_SOURCE, env=env, capture_output=True, text=True,
                         timeout=240)
    lines = [json.loads(line) for line in run.stdout.splitlines() if line.startswith("{")]
    steps = [line["step"] for line in lines if "step" in line]
    assert run.returncode == 0 and {"ok": True} in lines, f"steps done: {steps}\n{run.stderr[-4000:]}"
    assert len(steps) == 8, steps
