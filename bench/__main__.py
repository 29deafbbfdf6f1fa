"""Every benchmark of the project in one run: ``python -m bench [NAME ...]`` (``make bench``).

Each benchmark runs whatever the others did (a miss or an error is reported, never a reason to
stop); at the end one table gives every figure with its same-run floor, the ratio to it and the
target, and is written to ``bench/last-run.md`` (or ``--output``). Exit status 1 when any figure
missed its target or any benchmark failed.

To add a benchmark: write a function returning a list of ``bench.suite.Figure`` and add it to
``BENCHMARKS`` below.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path

from . import bench_connector, bench_dialer, bench_emulator, bench_gc, bench_import, bench_load, bench_routing
from .suite import Benchmark, Failure, Figure, table

BENCHMARKS: dict[str, Benchmark] = {
    "emulator-reset": bench_emulator.reset,
    "emulator-scale": bench_emulator.scale,
    "emulator-throughput": bench_emulator.rps,
    "routing": bench_routing.decisions,
    "dialer": bench_dialer.dial_cycles,
    "connector-create": bench_connector.create_overhead,
    "connector-gc": bench_gc.gc_pause,
    "import": bench_import.imports,
    "load": bench_load.load,
}

DEFAULT_OUTPUT = Path(__file__).with_name("last-run.md")


def run(names: list[str]) -> tuple[list[Figure | Failure], dict[str, float]]:
    results: list[Figure | Failure] = []
    took: dict[str, float] = {}
    for name in names:
        print(f"\n== {name}", flush=True)
        started = time.perf_counter()
        try:
            results += BENCHMARKS[name]()
        except Exception as exc:  # one benchmark's failure must not hide the others' figures
            traceback.print_exc()
            results.append(Failure(name, f"{type(exc).__name__}: {exc}"))
        took[name] = time.perf_counter() - started
    return results, took


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", choices=[*BENCHMARKS, []], metavar="NAME",
                        help=f"run only these ({', '.join(BENCHMARKS)}); default: all")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help=f"default: {DEFAULT_OUTPUT}")
    args = parser.parse_args(argv)
    started, load_before = time.perf_counter(), os.getloadavg()[0]
    results, took = run(args.names or list(BENCHMARKS))
    # The load says how much of the machine the run had: other processes' work inflates every wall time.
    header = (f"Bench run of {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.node() or 'this machine'}: "
              f"{os.cpu_count()} cores, load average {load_before:.1f} before and {os.getloadavg()[0]:.1f} after, "
              f"Python {platform.python_version()}, {time.perf_counter() - started:.0f} s in all "
              f"({', '.join(f'{name} {seconds:.0f} s' for name, seconds in took.items())})")
    report = f"{header}\n\n{table(results)}\n"
    print(f"\n{report}")
    args.output.write_text(report)
    print(f"(written to {args.output})")
    return 1 if any(isinstance(r, Failure) or r.met is False for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
