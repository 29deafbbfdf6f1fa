"""GetWebitelUsers and the drift check at scale, on the path users take: 10,000 and 100,000 Webitel
users (a fifth of them agents with 3 skills, each with licenses and a role) seeded into the emulator;
the connector served by gunicorn (one worker, so that one process does the work and its memory is
the jobs'); ``POST /api/v1/imports`` with its defaults (STUN read) on SQLite and PostgreSQL, the first
import and a re-import with nothing changed; then ``POST /api/v1/drift/checks`` with its defaults on
PostgreSQL. Each job's time is its own (started to finished, as the job says); the peak resident set
is the connector worker's.

The floor, measured in the same run: reading the same data the cheapest way Webitel allows, with
the same client and nothing else: the users (counted, then in pages), the agents and skills, and
each user's phone setting (STUN), which Webitel lets only the user read: an access token minted for
the user, the setting read with it, the token deleted, as many users at a time as the connector
(``CONNECTOR_IMPORT_CONCURRENCY``, default 4). Targets, for 100,000 users: the first import at most
3x the floor, the re-import at most 1.5x, the drift check at most 3x, the connector's peak memory at
most 300 MB (a smaller size's figures are informative).

``BENCH_IMPORT_SIZES`` (default ``10000,100000``) picks the sizes, ``BENCH_IMPORT_DATABASES`` (default
``SQLite,PostgreSQL``) the databases.
"""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
import threading
import time
from dataclasses import fields
from datetime import datetime
from pathlib import Path
from typing import Any

from .suite import Figure

ROOT = Path(__file__).resolve().parents[1]
SKILLS = 10
FIRST_RATIO, AGAIN_RATIO, DRIFT_RATIO, MEMORY_MB = 3.0, 1.5, 3.0, 300.0
DATABASES = os.environ.get("BENCH_IMPORT_DATABASES", "SQLite,PostgreSQL").split(",")  # to measure one again


def seed(users: int) -> dict:
    """The demo seed grown to ``users`` users: licenses and a role each, a fifth agents with 3 skills."""
    from emulator.seed import demo_seed

    doc = demo_seed()
    domain = doc["domains"][0]
    domain["licenses"] += [{"id": "cm-big", "product": "CALL_MANAGER", "limit": users},
                           {"id": "cc-big", "product": "CALL_CENTER", "limit": users}]
    domain["skills"] += [{"name": f"Skill {n}"} for n in range(SKILLS)]
    for i in range(users):
        user: dict = {"username": f"user{i:06d}", "name": f"User {i}", "extension": str(100000 + i),
                      "licenses": ["cm-big"], "roles": ["Agents"]}
        if i % 5 == 0:
            user["licenses"].append("cc-big")
            user["agent"] = {"team": "Support", "skills": [
                {"skill": f"Skill {(i + k) % SKILLS}", "capacity": 10 + k * 20, "enabled": k != 2} for k in range(3)]}
        domain["users"].append(user)
    return doc


def floor(base_url: str, token: str) -> float:
    """The jobs' Webitel reads with the same client, and nothing else."""
    from connector.config import Config
    from connector.services.call_center import read_call_center
    from connector.services.webitel_reading import count_users, user_pages
    from connector.webitel import WebitelClient, WebitelHTTP

    webitel = WebitelClient(WebitelHTTP(base_url, token, read_timeout_s=60))
    defaults: dict[str, Any] = {f.name: f.default for f in fields(Config)}  # the connector's own settings
    started = time.perf_counter()
    counted = count_users(webitel)
    read_call_center(webitel)
    users = stuns = 0
    for page in user_pages(webitel, page_size=int(defaults["import_page_size"]), with_stun=True,
                           concurrency=int(defaults["import_concurrency"])):
        users += len(page.users)
        stuns += sum(1 for flag in page.stuns.values() if flag is not None)
    took = time.perf_counter() - started
    webitel.close()
    if stuns != users or counted != users:
        raise RuntimeError(f"the floor read {stuns} STUN settings of {users} users ({counted} counted)")
    print(f"  floor: {users:,} users, their STUN settings, agents and skills read in {took:.1f} s")
    return took


def warm_up(base_url: str, token: str, users: int = 2000) -> None:
    """Some users' STUN read, untimed: the emulator's first requests after loading a large seed are
    slower (its garbage from loading), and the floor should not pay for that."""
    from connector.services.stun_reading import read_many
    from connector.webitel import WebitelClient, WebitelHTTP

    webitel = WebitelClient(WebitelHTTP(base_url, token, read_timeout_s=60))
    uids = [str(user["id"]) for page in webitel.user_pages(size=users) for user in page][:users]
    read_many(webitel, uids, concurrency=4)
    webitel.close()


def run_job(api_url: str, path: str, users: int, *, timeout_s: float = 3600) -> tuple[float, dict]:
    """``POST path`` with its defaults, followed until it ends: (its own seconds, the job)."""
    import httpx

    with httpx.Client(base_url=api_url, headers={"Authorization": "Bearer bench"}, timeout=60) as client:
        started = client.post(path, json={})
        if started.status_code not in (200, 202):
            raise RuntimeError(f"POST {path}: {started.status_code} {started.text}")
        job, deadline = started.json(), time.monotonic() + timeout_s
        while job["status"] == "running":
            if time.monotonic() > deadline:
                raise RuntimeError(f"{path} did not finish in {timeout_s} s")
            time.sleep(0.5)
            job = client.get(f"{path}/{job['id']}", params={"size": 1}).json()
    if job["status"] != "succeeded":
        raise RuntimeError(f"{path} failed: {job.get('error')}")
    took = (datetime.fromisoformat(job["finished_at"]) - datetime.fromisoformat(job["started_at"])).total_seconds()
    print(f"    {path}: {took:.1f} s ({users / took:,.0f} users/s) {job['summary']}")
    return took, job


