"""What the connector adds to a create, on SQLite and on PostgreSQL in one run, against a floor
measured in the same run on the same database: a bare Flask view that does one ORM INSERT of the same
record (a Webitel user row) and commits.
The connector's own cost per create should be at most 3 times that floor (machines differ threefold in
speed; the floor moves with them).

The create is measured whole (``POST /api/v1/webitel-users`` through Flask's client, so no socket
noise) and, inside it, every Webitel call the connector makes (timed at the connector's httpx
transport, around the in-process emulator, answering after 20 ms). The difference is the connector's
own cost: validation, the look-ups, the reservation and the result's commits, serialising the answer.

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
from dataclasses import dataclass
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
FLOOR_REQUESTS = 300
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
class Result:
    database: str
    reference_ms: float  # Webitel answering at once
    rounds_ms: list[float]  # Webitel answering after the delay
    webitel_ms: float  # the Webitel calls of a create, median, in the quietest round
    floor_ms: float  # a bare Flask view's INSERT and commit on the same database, median

    @property
    def quietest_ms(self) -> float:
        """The quietest round is the connector's own cost; the others also carry what other
        processes on the machine took from it (all rounds are printed)."""
        return min(self.rounds_ms)

    @property
    def passed(self) -> bool:
        return self.quietest_ms <= TARGET_RATIO * self.floor_ms


def floor(url: str) -> float:
    """A bare Flask view that does one ORM INSERT of the same record (a Webitel user row, into the
    same table) and commits, through Flask's client as the creates are: the median ms of
    ``FLOOR_REQUESTS`` requests (after a warm-up). Its rows are removed afterwards."""
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    app = Flask("bench_floor")

    @app.post("/floor")
    def insert_one():
        name = request.get_json()["name"]
        with sessions() as session:
            session.add(WebitelUser(system_user_id=uuid.uuid4(), user_name=name, webitel_username=name,
                                    webitel_username_key=name, state="active", sync_state="in_sync"))
            session.commit()
        return {"ok": True}, 201

    client = app.test_client()
    took = []
    try:
        for n in range(WARM_UP + FLOOR_REQUESTS):
            started = time.perf_counter()
            assert client.post("/floor", json={"name": f"floor-{n}"}).status_code == 201
            took.append((time.perf_counter() - started) * 1000)
    finally:
        with engine.begin() as conn:
            conn.execute(delete(WebitelUser).where(WebitelUser.webitel_username.like("floor-%")))
        engine.dispose()
    return statistics.median(took[WARM_UP:])


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


def bench(database: str, url: str, *, creates: int, rounds: int, delay_ms: int) -> Result:
    emulator = in_process()  # a Webitel of its own per database: the same usernames are created on each
    upgrade(url)
    timed = TimedTransport(emulator.transport)
    app = create_app(Config(api_token="bench", database_url=url, webitel_url=emulator.base_url,
                            webitel_token=emulator.token, log_level="WARNING"), webitel_transport=timed)
    extensions = itertools.count(10000)
    try:
        floor_ms = floor(url)
        print(f"{database}: floor, a bare Flask view's INSERT and commit: median {floor_ms:.2f} ms")
        with app.extensions["connector"].sessions() as session:
            if session.scalar(select(func.count()).select_from(SysAdminUnit)):
                raise RuntimeError(f"{database}: the database is not empty (the bench fills it with its own users)")
            users = [add_system_user(session, name=f"bench{i:05d}", contact_name=f"Bench User {i}",
                                     type=SystemUserType.EMPLOYEE).id for i in range(WARM_UP + creates * (rounds + 1))]
            server = describe(session, database)
        print(f"{database}: {server}")
        # Warm-up: caches, pools, the first pages of the database.
        statements = statements_per_create(app, timed, users[:WARM_UP], extensions)
        # Reference: the same creates with Webitel answering at once (no idle wait before the
        # connector's second half), to tell the code's own cost from what a 20 ms wait adds to it.
        totals, webitel, _calls, _cpu = measure(app, timed, users[WARM_UP + creates * rounds:], extensions)
        reference = statistics.median([t - w for t, w in zip(totals, webitel, strict=True)])
        print(f"  {statements:.0f} SQL statements per create; Webitel answering at once: connector's own cost "
              f"median {reference:.2f} ms")
        emulator.add_fault(path="/api/*", action="delay", delay_ms=delay_ms)
        medians, webitel_medians = [], []
        for r in range(rounds):
            batch = users[WARM_UP + r * creates: WARM_UP + (r + 1) * creates]
            totals, webitel, calls, cpu = measure(app, timed, batch, extensions)
            overhead = [t - w for t, w in zip(totals, webitel, strict=True)]
            medians.append(statistics.median(overhead))
            webitel_medians.append(statistics.median(webitel))
            print(f"  round {r + 1}, Webitel after {delay_ms} ms: create median {statistics.median(totals):6.2f} ms, "
                  f"its {statistics.median(calls):.0f} Webitel call(s) {statistics.median(webitel):6.2f} ms, "
                  f"connector's own cost median {medians[-1]:5.2f} ms (p90 {percentile(overhead, 0.9):5.2f} ms, "
                  f"CPU {statistics.median(cpu):4.2f} ms), overhead/Webitel "
                  f"{medians[-1] / statistics.median(webitel):.3f}")
    finally:
        dispose(app)
    return Result(database, reference, medians, webitel_medians[medians.index(min(medians))], floor_ms)


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
    print(f"connector create benchmark: {rounds} rounds of {creates} creates per database, Webitel answering "
          f"after {delay_ms} ms, and a reference round with Webitel answering at once")
    with tempfile.TemporaryDirectory() as folder:
        results = [bench("SQLite", f"sqlite:///{Path(folder) / 'bench.sqlite'}", **sizes)]
    with postgres_database(os.environ.get("BENCH_DATABASE_URL"), os.environ.get("BENCH_POSTGRES_SETTINGS", "")) as url:
        results.append(bench("PostgreSQL", url, **sizes))
    figures = []
    for result in results:
        rounds_ms = ", ".join(f"{m:.2f}" for m in result.rounds_ms)
        figures.append(Figure(
            "connector create", f"own cost per create, median, {result.database} (quietest of rounds {rounds_ms} ms)",
            result.quietest_ms, "ms", result.floor_ms, "a Flask view: ORM INSERT of a Webitel user row, commit",
            f"<= {TARGET_RATIO:g}x the floor", result.passed))
        figures.append(Figure("connector create", f"its Webitel calls, {result.database}", result.webitel_ms, "ms",
                              None, f"informative: Webitel answering after {delay_ms} ms", "", None))
        figures.append(Figure("connector create", f"own cost per create, median, {result.database}, Webitel at once",
                              result.reference_ms, "ms", None, "informative: the code's own cost", "", None))
    return figures
