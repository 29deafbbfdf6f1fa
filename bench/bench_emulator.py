"""Emulator benchmarks, each figure beside a floor measured in the same run:

- ``reset``: ``POST /__emulator__/reset`` of the demo seed (target: p99 under 5 ms; the floor is
  unpickling an empty world);
- ``scale``: a seed of 100,000 users (licenses, a role and a generated SIP device each; a fifth of
  them agents with 3 skills, the import bench's seed) loaded, then paged through
  ``GET /api/users?size=1000`` over real HTTP (target: the load at most 10 s, read against a floor
  of an empty Flask app starting under the same gunicorn plus the same records built as plain
  objects in this process; paging at most 6x the floor, the same pages already rendered and served
  by a bare Flask view under the same gunicorn settings: the emulator renders each of the users
  through Webitel's schema, joining its licenses, roles and devices, where the floor only sends
  bytes); then, informative, the longest wait of a request made while ``GET /__emulator__/state``
  dumps that world (read against the dump's duration, which every request waited when the dump
  held the lock), the same while its users are read by pages (``GET /__emulator__/state?section=users``,
  read against the whole dump's longest wait), and a snapshot of it exported and loaded back;
- ``rps``: ``GET /api/users/{id}`` under gunicorn against a bare Flask view returning the same JSON
  under the same gunicorn settings (``emulator.cli.serve``: one gthread worker, 4 threads), in one
  run (target: the emulator keeps at least 0.8 of the bare throughput). The server's CPU time per
  request is printed too: it does not depend on how fast the load generator is.

The load comes from keep-alive Python clients in separate processes. Run them with ``python -m bench
emulator-reset emulator-scale emulator-throughput`` (``BENCH_EMULATOR_USERS``, default 100,000).
"""

from __future__ import annotations

import http.client
import json
import multiprocessing
import os
import pickle
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from emulator.state import World, gc_paused
from emulator.testing import in_process

from .bench_import import seed as import_seed
from .suite import Figure

RESET_TARGET_MS = 5.0
LOAD_TARGET_S = 10.0
PAGING_TARGET_RATIO = 6.0
RPS_TARGET_RATIO = 0.8
TOKEN = "demo-admin-token"
CLIENTS = 4


def percentile(values: list[float], q: float) -> float:
    return sorted(values)[min(len(values) - 1, int(len(values) * q))]


# -- reset -----------------------------------------------------------------------------------------
def reset() -> list[Figure]:
    handle = in_process()
    for _ in range(50):
        handle.reset()
    over_http = []
    for _ in range(1000):
        started = time.perf_counter()
        handle.reset()
        over_http.append((time.perf_counter() - started) * 1000)
    empty = pickle.dumps(World(), protocol=pickle.HIGHEST_PROTOCOL)
    floor = []
    for _ in range(1000):
        started = time.perf_counter()
        pickle.loads(empty)
        floor.append((time.perf_counter() - started) * 1000)
    med, p99 = statistics.median(over_http), percentile(over_http, 0.99)
    print(f"reset of the demo seed (POST /__emulator__/reset, in process): median {med:.3f} ms, p99 {p99:.3f} ms; "
          f"floor (unpickling an empty world) median {statistics.median(floor):.3f} ms; "
          f"target p99 < {RESET_TARGET_MS} ms -> {RESET_TARGET_MS / p99:.1f}x headroom")
    handle.close()
    return [Figure("emulator reset", "POST /__emulator__/reset of the demo seed, p99", p99, "ms",
                   statistics.median(floor), "unpickling an empty world, median", f"< {RESET_TARGET_MS:g} ms",
                   p99 < RESET_TARGET_MS),
            Figure("emulator reset", "POST /__emulator__/reset of the demo seed, median", med, "ms", None,
                   "informative", "", None)]


