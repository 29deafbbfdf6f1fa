"""Emulator benchmarks: reset of a seeded emulator, and GET /api/users/{id} throughput under gunicorn.

    python bench/bench_emulator.py            # both
    python bench/bench_emulator.py reset      # one

Targets (issue 2): reset under 5 ms; at least 2,000 GET /api/users/{id} per second on a 2-core machine.
The load comes from wrk when it is installed (it costs the server least CPU), else from a small
keep-alive load generator in separate processes.
"""

from __future__ import annotations

import http.client
import json
import multiprocessing
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time

import httpx

from emulator.testing import in_process

RESET_TARGET_MS = 5.0
RPS_TARGET = 2000
TOKEN = "demo-admin-token"


def big_seed(users: int) -> dict:
    """The demo seed grown to ``users`` users, each with licenses, a role and a device."""
    from emulator.seed import demo_seed

    doc = demo_seed()
    domain = doc["domains"][0]
    domain["licenses"].append({"id": "cm-big", "product": "CALL_MANAGER", "limit": users})
    domain["users"] += [{"username": f"user{i}", "name": f"User {i}", "extension": str(20000 + i),
                         "licenses": ["cm-big"], "roles": ["Agents"]} for i in range(users)]
    return doc


def bench_reset() -> bool:
    ok = True
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
        over_http = []
        for _ in range(300):
            started = time.perf_counter()
            handle.reset()
            over_http.append((time.perf_counter() - started) * 1000)
        med, p99 = statistics.median(direct), sorted(direct)[int(len(direct) * 0.99)]
        http_med = statistics.median(over_http)
        print(f"reset ({label}): median {med:.3f} ms, p99 {p99:.3f} ms; "
              f"POST /__emulator__/reset in process: median {http_med:.3f} ms; "
              f"target {RESET_TARGET_MS} ms -> {RESET_TARGET_MS / max(p99, 1e-9):.1f}x headroom at p99")
        ok &= p99 < RESET_TARGET_MS
        handle.close()
    return ok


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
            raise SystemExit(f"wrk saw errors:\n{out}")
        return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), "wrk -t1 -c8"
    queue: multiprocessing.Queue = multiprocessing.Queue()
    procs = [multiprocessing.Process(target=_python_load, args=(port, path, seconds, queue)) for _ in range(4)]
    for p in procs:
        p.start()
    total = sum(queue.get() for _ in procs)
    for p in procs:
        p.join()
    return total / seconds, "4 keep-alive Python clients"


def bench_rps(seconds: float = 8) -> bool:
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "emulator.cli", "--port", str(port)],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        for _ in range(100):
            try:
                user = httpx.get(f"http://127.0.0.1:{port}/api/users", params={"username": "jsmith"},
                                 headers={"X-Webitel-Access": TOKEN}).json()["items"][0]
                break
            except (httpx.HTTPError, KeyError):
                time.sleep(0.1)
        else:
            raise SystemExit("the emulator did not start")
        path = f"/api/users/{user['id']}"
        measure_rps(port, path, 2)  # warm-up
        rps, how = measure_rps(port, path, seconds)
        print(f"GET {path} under gunicorn (1 worker, gthread), load by {how}, {os.cpu_count()} cores: "
              f"{rps:,.0f} req/s; target {RPS_TARGET:,} -> {rps / RPS_TARGET:.2f}x")
        return rps >= RPS_TARGET
    finally:
        server.terminate()
        server.wait(10)


def main(argv: list[str]) -> int:
    which = set(argv) or {"reset", "rps"}
    results = {}
    if "reset" in which:
        results["reset"] = bench_reset()
    if "rps" in which:
        results["rps"] = bench_rps()
    print(json.dumps({k: "met" if v else "MISSED" for k, v in results.items()}))
    return 0 if all(results.values()) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
