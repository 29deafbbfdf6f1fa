"""The create benchmark's arithmetic: each round's create is read against the floor measured beside it,
and the floor's idle wait is left out of its time as the Webitel call is left out of the create's (and
costs no CPU time)."""

from __future__ import annotations

from bench.bench_connector import Floor, Rounds
from connector.migrate import upgrade


def test_the_figures_are_the_median_rounds_pair():
    condition = Rounds(creates_ms=[9.0, 2.0, 6.0], floors_ms=[3.0, 2.0, 2.0])
    assert condition.ratios == [3.0, 1.0, 3.0]
    assert condition.median_round == 0  # ratios sorted: 1.0 (round 1), 3.0 (round 0), 3.0 (round 2)
    assert (condition.create_ms, condition.floor_ms) == (9.0, 3.0)
    assert condition.passed  # 3x: at the target
    condition.creates_ms[0] = 9.3
    assert condition.median_round == 2 and condition.passed  # round 2 is now the median one, 3x
    condition.creates_ms[2] = 6.2
    assert not condition.passed  # the median round reads 3.1x


def test_the_floors_wait_is_left_out_of_its_time(tmp_path):
    url = f"sqlite:///{tmp_path / 'floor.sqlite'}"
    upgrade(url)
    floor = Floor(url)
    try:
        waited, cpu = floor.measure(3, wait_s=0.25)
    finally:
        floor.close()
    assert len(waited) == len(cpu) == 3
    assert all(0 < ms < 250 for ms in waited)  # each request waited 250 ms, and that is not counted
    assert all(0 < ms < 250 for ms in cpu)  # nor does the wait cost CPU time