# -- servers ---------------------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def served(code: str) -> Iterator[tuple[int, int]]:
    """``code`` (Python defining ``app``) served by ``emulator.cli.serve`` under gunicorn; (port, pid)."""
    port = _free_port()
    program = f"{code}\nfrom emulator.cli import serve\nserve(app, '127.0.0.1', {port}, server='gunicorn', threads=4)\n"
    server = subprocess.Popen([sys.executable, "-c", program], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              text=True)
    try:
        for _ in range(600):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                if server.poll() is not None:
                    raise SystemExit(f"the server did not start: {server.stderr.read() if server.stderr else ''}") \
                        from None
                time.sleep(0.1)
        else:
            raise SystemExit("the server did not start in 60 s")
        yield port, server.pid
    finally:
        server.terminate()
        try:
            server.wait(60)  # a worker holding 100,000 users takes a while to free them on a busy machine
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def emulator_code(seed_file: str | None = None) -> str:
    seed = f"read_seed_file({seed_file!r})" if seed_file else "None"
    return f"from emulator.app import create_app\nfrom emulator.seed import read_seed_file\napp = create_app({seed})"


def bare_code(pages: dict[str, bytes]) -> str:
    """A bare Flask app answering each path with its bytes (no token check, no rendering)."""
    with tempfile.NamedTemporaryFile("wb", suffix=".pickle", delete=False) as file:
        pickle.dump(pages, file)
    return (f"import pickle\nfrom flask import Flask, Response, request\n"
            f"PAGES = pickle.load(open({file.name!r}, 'rb'))\napp = Flask('bare')\n"
            "@app.get('/api/<path:rest>')\n"
            "def page(rest):\n"
            "    return Response(PAGES[request.full_path.rstrip('?')], mimetype='application/json')\n")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its children (gunicorn's worker)."""
    tick = os.sysconf("SC_CLK_TCK")
    total, pending = 0.0, [pid]
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return total


# -- load ------------------------------------------------------------------------------------------
def _client(port: int, path: str, seconds: float, out) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port)
    count, deadline = 0, time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        conn.request("GET", path, headers={"X-Webitel-Access": TOKEN})
        response = conn.getresponse()
        response.read()
        if response.status != 200:
            raise SystemExit(f"GET {path}: {response.status}")
        count += 1
    out.put(count)


def throughput(port: int, pid: int, path: str, seconds: float) -> tuple[float, float]:
    """(requests per second, server CPU microseconds per request) over ``seconds``."""
    queue: multiprocessing.Queue = multiprocessing.Queue()
    procs = [multiprocessing.Process(target=_client, args=(port, path, seconds, queue)) for _ in range(CLIENTS)]
    cpu = cpu_seconds(pid)
    for p in procs:
        p.start()
    total = sum(queue.get() for _ in procs)
    for p in procs:
        p.join()
    return total / seconds, (cpu_seconds(pid) - cpu) / total * 1e6


def rps(seconds: float = 8.0) -> list[Figure]:
    with served(emulator_code()) as (port, pid):
        client = httpx.Client(base_url=f"http://127.0.0.1:{port}/api", headers={"X-Webitel-Access": TOKEN})
        user = client.get("/users", params={"username": "jsmith"}).json()["items"][0]
        path = f"/api/users/{user['id']}"
        body = client.get(f"/users/{user['id']}").content
        throughput(port, pid, path, 2)  # warm-up
        with served(bare_code({path: body})) as (bare_port, bare_pid):
            throughput(bare_port, bare_pid, path, 2)
            rounds = []
            for _ in range(2):  # alternate, so that a noisy moment hits both
                rounds.append((throughput(port, pid, path, seconds / 2), throughput(bare_port, bare_pid, path,
                                                                                     seconds / 2)))
    emulator_rps = sum(r[0][0] for r in rounds) / len(rounds)
    bare_rps = sum(r[1][0] for r in rounds) / len(rounds)
    emulator_cpu = sum(r[0][1] for r in rounds) / len(rounds)
    bare_cpu = sum(r[1][1] for r in rounds) / len(rounds)
    ratio = emulator_rps / bare_rps
    print(f"GET {path}, {CLIENTS} keep-alive clients, gunicorn 1 gthread worker x 4 threads, {os.cpu_count()} cores:\n"
          f"  emulator {emulator_rps:,.0f} req/s ({emulator_cpu:.0f} us server CPU per request); "
          f"bare Flask view, same JSON {bare_rps:,.0f} req/s ({bare_cpu:.0f} us)\n"
          f"  ratio {ratio:.2f} (target >= {RPS_TARGET_RATIO}); CPU ratio bare/emulator {bare_cpu / emulator_cpu:.2f}")
    return [Figure("emulator throughput", "GET /api/users/{id}, gunicorn 1 worker x 4 threads", emulator_rps, "req/s",
                   bare_rps, "a bare Flask view returning the same JSON, same settings",
                   f">= {RPS_TARGET_RATIO}x the floor", ratio >= RPS_TARGET_RATIO),
            Figure("emulator throughput", "server CPU per request", emulator_cpu, "us", bare_cpu,
                   "the bare view's", "informative", None)]


