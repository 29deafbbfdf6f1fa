"""Emulator benchmarks: reset of a seeded emulator, and GET /api/users/{id} throughput under gunicorn.

Targets (issue 2): reset under 5 ms at p99; at least 2,000 GET /api/users/{id} per second on a
2-core machine. Floors, measured in the same run: for reset, unpickling the same seeded world (what
a reset cannot beat); for throughput, a bare WSGI app that answers a fixed body under the same
gunicorn settings and the same load (what the server and the load generator allow at all). The
load comes from wrk when it is installed (it costs the server least CPU), else from a small
keep-alive load generator in separate processes.
"""

from __future__ import annotations

import http.client
import multiprocessing
import os
import pickle
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

from emulator.testing import in_process

from .suite import Figure

RESET_TARGET_MS = 5.0
RPS_TARGET = 2000
TOKEN = "demo-admin-token"
ROOT = Path(__file__).resolve().parents[1]


def big_seed(users: int) -> dict:
    """The demo seed grown to ``users`` users, each with licenses, a role and a device."""
    from emulator.seed import demo_seed

    doc = demo_seed()
    domain = doc["domains"][0]
    domain["licenses"].append({"id": "cm-big", "product": "CALL_MANAGER", "limit": users})
    domain["users"] += [{"username": f"user{i}", "name": f"User {i}", "extension": str(20000 + i),
                         "licenses": ["cm-big"], "roles": ["Agents"]} for i in range(users)]
    return doc


def p99(values: list[float]) -> float:
    return sorted(values)[int(len(values) * 0.99)]


def reset() -> list[Figure]:
    figures = []
    for label, seed in (("demo seed", None), ("demo seed + 200 users", big_seed(200))):
        handle = in_process(seed)
        backend = handle.emulator.backend
        for _ in range(50):
            backend.reset()
        direct = []
        for _ in range(1000):
            started = time.perf_counter()
            handle.emulator.reset()
            direct.append((time.perf_counter() - started) * 1000)
        snapshot = pickle.dumps(backend.world, protocol=pickle.HIGHEST_PROTOCOL)
        floor = []
        for _ in range(1000):
            started = time.perf_counter()
            pickle.loads(snapshot)
            floor.append((time.perf_counter() - started) * 1000)
        over_http = []
        for _ in range(300):
            started = time.perf_counter()
            handle.reset()
            over_http.append((time.perf_counter() - started) * 1000)
        handle.close()
        print(f"reset ({label}): median {statistics.median(direct):.3f} ms, p99 {p99(direct):.3f} ms; "
              f"POST /__emulator__/reset in process: median {statistics.median(over_http):.3f} ms")
        figures.append(Figure("emulator reset", f"reset p99, {label}", p99(direct), "ms", p99(floor),
                              "unpickling the seeded world, p99", f"<= {RESET_TARGET_MS:g} ms",
                              p99(direct) <= RESET_TARGET_MS))
        figures.append(Figure("emulator reset", f"POST /__emulator__/reset median, {label}",
                              statistics.median(over_http), "ms", statistics.median(direct), "reset itself, median",
                              "", None))
    return figures


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _python_load(port: int, path: str, seconds: float, out) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port)
    count, deadline = 0, time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        conn.request("GET", path, headers={"X-Webitel-Access": TOKEN})
        response = conn.getresponse()
        response.read()
        assert response.status == 200
        count += 1
    out.put(count)


def measure_rps(port: int, path: str, seconds: float) -> tuple[float, str]:
    if shutil.which("wrk"):
        out = subprocess.run(["wrk", "-t1", "-c8", f"-d{int(seconds)}s", "-H", f"X-Webitel-Access: {TOKEN}",
                              f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, check=True).stdout
        if "Non-2xx" in out:
            raise RuntimeError(f"wrk saw errors:\n{out}")
        match = re.search(r"Requests/sec:\s+([\d.]+)", out)
        assert match, out
        return float(match.group(1)), "wrk -t1 -c8"
    queue: multiprocessing.Queue = multiprocessing.Queue()
    procs = [multiprocessing.Process(target=_python_load, args=(port, path, seconds, queue)) for _ in range(4)]
    for p in procs:
        p.start()
    total = sum(queue.get() for _ in procs)
    for p in procs:
        p.join()
    return total / seconds, "4 keep-alive Python clients"


def _rps_of(command: list[str], port: int, ready_path: str, path_of, seconds: float) -> tuple[float, str]:
    """Start ``command`` (serving on ``port``), wait until ``ready_path`` answers, load it."""
    server = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                if httpx.get(f"http://127.0.0.1:{port}{ready_path}").is_success:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        else:
            raise RuntimeError(f"{command[:3]} did not start")
        path = path_of(port)
        measure_rps(port, path, 2)  # warm-up
        return measure_rps(port, path, seconds)
    finally:
        server.terminate()
        server.wait(10)


def throughput(seconds: float = 8) -> list[Figure]:
    def user_path(port: int) -> str:
        user = httpx.get(f"http://127.0.0.1:{port}/api/users", params={"username": "jsmith"},
                         headers={"X-Webitel-Access": TOKEN}).json()["items"][0]
        return f"/api/users/{user['id']}"

    port = _free_port()
    rps, how = _rps_of([sys.executable, "-m", "emulator.cli", "--port", str(port)], port, "/__emulator__/faults",
                       user_path, seconds)
    port = _free_port()  # the emulator's settings: 1 gthread worker, 4 threads, keep-alive 30 s
    bare, _how = _rps_of([str(Path(sys.executable).with_name("gunicorn")), "--bind", f"127.0.0.1:{port}",
                          "--workers", "1", "--worker-class", "gthread", "--threads", "4", "--keep-alive", "30",
                          "--no-control-socket", "bench.bare_wsgi:app"], port, "/", lambda _port: "/", seconds)
    print(f"GET /api/users/{{id}} under gunicorn (1 worker, gthread), load by {how}, {os.cpu_count()} cores: "
          f"{rps:,.0f} req/s; a bare WSGI app under the same settings: {bare:,.0f} req/s")
    return [Figure("emulator throughput", f"GET /api/users/{{id}}, load by {how}", rps, "req/s", bare,
                   "a bare WSGI app, same server and load", f">= {RPS_TARGET:,} req/s", rps >= RPS_TARGET)]
