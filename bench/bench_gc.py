"""The pause a full garbage collection makes in a connector worker, with the startup heap frozen as
``connector.serving`` freezes it after loading the app, against the same worker's pause before.

A full collection walks every object the cyclic collector tracks and holds the GIL meanwhile: every
thread of the worker waits. Python runs one after enough allocations (about every thousand creates
here). Measured in a child process (freezing is for good; the bench's own process stays as it is):
the app is built as a worker builds it, with the in-process emulator and a SQLite file, warmed by
creates; a full collection is timed (the floor), then the startup heap is frozen, more creates run,
and a full collection is timed again. The in-process emulator's own objects are walked in the floor
too (a worker has none: about 110,000 objects against the child's 136,000), so the floor is about a
fifth above a real worker's pause.
"""

from __future__ import annotations

import gc
import itertools
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .suite import Figure

CREATES = 300
COLLECTIONS = 5
TARGET_RATIO = 0.1


def gc_pause() -> list[Figure]:
    child = subprocess.run([sys.executable, "-m", "bench.bench_gc"], capture_output=True, text=True, check=True,
                           cwd=Path(__file__).resolve().parents[1], timeout=600)
    measured = json.loads(child.stdout.strip().splitlines()[-1])
    before, after = measured["before"], measured["after"]
    print(f"full collection: {before['ms']:.2f} ms over {before['objects']:,} objects; with the startup heap frozen "
          f"({after['frozen']:,} objects): {after['ms']:.2f} ms over {after['objects']:,}")
    return [
        Figure("connector gc", f"full collection in a worker, its startup heap frozen ({after['objects']:,} objects "
                               f"left to walk; median of {COLLECTIONS})", after["ms"], "ms", before["ms"],
               f"the same worker's full collection before the freeze ({before['objects']:,} objects)",
               f"<= {TARGET_RATIO:g}x the floor", after["ms"] <= TARGET_RATIO * before["ms"]),
    ]


def _full_collection() -> dict[str, float]:
    took = []
    for _ in range(COLLECTIONS):
        started = time.perf_counter()
        gc.collect()
        took.append((time.perf_counter() - started) * 1000)
    return {"ms": statistics.median(took), "objects": len(gc.get_objects()), "frozen": gc.get_freeze_count()}


def _child() -> None:
    from connector.app import create_app, dispose
    from connector.config import Config
    from connector.creatio import SystemUserType
    from connector.creatio.embedded import add_system_user
    from connector.migrate import upgrade
    from connector.serving import freeze_startup_heap
    from emulator.testing import in_process

    from .bench_connector import TimedTransport, measure

    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'gc.sqlite'}"
        emulator = in_process()
        upgrade(url)
        config = Config(api_token="bench", database_url=url, webitel_url=emulator.base_url,
                        webitel_token=emulator.token, log_level="WARNING")
        assert emulator.transport is not None, "an in-process emulator has its transport"
        timed = TimedTransport(emulator.transport)
        app = create_app(config, webitel_transport=timed)
        with app.extensions["connector"].sessions() as session:
            users = iter([add_system_user(session, name=f"gc{i:05d}", contact_name=f"GC User {i}",
                                          type=SystemUserType.EMPLOYEE).id for i in range(2 * CREATES)])
        extensions = itertools.count(10000)

        def creates() -> None:  # the create bench's creates, through Flask's client
            measure(app, timed, list(itertools.islice(users, CREATES)), extensions)

        creates()
        before = _full_collection()
        freeze_startup_heap()
        creates()
        after = _full_collection()
        dispose(app)
    print(json.dumps({"before": before, "after": after}))


if __name__ == "__main__":
    _child()
