"""What the OData Creatio side costs on top of the HTTP exchange: reading a system user and a
page of 50, against the Creatio stand-in in process (no sockets).

The time spent inside the transport (the stand-in answering) is measured and taken out, so that
what is left is the client's own work: for the connector, building the query, the sign-in
headers, the retry bookkeeping, decoding the JSON and making records of it; for the floor,
measured in the same run, a bare ``httpx.Client`` sending the same request with the same session
and decoding the JSON. The target is the ratio of the two medians: the connector's own cost at
most 3 times httpx's.

    .venv/bin/python bench/bench_creatio.py [--users 200] [--reads 500]

Exit status 1 when a figure misses the target.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: tests.support lives at the project root
    sys.path.insert(0, str(ROOT))

from connector.config import Config  # noqa: E402
from connector.creatio.odata.query import query_string  # noqa: E402
from connector.creatio.odata.side import USER_EXPAND, USER_SELECT, ODataCreatio  # noqa: E402
from tests.support.creatio import new_stand_in, stand_in_settings  # noqa: E402

TARGET_RATIO = 3.0


class TimedTransport(httpx.BaseTransport):
    """The stand-in's transport, adding up the time spent in it."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.spent_ms = 0.0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        started = time.perf_counter()
        try:
            response = self.inner.handle_request(request)
            response.read()  # the stand-in's whole answer counts as its time
            return response
        finally:
            self.spent_ms += (time.perf_counter() - started) * 1000


def own_cost(call: Callable[[], object], transport: TimedTransport) -> float:
    """Milliseconds ``call`` took, less the time inside the transport."""
    transport.spent_ms = 0.0
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000 - transport.spent_ms


def compare(name: str, ours: Callable[[], object], floor: Callable[[], object], transport: TimedTransport,
            times: int) -> bool:
    for _ in range(max(5, times // 10)):  # warm-up
        own_cost(ours, transport), own_cost(floor, transport)
    ours_ms, floor_ms = [], []
    for _ in range(times):  # interleaved, so that both see the same machine
        ours_ms.append(own_cost(ours, transport))
        floor_ms.append(own_cost(floor, transport))
    ratio = statistics.median(ours_ms) / statistics.median(floor_ms)
    print(f"  {name:<32} own cost: connector median {statistics.median(ours_ms):6.3f} ms, bare httpx "
          f"{statistics.median(floor_ms):6.3f} ms -> ratio {ratio:.2f} (target <= {TARGET_RATIO}) "
          f"{'PASS' if ratio <= TARGET_RATIO else 'FAIL'}")
    return ratio <= TARGET_RATIO


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=200, help="system users (with contacts) in the stand-in")
    parser.add_argument("--reads", type=int, default=500, help="timed reads per figure")
    args = parser.parse_args()
    stand_in = new_stand_in()
    ids = [stand_in.add_system_user(f"user{i:05d}", f"Person {i:05d} Number{i}", account=f"Account {i % 50}")
           for i in range(args.users)]
    transport = TimedTransport(stand_in.transport)
    side = ODataCreatio.from_config(Config(api_token="bench", **stand_in_settings(stand_in.base_url)),
                                    transport=transport)
    side.ping()  # signed in: the bare client below uses the same session
    client = side.http._client.get()
    credentials, _ = side.http.auth.headers(side.http)
    picks = random.Random(7)

    def bare(path: str, options: dict) -> Callable[[], object]:
        return lambda: client.get(f"0/odata/{path}?{query_string(options)}", headers=credentials).json()

    print(f"Creatio OData side, stand-in in process with {args.users} system users; {args.reads} reads per figure")
    user_id = picks.choice(ids)
    results = [
        compare("a system user (get_system_user)", lambda: side.get_system_user(user_id),
                bare("SysAdminUnit", {"$select": USER_SELECT, "$filter": f"Id eq {user_id}", "$expand": USER_EXPAND,
                                      "$top": 1}), transport, args.reads),
        compare("a page of 50 system users", lambda: side.list_system_users(page=3, size=50),
                bare("SysAdminUnit", {"$select": USER_SELECT, "$expand": USER_EXPAND,
                                      "$filter": "(SysAdminUnitTypeValue eq 4 or SysAdminUnitTypeValue eq 5)",
                                      "$orderby": "Name,Id", "$top": 50, "$skip": 100, "$count": "true"}),
                transport, args.reads),
    ]
    names = [f"Person {i:05d} Number{i}" for i in picks.sample(range(args.users), min(100, args.users))]
    before = len(stand_in.journal)
    found = side.find_contacts_by_names(names)
    assert all(len(contacts) == 1 for contacts in found.values())
    print(f"  contacts of {len(names)} names at once: {len(stand_in.journal) - before} requests (figure only)")
    side.close()
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
