"""Load: mixed operations by 32 concurrent clients against the connector under gunicorn (two workers),
PostgreSQL and the emulator (gunicorn, its own process), for ``BENCH_LOAD_SECONDS`` (default 60).

Each client is a Creatio page working on Webitel users of its own: it creates them, changes their
extensions and STUN, grants and revokes licenses and roles, reads them and the list, and deletes them,
and remembers what each of its writes left. Afterwards nothing may be lost: every record must hold
what its client last wrote, the drift report must show no difference between the records and Webitel
(STUN included), and no answer may have been a 5xx. Throughput and latency (p50, p99) are printed
next to a floor measured in the same run by the same clients: the connector's liveness endpoint
(``GET /api/v1/health/live``: the HTTP stack, no work).
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from .suite import Figure

ROOT = Path(__file__).resolve().parents[1]
CLIENTS = 32
USERS_PER_CLIENT = 3
API_TOKEN = "bench-load-token"
LICENSES, ROLES = ["cc-serial-1", "cm-serial-1"], ["1", "2"]


@dataclass
class Tally:
    latencies_ms: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, status: int, ms: float) -> None:
        with self.lock:
            self.latencies_ms.append(ms)
            self.statuses[status] += 1


@dataclass
class Expected:
    """What a client's last successful writes left on one of its records."""

    record_id: str | None = None
    extension: str | None = None
    stun: bool = False
    licenses: set[str] = field(default_factory=set)
    roles: set[str] = field(default_factory=set)


class Client(threading.Thread):
    def __init__(self, number: int, url: str, users: list[str], until: float, tally: Tally) -> None:
        super().__init__(name=f"client-{number}", daemon=True)
        self.number, self.users, self.until, self.tally = number, users, until, tally
        self.http = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {API_TOKEN}"}, timeout=30)
        self.rng = random.Random(number)
        self.expected = {user: Expected() for user in users}
        self.errors: list[str] = []

    def call(self, method: str, path: str, body: dict | None = None) -> httpx.Response:
        started = time.perf_counter()
        response = self.http.request(method, path, json=body)
        self.tally.add(response.status_code, (time.perf_counter() - started) * 1000)
        if response.status_code >= 500:
            self.errors.append(f"{method} {path} -> {response.status_code} {response.text[:300]}")
        return response

    def run(self) -> None:
        while time.monotonic() < self.until:
            user = self.rng.choice(self.users)
            self.step(user, self.expected[user])
        self.http.close()

    def step(self, user: str, mine: Expected) -> None:
        if mine.record_id is None:
            extension = f"{self.number:02d}{self.users.index(user)}{self.rng.randrange(100):02d}"
            answer = self.call("POST", "/webitel-users", {"user_id": user, "extension": extension})
            if answer.status_code == 201:
                mine.__init__(record_id=answer.json()["id"], extension=extension)  # type: ignore[misc]
            return
        rid, choice = mine.record_id, self.rng.random()
        if choice < 0.25:
            self.call("GET", f"/webitel-users/{rid}")
        elif choice < 0.35:
            self.call("GET", "/webitel-users", None)
        elif choice < 0.5:
            extension = f"{self.number:02d}{self.users.index(user)}{self.rng.randrange(100):02d}"
            if self.call("PATCH", f"/webitel-users/{rid}", {"extension": extension}).status_code == 200:
                mine.extension = extension
        elif choice < 0.6:
            if self.call("PATCH", f"/webitel-users/{rid}", {"stun_enabled": not mine.stun}).status_code == 200:
                mine.stun = not mine.stun
        elif choice < 0.75:
            self._toggle(rid, "licenses", "license_id", self.rng.choice(LICENSES), mine.licenses)
        elif choice < 0.9:
            self._toggle(rid, "roles", "role_id", self.rng.choice(ROLES), mine.roles)
        elif self.call("DELETE", f"/webitel-users/{rid}").status_code == 204:
            mine.__init__()  # type: ignore[misc]

    def _toggle(self, rid: str, kind: str, field: str, value: str, held: set) -> None:
        """Take ``value`` (a license or role) away when the record holds it, else give it."""
        if value in held:
            if self.call("DELETE", f"/webitel-users/{rid}/{kind}/{value}").status_code == 204:
                held.discard(value)
        elif self.call("POST", f"/webitel-users/{rid}/{kind}", {field: value}).status_code == 201:
            held.add(value)