# -- scale -----------------------------------------------------------------------------------------
def _pages(get: Callable[[int], httpx.Response]) -> tuple[int, float, dict[str, bytes]]:
    """Page through ``GET /api/users?size=1000``: (users, seconds, body of each page by path)."""
    users, page, bodies = 0, 1, {}
    started = time.perf_counter()
    while True:
        response = get(page)
        response.raise_for_status()
        bodies[f"/api/users?page={page}&size=1000"] = response.content
        data = response.json()
        users += len(data.get("items", []))
        if not data.get("next"):
            return users, time.perf_counter() - started, bodies
        page += 1


@dataclass
class _Row:
    id: int
    name: str
    extension: str
    refs: list


def plain_records(doc: dict) -> float:
    """Seconds to build the seed's records as plain objects keyed by id, with a unique index on
    the name (a user and a device per user, an agent and a row per skill): what any in-memory
    model of the same world costs before any of Webitel's rules or indexes."""
    started = time.perf_counter()
    with gc_paused():  # as the emulator builds its world
        rows: dict[int, _Row] = {}
        names: dict[str, int] = {}
        next_id = 0
        for user in doc["domains"][0]["users"]:
            for kind in ("user", "device"):
                next_id += 1
                rows[next_id] = _Row(next_id, f"{kind}:{user['username']}", user.get("extension", ""),
                                     list(user.get("licenses", ())))
                names[rows[next_id].name.casefold()] = next_id
            agent = user.get("agent")
            for skill in ([{"skill": "agent"}, *agent.get("skills", ())] if agent else ()):
                next_id += 1
                rows[next_id] = _Row(next_id, str(skill["skill"]), "", [next_id - 1])
    return time.perf_counter() - started


def whole_state(own: httpx.Client) -> None:
    """``GET /__emulator__/state``: the whole world, copied under the lock, then dumped."""
    own.get("/__emulator__/state").raise_for_status()


def paged_users(own: httpx.Client) -> None:
    """Every page of the demo domain's users (``GET /__emulator__/state?section=users&size=1000``),
    each holding the lock only while its own rows are dumped."""
    page = 1
    while own.get("/__emulator__/state", params={"domain": "demo", "section": "users", "page": page,
                                                   "size": 1000}).raise_for_status().json()["next"]:
        page += 1


def during(port: int, client: httpx.Client, read: Callable[[httpx.Client], None]) -> tuple[float, list[float]]:
    """``read`` of the world's state in one thread, ``GET /api/users/2`` again and again in this one
    until it ends: (the read's seconds, each request's seconds meanwhile)."""
    done: list[float] = []

    def reader() -> None:
        started = time.perf_counter()
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=600) as own:
            read(own)
        done.append(time.perf_counter() - started)

    thread = threading.Thread(target=reader)
    thread.start()
    waits = []
    while not done and thread.is_alive():
        started = time.perf_counter()
        client.get("/api/users/2").raise_for_status()
        waits.append(time.perf_counter() - started)
    thread.join()
    if not done:
        raise SystemExit(f"{read.__name__}: reading GET /__emulator__/state failed")
    return done[0], waits


def snapshot_round_trip(client: httpx.Client) -> list[Figure]:
    """The whole world exported (``GET /__emulator__/snapshot``) and loaded back (``PUT``)."""
    started = time.perf_counter()
    data = client.get("/__emulator__/snapshot", timeout=600).raise_for_status().content
    export_s = time.perf_counter() - started
    started = time.perf_counter()
    client.put("/__emulator__/snapshot", content=data, timeout=600).raise_for_status()
    load_s = time.perf_counter() - started
    print(f"  snapshot of {len(data) / 1e6:.0f} MB exported in {export_s:.1f} s, loaded back in {load_s:.1f} s")
    return [Figure("emulator scale", f"snapshot exported ({len(data) / 1e6:.0f} MB)", export_s, "s", None,
                   "informative", "", None),
            Figure("emulator scale", "snapshot loaded back (read, checked whole, made the reset point)", load_s, "s",
                   None, "informative", "", None)]