class PeakMemory:
    """A process's peak resident set after its exec: Linux's ``VmHWM``, read until it exits. The
    child's ``ru_maxrss`` cannot serve: it also counts the memory of this (large) process, which the
    child shared between the fork and the exec."""

    def __init__(self, pid: int) -> None:
        self.path, self.kb = Path(f"/proc/{pid}/status"), 0
        self.thread = threading.Thread(target=self._watch, daemon=True)
        self.thread.start()

    def _watch(self) -> None:
        while True:
            try:
                found = re.search(r"^VmHWM:\s+(\d+) kB", self.path.read_text(), re.MULTILINE)
            except OSError:  # gone (or no /proc)
                return
            if found:  # the high-water mark only grows: the last reading is the peak
                self.kb = max(self.kb, int(found.group(1)))
            time.sleep(0.02)

    def mb(self, *, fallback_kb: int) -> float:
        self.thread.join(timeout=1)
        return (self.kb or fallback_kb) / 1024


def one_size(users: int) -> list[Figure]:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from tests.support.servers import ConnectorServer, EmulatorProcess, connector_env, run_cli

    from .bench_connector import postgres_database

    figures: list[Figure] = []
    total = users + 3  # and the demo seed's own
    with tempfile.TemporaryDirectory() as folder:
        seed_file = Path(folder) / "seed.json"
        seed_file.write_text(json.dumps(seed(users)))
        started = time.perf_counter()
        emulator = EmulatorProcess("--seed", str(seed_file), "--threads", "4", start_timeout_s=600)
        print(f"import of {users:,} users: the emulator took {time.perf_counter() - started:.1f} s to load them")
        try:
            warm_up(emulator.base_url, emulator.token)
            floor_s = floor(emulator.base_url, emulator.token)
            with postgres_database(os.environ.get("BENCH_DATABASE_URL"), "") as postgres_url:
                for database, url in (("SQLite", f"sqlite:///{Path(folder) / 'import.sqlite'}"),
                                      ("PostgreSQL", postgres_url)):
                    if database not in DATABASES:
                        continue
                    env = connector_env(database_url=url, webitel_url=emulator.base_url, webitel_token=emulator.token,
                                        api_token="bench", CONNECTOR_LOG_LEVEL="WARNING",
                                        CONNECTOR_RECONCILE_INTERVAL_S="0")
                    if (migrated := run_cli("migrate", env=env)).returncode != 0:
                        raise RuntimeError(migrated.stderr)
                    server = ConnectorServer(env, workers=1, threads=4)
                    try:
                        [worker] = server.worker_pids()
                        peak = PeakMemory(worker)
                        first_s, _first = run_job(server.url, "/imports", total)
                        again_s, again = run_job(server.url, "/imports", total)
                        if again["summary"]["unchanged"] != total:
                            raise RuntimeError(f"the re-import changed something: {again['summary']}")
                        drift_s = None
                        if database == "PostgreSQL":
                            drift_s, check = run_job(server.url, "/drift/checks", total)
                            if sum(check["summary"].values()):
                                raise RuntimeError(f"the drift check found differences: {check['summary']}")
                        peak_mb = peak.mb(fallback_kb=0)
                    finally:
                        server.stop()
                    print(f"  {database}: peak resident set of the connector's worker {peak_mb:.0f} MB")
                    figures += _figures(users, database, first_s, again_s, drift_s, peak_mb, floor_s)
        finally:
            emulator.stop()
    return figures


def _figures(users: int, database: str, first_s: float, again_s: float, drift_s: float | None, peak_mb: float,
             floor_s: float) -> list[Figure]:
    """The targets hold for 100,000 users; a smaller run's figures are informative."""
    name, judged = f"{users:,} users, {database}", users >= 100_000
    reading = "reading the same users, STUN settings, agents, skills"

    def figure(what: str, value: float, ratio: float) -> Figure:
        return Figure("import", f"{what}, {name}", value, "s", floor_s, reading,
                      f"<= {ratio:g}x the floor" if judged else "informative",
                      value <= ratio * floor_s if judged else None)

    found = [figure(f"first import ({users / first_s:,.0f} users/s)", first_s, FIRST_RATIO),
             figure("re-import, nothing changed", again_s, AGAIN_RATIO)]
    if drift_s is not None:
        found.append(figure(f"drift check ({users / drift_s:,.0f} users/s)", drift_s, DRIFT_RATIO))
    found.append(Figure("import", f"peak memory of the connector's worker, {name}", peak_mb, "MB", None,
                        "its peak resident set (VmHWM)", f"<= {MEMORY_MB:g} MB" if judged else "informative",
                        peak_mb <= MEMORY_MB if judged else None))
    return found


def imports() -> list[Figure]:
    sizes = [int(n) for n in os.environ.get("BENCH_IMPORT_SIZES", "10000,100000").split(",") if n.strip()]
    return [figure for users in sizes for figure in one_size(users)]
