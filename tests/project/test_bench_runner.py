"""``python -m bench`` runs every benchmark whatever the others did, and tabulates them all."""

from __future__ import annotations

import bench.__main__ as runner
from bench.suite import Figure


def test_a_miss_or_an_error_never_stops_the_run(monkeypatch, tmp_path):
    ran = []

    def missed():
        ran.append("missed")
        return [Figure("first", "latency", 9.0, "ms", 3.0, "floor", "<= 5 ms", False)]

    def broken():
        ran.append("broken")
        raise RuntimeError("PostgreSQL is not there")

    def met():
        ran.append("met")
        return [Figure("third", "throughput", 2500.0, "req/s", 5000.0, "bare app", ">= 2,000 req/s", True)]

    monkeypatch.setattr(runner, "BENCHMARKS", {"missed": missed, "broken": broken, "met": met})
    output = tmp_path / "table.md"
    assert runner.main(["--output", str(output)]) == 1
    assert ran == ["missed", "broken", "met"]
    lines = output.read_text().splitlines()
    assert lines[0].startswith("Bench run of") and "cores" in lines[0]
    rows = [line for line in lines if line.startswith("| ")][1:]
    assert len(rows) == 3
    assert "| 9.00 ms" in rows[0] and "3.00 ms (floor)" in rows[0] and "| 3 " in rows[0] and "MISSED" in rows[0]
    assert "RuntimeError: PostgreSQL is not there" in rows[1] and "MISSED" in rows[1]
    assert "2,500 req/s" in rows[2] and "| 0.5 " in rows[2] and "| yes" in rows[2]


def test_only_the_named_benchmarks_run_and_a_clean_run_exits_0(monkeypatch, tmp_path):
    ran = []
    monkeypatch.setattr(runner, "BENCHMARKS", {
        "a": lambda: ran.append("a") or [], "b": lambda: ran.append("b") or []})
    assert runner.main(["b", "--output", str(tmp_path / "t.md")]) == 0
    assert ran == ["b"]