def scale(users: int | None = None) -> list[Figure]:
    users = users or int(os.environ.get("BENCH_EMULATOR_USERS", "100000"))
    doc = import_seed(users)
    agents = sum(1 for u in doc["domains"][0]["users"] if u.get("agent"))
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as file:
        json.dump(doc, file)
    started = time.perf_counter()
    with served(emulator_code(file.name)) as (port, _pid):
        load_s = time.perf_counter() - started
        client = httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"X-Webitel-Access": TOKEN}, timeout=60)
        count, paging_s, bodies = _pages(lambda p: client.get("/api/users", params={"page": p, "size": 1000}))
        dump_s, waits = during(port, client, whole_state)
        paged_s, paged_waits = during(port, client, paged_users)
        snapshot_figures = snapshot_round_trip(client)
    started = time.perf_counter()
    with served("from flask import Flask\napp = Flask('empty')") as _empty:
        empty_start_s = time.perf_counter() - started
    records_s = plain_records(doc)
    start_floor_s = empty_start_s + records_s
    with served(bare_code(bodies)) as (bare_port, _bare_pid):
        bare = httpx.Client(base_url=f"http://127.0.0.1:{bare_port}", timeout=60)
        _count, floor_s, _ = _pages(lambda p: bare.get(f"/api/users?page={p}&size=1000"))
    Path(file.name).unlink()
    ratio = paging_s / floor_s
    print(f"{users:,} users ({agents:,} agents with 3 skills): seed loaded and served in {load_s:.1f} s (floor "
          f"{start_floor_s:.1f} s: an empty Flask app under the same gunicorn starts in {empty_start_s:.1f} s, the "
          f"same records as plain objects take {records_s:.1f} s; ratio {load_s / start_floor_s:.1f}; "
          f"target < {LOAD_TARGET_S:.0f} s)\n"
          f"  paged {count:,} users (GET /api/users?size=1000) in {paging_s:.1f} s, {count / paging_s:,.0f} users/s; "
          f"floor (the same pages from a bare Flask view) {floor_s:.2f} s; ratio {ratio:.1f} "
          f"(target <= {PAGING_TARGET_RATIO})\n"
          f"  GET /__emulator__/state took {dump_s:.1f} s; meanwhile {len(waits)} GET /api/users/2 answered, the "
          f"longest in {max(waits):.2f} s (median {statistics.median(waits) * 1000:.1f} ms)\n"
          f"  its users read by pages (GET /__emulator__/state?section=users&size=1000) in {paged_s:.1f} s; meanwhile "
          f"{len(paged_waits)} GET /api/users/2 answered, the longest in {max(paged_waits) * 1000:.0f} ms (median "
          f"{statistics.median(paged_waits) * 1000:.1f} ms); ratio to the whole dump's longest wait "
          f"{max(paged_waits) / max(waits):.3f}")
    return [Figure("emulator scale", f"a seed of {users:,} users, {agents:,} agents with skills, loaded and served",
                   load_s, "s", start_floor_s,
                   "an empty Flask app under the same gunicorn starts, plus the same records built as plain objects",
                   f"< {LOAD_TARGET_S:g} s",
                   load_s < LOAD_TARGET_S),
            Figure("emulator scale", f"{count:,} users paged (size 1000)", paging_s, "s", floor_s,
                   "the same pages from a bare Flask view", f"<= {PAGING_TARGET_RATIO:g}x the floor",
                   ratio <= PAGING_TARGET_RATIO),
            Figure("emulator scale", f"longest wait of a request during a state dump ({len(waits)} served meanwhile)",
                   max(waits), "s", dump_s, "the dump's duration, which every request waited while the dump held the "
                   "lock", "informative", None),
            Figure("emulator scale", f"longest wait of a request while the users are read by pages of 1000 "
                   f"({len(paged_waits)} served meanwhile)", max(paged_waits), "s", max(waits),
                   "the longest wait of a request during the whole-copy state dump, same run", "informative", None),
            *snapshot_figures]

