"""GetWebitelUsers as operators run it: the console command with its progress bar and summary, and
two connector processes on one PostgreSQL, each asked to start an import (or a drift check) at once:
exactly one runs."""

from __future__ import annotations

import concurrent.futures

import httpx
import pytest

from tests.conftest import API_TOKEN
from tests.support.servers import ConnectorServer, connector_env, run_cli

pytestmark = pytest.mark.e2e


def test_the_import_command_shows_progress_and_the_summary(api, emulator, e2e_database):
    env = connector_env(database_url=e2e_database, webitel_url=emulator.base_url, webitel_token=emulator.token,
                        api_token=API_TOKEN)
    dry = run_cli("import", "--dry-run", env=env)
    assert dry.returncode == 0, dry.stderr
    assert "dry run: nothing was written" in dry.stdout and "created" in dry.stdout
    assert api.get("/webitel-users").json()["total"] == 0
    done = run_cli("import", env=env)
    assert done.returncode == 0, done.stderr
    assert "GetWebitelUsers" in done.stderr and "3/3" in done.stderr  # the progress bar: done/total
    table = dict(line.strip().rsplit(None, 1) for line in done.stdout.splitlines() if line.startswith("  "))
    assert (table["created"], table["created contacts"], table["failed"]) == ("3", "3", "0")
    assert api.get("/webitel-users").json()["total"] == 3
    assert [job["dry_run"] for job in api.get("/imports").json()["items"]] == [False, True]


@pytest.mark.postgres
@pytest.mark.parametrize(("path", "code"), [("/imports", "import_running"), ("/drift/checks", "drift_check_running")])
def test_two_processes_starting_a_job_at_once_run_exactly_one(postgres, _served_emulator, path, code):
    url = postgres.create_database("connector_imports")
    env = connector_env(database_url=url, webitel_url=_served_emulator.base_url, webitel_token=_served_emulator.token,
                        api_token=API_TOKEN, CONNECTOR_RECONCILE_INTERVAL_S="0")
    servers = []
    try:
        assert run_cli("migrate", env=env).returncode == 0
        _served_emulator.fresh()
        # Webitel answers slowly, so that the first job is still running when the second arrives.
        _served_emulator.add_fault(method="GET", path="/api/users", action="delay", delay_ms=1500)
        servers = [ConnectorServer(env, workers=1, threads=4) for _ in range(2)]

        def start(server):
            return httpx.post(f"{server.url}{path}", json={}, headers={"Authorization": f"Bearer {API_TOKEN}"},
                              timeout=30)

        with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
            answers = list(pool.map(start, servers))
        assert sorted(a.status_code for a in answers) == [202, 409], [a.text for a in answers]
        refused = next(a for a in answers if a.status_code == 409).json()["error"]
        running = next(a for a in answers if a.status_code == 202).json()
        assert refused["code"] == code and refused["existing"] == {"id": running["id"]}
    finally:
        _served_emulator.clear_faults()
        for server in servers:
            server.stop()
        postgres.drop_database(url)
