"""What the connector adds to a create, on SQLite and on PostgreSQL in one run, against a floor
measured in the same run on the same database: a bare Flask view that does one ORM INSERT of the same
record (a Webitel user row) and commits.
The connector's own cost per create should be at most 3 times that floor (machines differ threefold in
speed; the floor moves with them).

The create is measured whole (``POST /api/v1/webitel-users`` through Flask's client, so no socket
noise) and, inside it, every Webitel call the connector makes (timed at the connector's httpx
transport, around the in-process emulator). The difference is the connector's own cost: validation,
the look-up, the reservation and the result's commits, serialising the answer.

Two conditions, each against its own floor, in rounds that alternate a batch of floor requests with a
batch of creates (the machine's speed drifts; alternating keeps each pair under the same drift):

* **Webitel answering at once** (judged): the code's own cost with no idle wait, against the bare view
  back to back, the floor as stated. Judged twice: in wall time (what a caller waits) and in the
  thread's CPU time (what the connector computes, whatever else runs on the machine: the figure a
  busy machine disturbs least), each against the floor's.
* **Webitel answering after 20 ms** (informative): a real Webitel is a network hop away. A process
  that waited idle is slower for a while after (on this project's 2-core VM the bare view's INSERT and
  commit take 2.5-3x as long right after a 20 ms sleep as back to back: caches and the vCPU's clock
  go cold), so the floor's view waits as long before its INSERT, and that wait is left out of it
  exactly as the Webitel call is left out of the create.

SQLite: a file in a temporary folder (the embedded default). PostgreSQL: ``BENCH_DATABASE_URL`` (an
empty database: it is migrated and filled with the bench's users), else a new database on
``TEST_DATABASE_URL``'s server, else a throwaway cluster started as the tests start theirs
(``tests/support/postgres.py``) but with PostgreSQL's default settings (fsync and synchronous commit
on) unless ``BENCH_POSTGRES_SETTINGS`` says otherwise (e.g. ``-c fsync=off``).
"""

from __future__ import annotations

import itertools
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from flask import Flask, request
from sqlalchemy import delete, event, func, select, text

from connector.app import create_app, dispose
from connector.config import Config
from connector.creatio import SystemUserType
from connector.creatio.embedded import add_system_user
from connector.db import make_engine, make_session_factory
from connector.migrate import upgrade
from connector.models import SysAdminUnit, WebitelUser
from emulator.testing import in_process

from .suite import Figure

TARGET_RATIO = 3.0
WARM_UP = 20
ROOT = Path(__file__).resolve().parents[1]


