"""What the connector adds to a create: with Webitel answering after 20 ms, a create through the
connector should cost at most 3 ms (median) more than the Webitel calls it makes.

Both are measured in the same run: the whole create (``POST /api/v1/webitel-users`` through Flask's
client, so no socket noise) and, inside it, every Webitel call the connector makes (timed at the
connector's httpx transport, around the in-process emulator). The difference is the connector's own
cost: validation, the reservation and final commits, serialising the answer.

    .venv/bin/python bench/bench_connector.py [--creates 200] [--delay-ms 20] [--database-url URL]

Default database: a SQLite file in a temporary folder (the embedded default). Exit status 1 when
the median overhead is over the target.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

from connector.app import create_app, dispose
from connector.config import Config
from connector.migrate import upgrade
from connector.services import creatio
from emulator.testing import in_process

TARGET_MS = 3.0


class TimedTransport(httpx.BaseTransport):
    """Adds up the time spent in Webitel calls (request sent to answer read)."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner, self.spent_s, self.calls = inner, 0.0, 0

    def handle_request(self, request):
        started = time.perf_counter()
        response = self.inner.handle_request(request)
        response.read()
        self.spent_s += time.perf_counter() - started
        self.calls += 1
        return response


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def run(creates: int, delay_ms: int, database_url: str | None) -> int:
    emulator = in_process()
    with tempfile.TemporaryDirectory() as folder:
        url = database_url or f"sqlite:///{Path(folder) / 'bench.sqlite'}"
        upgrade(url)
        timed = TimedTransport(emulator.transport)
        app = create_app(Config(api_token="bench", database_url=url, webitel_url=emulator.base_url,
                                webitel_token=emulator.token, log_level="WARNING"), webitel_transport=timed)
        with app.extensions["connector"].sessions() as session:
            users = [creatio.create_system_user(session, name=f"bench{i:05d}", contact_name=f"Bench User {i}",
                                                type="employee").id for i in range(creates + 10)]
        client = app.test_client()
        headers = {"Authorization": "Bearer bench"}
        emulator.add_fault(path="/api/*", action="delay", delay_ms=delay_ms)
        totals, webitel, calls = [], [], []
        for i, user_id in enumerate(users):
            timed.spent_s, timed.calls = 0.0, 0
            started = time.perf_counter()
            response = client.post("/api/v1/webitel-users", headers=headers,
                                   json={"user_id": str(user_id), "extension": str(20000 + i)})
            elapsed = time.perf_counter() - started
            if response.status_code != 201:
                print(f"create failed: {response.status_code} {response.get_json()}", file=sys.stderr)
                return 2
            if i >= 10:  # the first few warm up caches and pools
                totals.append(elapsed * 1000)
                webitel.append(timed.spent_s * 1000)
                calls.append(timed.calls)
        dispose(app)
    overhead = [t - w for t, w in zip(totals, webitel, strict=True)]
    median_overhead = statistics.median(overhead)
    print(f"connector create benchmark: {creates} creates, Webitel answering after {delay_ms} ms, "
          f"database {url.split(':')[0]}")
    print(f"  Webitel calls per create      : {statistics.median(calls):.0f}")
    print(f"  create through the connector  : median {statistics.median(totals):7.2f} ms   "
          f"p90 {percentile(totals, 0.9):7.2f} ms")
    print(f"  its Webitel calls             : median {statistics.median(webitel):7.2f} ms   "
          f"p90 {percentile(webitel, 0.9):7.2f} ms")
    print(f"  connector's own cost          : median {median_overhead:7.2f} ms   "
          f"p90 {percentile(overhead, 0.9):7.2f} ms")
    print(f"  overhead / Webitel time       : {median_overhead / statistics.median(webitel):.3f}")
    verdict = "PASS" if median_overhead <= TARGET_MS else "FAIL"
    print(f"  target: median overhead <= {TARGET_MS} ms -> {verdict}")
    return 0 if verdict == "PASS" else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--creates", type=int, default=200)
    parser.add_argument("--delay-ms", type=int, default=20)
    parser.add_argument("--database-url", default=None, help="default: a temporary SQLite file")
    args = parser.parse_args()
    return run(args.creates, args.delay_ms, args.database_url)


if __name__ == "__main__":
    sys.exit(main())
