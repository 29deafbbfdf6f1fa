"""GetWebitelUsers at scale: imports of 10,000 and 100,000 Webitel users (a fifth of them agents
with 3 skills, each with licenses and a role) seeded into the emulator, over real HTTP, on SQLite
and PostgreSQL: the first import, a re-import with nothing changed, and the importing process's peak
memory (``webitel-connector import`` in a child process, its peak resident set).

The floor, measured in the same run: reading the same users, agents and skills from the emulator
with the same client and nothing else (the import's own Webitel reads, without a database or
Creatio). Targets: on SQLite the first import at most 3x the floor and the re-import at most 1.5x;
on PostgreSQL at most 1.5x the SQLite times; peak memory at most 300 MB; all for 100,000 users (a
smaller size's figures are informative).

STUN is not read (``--no-stun``): Webitel has no bulk read of it (three calls a user), and the floor
reads what Webitel lists in bulk. ``BENCH_IMPORT_SIZES`` (default ``10000,100000``) picks the sizes.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from .suite import Figure

ROOT = Path(__file__).resolve().parents[1]
SKILLS = 10
FIRST_RATIO, AGAIN_RATIO, POSTGRES_RATIO, MEMORY_MB = 3.0, 1.5, 1.5, 300.0


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
    """The import's Webitel reads with the same client, and nothing else."""
    from connector.services.call_center import read_call_center
    from connector.webitel import WebitelClient, WebitelHTTP

    webitel = WebitelClient(WebitelHTTP(base_url, token, read_timeout_s=60))
    started = time.perf_counter()
    users = sum(len(page) for page in webitel.user_pages(size=1000, fields=["id"]))  # the import counts first
    users = sum(len(page) for page in webitel.user_pages(size=500))
    read_call_center(webitel)
    took = time.perf_counter() - started
    webitel.close()
    print(f"  floor: {users:,} users, their agents and skills read in {took:.1f} s")
    return took


def run_import(env: dict) -> tuple[float, float, str]:
    """``webitel-connector import --no-stun``: (the import's own seconds, as the job says, without the
    process's start; peak resident MB; its summary)."""
    started = time.perf_counter()
    child = subprocess.Popen([str(Path(sys.executable).parent / "webitel-connector"), "import", "--no-stun"],
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    peak = PeakMemory(child.pid)
    assert child.stdout is not None
    output = child.stdout.read()
    _pid, status, usage = os.wait4(child.pid, 0)
    took = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise RuntimeError(f"the import failed: {output}")
    found = re.search(r" in ([0-9.]+) s", output)
    print(f"    (the process took {took:.1f} s with its start)")
    return float(found.group(1)) if found else took, peak.mb(fallback_kb=usage.ru_maxrss), output


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
    from tests.support.servers import EmulatorProcess, connector_env, run_cli

    from .bench_connector import postgres_database

    figures: list[Figure] = []
    with tempfile.TemporaryDirectory() as folder:
        seed_file = Path(folder) / "seed.json"
        seed_file.write_text(json.dumps(seed(users)))
        started = time.perf_counter()
        emulator = EmulatorProcess("--seed", str(seed_file), "--threads", "4", start_timeout_s=600)
        print(f"import of {users:,} users: the emulator took {time.perf_counter() - started:.1f} s to load them")
        try:
            floor_s = floor(emulator.base_url, emulator.token)
            times: dict[str, tuple[float, float]] = {}
            with postgres_database(os.environ.get("BENCH_DATABASE_URL"), "") as postgres_url:
                for database, url in (("SQLite", f"sqlite:///{Path(folder) / 'import.sqlite'}"),
                                      ("PostgreSQL", postgres_url)):
                    env = connector_env(database_url=url, webitel_url=emulator.base_url, webitel_token=emulator.token,
                                        api_token="bench", CONNECTOR_LOG_LEVEL="WARNING")
                    if (migrated := run_cli("migrate", env=env)).returncode != 0:
                        raise RuntimeError(migrated.stderr)
                    first_s, first_mb, first = run_import(env)
                    again_s, again_mb, again = run_import(env)
                    if f"unchanged  {users + 3:>7}".replace(" ", "") not in again.replace(" ", ""):
                        raise RuntimeError(f"the re-import changed something:\n{again}")
                    times[database] = (first_s, again_s)
                    print(f"  {database}: first import {first_s:.1f} s ({(users + 3) / first_s:,.0f} users/s, peak "
                          f"{first_mb:.0f} MB), re-import {again_s:.1f} s ({(users + 3) / again_s:,.0f} users/s, "
                          f"peak {again_mb:.0f} MB)")
                    figures += _figures(users, database, first_s, again_s, max(first_mb, again_mb), floor_s,
                                        times.get("SQLite"))
        finally:
            emulator.stop()
    return figures


def _figures(users: int, database: str, first_s: float, again_s: float, peak_mb: float, floor_s: float,
             sqlite: tuple[float, float] | None) -> list[Figure]:
    """The targets hold for 100,000 users (issue 11); a smaller run's figures are informative."""
    name, judged = f"{users:,} users, {database}", users >= 100_000

    def figure(what: str, value: float, floor: float, floor_is: str, ratio: float, against: str) -> Figure:
        return Figure("import", f"{what}, {name}", value, "s", floor, floor_is,
                      f"<= {ratio:g}x {against}" if judged else "informative",
                      value <= ratio * floor if judged else None)

    if database == "SQLite" or sqlite is None:
        reading = "reading the same users, agents, skills"
        first = figure(f"first import ({users / first_s:,.0f} users/s)", first_s, floor_s, reading, FIRST_RATIO,
                       "the floor")
        again = figure("re-import, nothing changed", again_s, floor_s, reading, AGAIN_RATIO, "the floor")
    else:
        first = figure(f"first import ({users / first_s:,.0f} users/s)", first_s, sqlite[0],
                       "the same import on SQLite", POSTGRES_RATIO, "SQLite")
        again = figure("re-import, nothing changed", again_s, sqlite[1], "the same re-import on SQLite",
                       POSTGRES_RATIO, "SQLite")
    memory = Figure("import", f"peak memory of the importing process, {name}", peak_mb, "MB", None,
                    "its peak resident set (VmHWM)", f"<= {MEMORY_MB:g} MB" if judged else "informative",
                    peak_mb <= MEMORY_MB if judged else None)
    return [first, again, memory]


def imports() -> list[Figure]:
    sizes = [int(n) for n in os.environ.get("BENCH_IMPORT_SIZES", "10000,100000").split(",") if n.strip()]
    return [figure for users in sizes for figure in one_size(users)]