class TimedTransport(httpx.BaseTransport):
    """Adds up the time spent in Webitel calls (request sent to answer read)."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner, self.spent_s, self.cpu_s, self.calls = inner, 0.0, 0.0, 0

    def handle_request(self, request):
        started, cpu = time.perf_counter(), time.thread_time()
        response = self.inner.handle_request(request)
        response.read()
        self.spent_s += time.perf_counter() - started
        self.cpu_s += time.thread_time() - cpu
        self.calls += 1
        return response


@dataclass
class Rounds:
    """One measure's rounds: per round, the median of the creates' own cost and of the floor's."""

    creates_ms: list[float]
    floors_ms: list[float]

    @property
    def ratios(self) -> list[float]:
        return [c / f for c, f in zip(self.creates_ms, self.floors_ms, strict=True)]

    @property
    def median_round(self) -> int:
        """The round whose ratio is the median: its create and floor are the figures (a round's create
        and floor ran side by side, under the same drift of the machine's speed)."""
        ratios = self.ratios
        return sorted(range(len(ratios)), key=ratios.__getitem__)[len(ratios) // 2]

    @property
    def create_ms(self) -> float:
        return self.creates_ms[self.median_round]

    @property
    def floor_ms(self) -> float:
        return self.floors_ms[self.median_round]

    @property
    def passed(self) -> bool:
        return self.create_ms <= TARGET_RATIO * self.floor_ms


@dataclass
class Condition:
    """One condition's rounds, in wall time and in CPU time, and its Webitel calls."""

    name: str
    wall: Rounds = field(default_factory=lambda: Rounds([], []))
    cpu: Rounds = field(default_factory=lambda: Rounds([], []))
    webitel_ms: list[float] = field(default_factory=list)  # the Webitel calls of a create, median per round


class Floor:
    """A bare Flask view that does one ORM INSERT of the same record (a Webitel user row, into the same
    table) and commits, called through Flask's client as the creates are. Asked to, it first waits
    idle as long as Webitel takes to answer a create (then that wait is left out of its time, as the
    Webitel call is left out of the create's)."""

    def __init__(self, url: str) -> None:
        self.engine = make_engine(url)
        sessions = make_session_factory(self.engine)
        self.app = Flask("bench_floor")
        self.waited_s = 0.0
        self.made = itertools.count()

        @self.app.post("/floor")
        def insert_one():
            body = request.get_json()
            if body["wait_s"]:
                started = time.perf_counter()
                time.sleep(body["wait_s"])
                self.waited_s = time.perf_counter() - started
            with sessions() as session:
                name = body["name"]
                session.add(WebitelUser(system_user_id=uuid.uuid4(), user_name=name, webitel_username=name,
                                        webitel_username_key=name, state="active", sync_state="in_sync"))
                session.commit()
            return {"ok": True}, 201

        self.client = self.app.test_client()

    def measure(self, requests: int, *, wait_s: float = 0.0) -> tuple[list[float], list[float]]:
        """The wall ms of each request, less the view's wait, and its CPU ms (the thread's: an idle
        wait costs none)."""
        took, cpu = [], []
        for _ in range(requests):
            self.waited_s = 0.0
            started, cpu_started = time.perf_counter(), time.thread_time()
            response = self.client.post("/floor", json={"name": f"floor-{next(self.made)}", "wait_s": wait_s})
            elapsed = time.perf_counter() - started - self.waited_s
            cpu.append((time.thread_time() - cpu_started) * 1000)
            assert response.status_code == 201
            took.append(elapsed * 1000)
        return took, cpu

    def close(self) -> None:
        """Its rows go: the bench's database is left with the creates' only."""
        with self.engine.begin() as conn:
            conn.execute(delete(WebitelUser).where(WebitelUser.webitel_username.like("floor-%")))
        self.engine.dispose()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def measure(app, timed: TimedTransport, users: list, extensions: Iterator[int]) -> tuple[list, list, list, list]:
    """Create one Webitel user per Creatio user: (total ms, Webitel ms, Webitel calls, the connector's
    own CPU ms) per create. CPU time is what the connector itself computed, whatever else ran on the
    machine; wall time is what the caller waits."""
    client = app.test_client()
    headers = {"Authorization": "Bearer bench"}
    totals, webitel, calls, cpu = [], [], [], []
    for user_id in users:
        timed.spent_s, timed.cpu_s, timed.calls = 0.0, 0.0, 0
        started, cpu_started = time.perf_counter(), time.thread_time()
        response = client.post("/api/v1/webitel-users", headers=headers,
                               json={"user_id": str(user_id), "extension": str(next(extensions))})
        elapsed = time.perf_counter() - started
        cpu.append((time.thread_time() - cpu_started - timed.cpu_s) * 1000)
        if response.status_code != 201:
            raise RuntimeError(f"create failed: {response.status_code} {response.get_json()}")
        totals.append(elapsed * 1000)
        webitel.append(timed.spent_s * 1000)
        calls.append(timed.calls)
    return totals, webitel, calls, cpu


def statements_per_create(app, timed: TimedTransport, users: list, extensions: Iterator[int]) -> float:
    """Creates (the warm-up) with the SQL statements counted; not timed, the count is the point."""
    statements = []
    engine = app.extensions["connector"].engine

    def count(*_args) -> None:
        statements.append(1)

    event.listen(engine, "before_cursor_execute", count)
    try:
        measure(app, timed, users, extensions)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(statements) / len(users)


def bench(database: str, url: str, *, creates: int, rounds: int, delay_ms: int) -> list[Condition]:
    emulator = in_process()  # a Webitel of its own per database: the same usernames are created on each
    upgrade(url)
    assert emulator.transport is not None, "an in-process emulator has its transport"
    timed = TimedTransport(emulator.transport)
    app = create_app(Config(api_token="bench", database_url=url, webitel_url=emulator.base_url,
                            webitel_token=emulator.token, log_level="WARNING"), webitel_transport=timed)
    extensions = itertools.count(10000)
    floor = Floor(url)
    try:
        with app.extensions["connector"].sessions() as session:
            if session.scalar(select(func.count()).select_from(SysAdminUnit)):
                raise RuntimeError(f"{database}: the database is not empty (the bench fills it with its own users)")
            users = iter([add_system_user(session, name=f"bench{i:05d}", contact_name=f"Bench User {i}",
                                          type=SystemUserType.EMPLOYEE).id
                          for i in range(WARM_UP + 2 * creates * rounds)])
            server = describe(session, database)
        print(f"{database}: {server}")
        # Warm-up: caches, pools, the first pages of the database.
        floor.measure(WARM_UP)
        statements = statements_per_create(app, timed, list(itertools.islice(users, WARM_UP)), extensions)
        print(f"  {statements:.0f} SQL statements per create")
        conditions = []
        for name, wait_ms in (("Webitel at once", 0), (f"Webitel after {delay_ms} ms", delay_ms)):
            if wait_ms:
                emulator.add_fault(path="/api/*", action="delay", delay_ms=wait_ms)
            else:
                emulator.clear_faults()
            condition = Condition(name)
            for r in range(rounds):
                floor_ms, floor_cpu = floor.measure(creates, wait_s=wait_ms / 1000)
                totals, webitel, calls, cpu = measure(app, timed, list(itertools.islice(users, creates)), extensions)
                overhead = [t - w for t, w in zip(totals, webitel, strict=True)]
                condition.wall.creates_ms.append(statistics.median(overhead))
                condition.wall.floors_ms.append(statistics.median(floor_ms))
                condition.cpu.creates_ms.append(statistics.median(cpu))
                condition.cpu.floors_ms.append(statistics.median(floor_cpu))
                condition.webitel_ms.append(statistics.median(webitel))
                print(f"  {name}, round {r + 1}: create median {statistics.median(totals):6.2f} ms, its "
                      f"{statistics.median(calls):.0f} Webitel call(s) {condition.webitel_ms[-1]:6.2f} ms, "
                      f"connector's own cost median {condition.wall.creates_ms[-1]:5.2f} ms (p90 "
                      f"{percentile(overhead, 0.9):5.2f} ms, CPU {condition.cpu.creates_ms[-1]:4.2f} ms); floor "
                      f"median {condition.wall.floors_ms[-1]:5.2f} ms (p90 {percentile(floor_ms, 0.9):5.2f} ms, CPU "
                      f"{condition.cpu.floors_ms[-1]:4.2f} ms): {condition.wall.ratios[-1]:.2f}x, CPU "
                      f"{condition.cpu.ratios[-1]:.2f}x")
            conditions.append(condition)
    finally:
        floor.close()
        dispose(app)
    return conditions


def describe(session, database: str) -> str:
    if database == "SQLite":
        mode = session.execute(text("PRAGMA journal_mode")).scalar_one()
        return f"SQLite {session.execute(text('SELECT sqlite_version()')).scalar_one()}, journal_mode {mode}"
    settings = {name: session.execute(text(f"SHOW {name}")).scalar_one()
                for name in ("server_version", "fsync", "synchronous_commit")}
    return (f"PostgreSQL {settings['server_version']}, fsync {settings['fsync']}, synchronous_commit "
            f"{settings['synchronous_commit']}")


@contextmanager
def postgres_database(url: str | None, settings: str) -> Iterator[str]:
    """``url`` as given, else a new database on the tests' PostgreSQL server (dropped at the end)."""
    if url:
        yield url
        return
    if str(ROOT) not in sys.path:  # run as a script: tests.support lives at the project root
        sys.path.insert(0, str(ROOT))
    from tests.support.postgres import PostgresUnavailable, postgres_server

    try:
        with postgres_server(settings) as server:
            database = server.create_database("connector_bench")
            try:
                yield database
            finally:
                server.drop_database(database)
    except PostgresUnavailable as exc:
        raise RuntimeError(f"PostgreSQL: {exc} (or set BENCH_DATABASE_URL)") from None


def create_overhead(creates: int = 200, rounds: int = 3, delay_ms: int = 20) -> list[Figure]:
    sizes = {"creates": creates, "rounds": rounds, "delay_ms": delay_ms}
    print(f"connector create benchmark, per database and condition: {rounds} rounds, each {creates} requests to "
          f"the floor's view then {creates} creates")
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        results["SQLite"] = bench("SQLite", f"sqlite:///{Path(folder) / 'bench.sqlite'}", **sizes)
    with postgres_database(os.environ.get("BENCH_DATABASE_URL"), os.environ.get("BENCH_POSTGRES_SETTINGS", "")) as url:
        results["PostgreSQL"] = bench("PostgreSQL", url, **sizes)
    figures = []
    floor_what = "the bare view: ORM INSERT of a Webitel user row and commit"
    target = f"<= {TARGET_RATIO:g}x the floor"
    for database, (at_once, waited) in results.items():
        for condition, measured, what, floor, judged in (
                (at_once, at_once.wall, "own cost per create", floor_what, True),
                (at_once, at_once.cpu, "own CPU time per create", f"{floor_what}, its CPU time", True),
                (waited, waited.wall, "own cost per create", f"{floor_what}, after waiting {delay_ms} ms", False),
                (waited, waited.cpu, "own CPU time per create", f"{floor_what}, after waiting {delay_ms} ms, its "
                                                                f"CPU time", False)):
            ratios = ", ".join(f"{r:.2f}" for r in measured.ratios)
            figures.append(Figure(
                "connector create", f"{what}, {database}, {condition.name} (median round; rounds' ratios {ratios})",
                measured.create_ms, "ms", measured.floor_ms, floor, target if judged else "informative",
                measured.passed if judged else None))
        figures.append(Figure("connector create", f"its Webitel call, {database}",
                              waited.webitel_ms[waited.wall.median_round], "ms", None,
                              f"informative: Webitel answering after {delay_ms} ms", "", None))
    return figures