def lost_writes(http: httpx.Client, clients: list[Client]) -> list[str]:
    """Every record as its client last left it (and none its client deleted)."""
    held = {r["id"]: r for r in http.get("/webitel-users", params={"size": 500}).json()["items"]}
    lost = []
    for client in clients:
        for mine in client.expected.values():
            if mine.record_id is None:
                continue
            record = held.pop(mine.record_id, None)
            if record is None:
                lost.append(f"record {mine.record_id} is gone")
                continue
            found = (record["extension"], record["stun_enabled"], {lic["id"] for lic in record["licenses"]},
                     {role["id"] for role in record["roles"]})
            if found != (mine.extension, mine.stun, mine.licenses, mine.roles):
                lost.append(f"record {mine.record_id}: {found} instead of {mine}")
    lost += [f"record {rid} ({r['webitel_username']}) should have been deleted" for rid, r in held.items()]
    return lost


def drive(url: str, seconds: float, clients_users: list[list[str]] | None, path: str | None = None) -> tuple:
    """Run the clients (or, with ``path``, only GETs of ``path``) for ``seconds``."""
    tally, until = Tally(), time.monotonic() + seconds
    if path is not None:
        def reader(number: int) -> None:
            with httpx.Client(base_url=url, timeout=30) as http:
                while time.monotonic() < until:
                    started = time.perf_counter()
                    response = http.get(path)
                    tally.add(response.status_code, (time.perf_counter() - started) * 1000)

        threads = [threading.Thread(target=reader, args=(n,), daemon=True) for n in range(CLIENTS)]
        clients: list[Client] = []
    else:
        assert clients_users is not None
        clients = [Client(n, url, users, until, tally) for n, users in enumerate(clients_users)]
        threads = list(clients)
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return tally, time.monotonic() - started, clients


def load(seconds: float | None = None) -> list[Figure]:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from tests.support.servers import ConnectorServer, EmulatorProcess, connector_env, run_cli

    from .bench_connector import postgres_database

    seconds = seconds or float(os.environ.get("BENCH_LOAD_SECONDS", "60"))
    with postgres_database(os.environ.get("BENCH_DATABASE_URL"), os.environ.get("BENCH_POSTGRES_SETTINGS", "")) as db:
        emulator = EmulatorProcess("--threads", "8")
        env = connector_env(database_url=db, webitel_url=emulator.base_url, webitel_token=emulator.token,
                            api_token=API_TOKEN, CONNECTOR_LOG_LEVEL="WARNING")
        migrated = run_cli("migrate", env=env)
        if migrated.returncode != 0:
            raise RuntimeError(migrated.stderr)
        server = ConnectorServer(env, workers=2, threads=16)
        try:
            http = httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {API_TOKEN}"}, timeout=60)
            users = [[http.post("/creatio/users", json={"name": f"load{c:02d}u{u}", "contact_name": f"Load {c} {u}",
                                                         "type": "employee"}).json()["id"]
                      for u in range(USERS_PER_CLIENT)] for c in range(CLIENTS)]
            floor, floor_s, _ = drive(server.url, min(10.0, seconds / 3), None, path="/health/live")
            tally, took_s, clients = drive(server.url, seconds, users)
            drift = http.get("/drift", params={"size": 500}, timeout=300).json()["items"]
            differing = [item for item in drift if item["kind"] != "missing_record"]
            lost = lost_writes(http, clients)
            http.close()
        finally:
            server.stop()
            emulator.stop()
    errors = [error for client in clients for error in client.errors]
    five = sum(count for status, count in tally.statuses.items() if status >= 500)
    print(f"load: {len(tally.latencies_ms)} requests in {took_s:.1f} s by {CLIENTS} clients; statuses "
          f"{dict(sorted(tally.statuses.items()))}; floor {len(floor.latencies_ms)} liveness requests in "
          f"{floor_s:.1f} s")
    for line in (errors[:5] + differing[:5] + lost[:5]):
        print(f"  {line}")
    ops = len(tally.latencies_ms) / took_s
    floor_ops = len(floor.latencies_ms) / floor_s
    name = f"{CLIENTS} clients, mixed operations, {seconds:.0f} s"
    return [
        Figure("load", f"throughput, {name}", ops, "req/s", floor_ops, "GET /health/live by the same clients",
               "informative", None),
        Figure("load", "latency p50", statistics.median(tally.latencies_ms), "ms",
               statistics.median(floor.latencies_ms), "GET /health/live p50", "informative", None),
        Figure("load", "latency p99", _p99(tally.latencies_ms), "ms", _p99(floor.latencies_ms),
               "GET /health/live p99", "informative", None),
        Figure("load", "5xx answers", five, "answers", None, f"of {len(tally.latencies_ms)}", "0", five == 0),
        Figure("load", "records differing from Webitel afterwards (drift report)", len(differing), "records", None,
               f"of {sum(1 for c in clients for m in c.expected.values() if m.record_id)}", "0", not differing),
        Figure("load", "lost writes", len(lost), "records", None, "each record as its client last left it", "0",
               not lost),
    ]


def _p99(values: list[float]) -> float:
    return sorted(values)[int(len(values) * 0.99)] if values else 0.0
