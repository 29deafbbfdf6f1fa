"""Dialer benchmark: an outbound campaign of 20,000 members and 50 agents in one switchboard. One
cycle is an attempt answered and hung up, and the next member dialled to the agent it freed
(``dialer.dial``: the ready members in order, a routing decision). The floor, in the same run on
the same switchboard, is an inbound call's cycle: a call enters a queue, is offered, answered and
hung up (what any call costs the switchboard, without members to choose among).

Target: a dial cycle costs at most twice an inbound call's, whatever the campaign's size.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from emulator.callcenter.calls import CALL_OFFERING, Switchboard
from emulator.callcenter.queues import Queues
from emulator.testing import in_process

from .suite import Figure

RATIO_TARGET = 2.0


def campaign(members: int, agents: int) -> dict:
    """A progressive queue with ``members``, an inbound queue without a team, ``agents`` online
    agents with the skill both queues need."""
    return {"domains": [{
        "name": "bench", "admin": {"token": "bench-token"},
        "licenses": [{"id": "cc", "product": "CALL_CENTER", "limit": agents}],
        "skills": [{"name": "Sales"}],
        "queues": [{"name": "Campaign", "type": 4, "skills": [{"skill": "Sales"}],
                    "members": [{"name": f"member {i}", "communications": [{"destination": f"+1555{i:07d}"}]}
                                for i in range(members)]},
                   {"name": "Inbound", "type": 1, "enabled": False, "skills": [{"skill": "Sales"}]}],
        "users": [{"username": f"agent{i}", "licenses": ["cc"], "presence": "sip",
                   "agent": {"skills": [{"skill": "Sales", "capacity": 50}], "status": "online"}}
                  for i in range(agents)],
    }]}


def timed_us(cycle: Callable[[], None], samples: int) -> list[float]:
    out = []
    for _ in range(samples):
        started = time.perf_counter_ns()
        cycle()
        out.append((time.perf_counter_ns() - started) / 1000)
    return out


def dial_cycles(members: int = 20_000, agents: int = 50, samples: int = 2_000) -> list[Figure]:
    handle = in_process(campaign(members, agents))
    try:
        emulator = handle.app.extensions["webitel_emulator"]
        domain = emulator.world.domains[1]
        board, queues = domain.store(Switchboard), domain.store(Queues)
        by_name = {q.name: q.id for q in queues}

        def offered() -> int:
            return next(i for i in board.live if board.calls[i].state == CALL_OFFERING)

        def dial_cycle() -> None:
            with emulator.backend.lock:
                call_id = offered()
                board.answer(call_id)
                board.hangup(call_id)

        dialled = timed_us(dial_cycle, samples)
        done = sum(1 for c in board.calls.values() if c.member_id is not None and c.result == "success")
        if done != samples:
            raise RuntimeError(f"{done} attempts succeeded of {samples} cycles: the benchmark measures nothing")

        # The floor: the campaign stops, every agent waits, inbound calls take turns.
        with emulator.backend.lock:
            queues.update(by_name["Campaign"], actor=None, enabled=False)
            for call_id in sorted(board.live):
                board.answer(call_id)
                board.hangup(call_id)
            queues.update(by_name["Inbound"], actor=None, enabled=True)

        def inbound_cycle() -> None:
            with emulator.backend.lock:
                call = board.enqueue(by_name["Inbound"])
                board.answer(call.id)
                board.hangup(call.id)

        inbound = timed_us(inbound_cycle, samples)
    finally:
        handle.close()
    dial_median, floor = statistics.median(dialled), statistics.median(inbound)
    ratio = dial_median / floor
    print(f"campaign: {members:,} members, {agents} agents; {samples} cycles each")
    print(f"dial cycle (answer, hang up, next member dialled): median {dial_median:8.1f} µs")
    print(f"inbound call cycle (enter, offered, answer, hang up): median {floor:8.1f} µs;  ratio {ratio:.2f}")
    return [Figure("dialer", f"dial cycle median, {members:,} members, {agents} agents", dial_median, "µs", floor,
                   "an inbound call's cycle, same switchboard (median)", f"<= {RATIO_TARGET:.0f}x the floor",
                   ratio <= RATIO_TARGET)]
