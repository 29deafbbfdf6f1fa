"""Routing benchmark: one routing decision among 10,000 agents, 200 skills and 50 queues, by the
indexed decision the emulator uses (``routing.pick``) and by a naive scan of every agent
(``routing.pick_naive``), in the same run on the same call center.

Target (issue 3): the indexed decision takes at most 200 µs median, and is at least 10 times
faster than the naive scan (the floor, measured in the same run on the same call center).
"""

from __future__ import annotations

import random
import statistics
import time

from emulator.callcenter import routing
from emulator.callcenter.agent_skills import AgentSkill
from emulator.callcenter.agents import Agent
from emulator.callcenter.queue_skills import QueueSkill

from .suite import Figure

MEDIAN_TARGET_US = 200.0
RATIO_TARGET = 10.0
SKILLS_PER_AGENT = 5
TEAMS = 20


def build(agents: int, skills: int, queues: int, seed: int):
    """A call center of that size: agents with a few skills each (80% enabled), ~60% of them free,
    teams of every strategy, queues of 1-4 skills on 0-2 levels, most of them with a team."""
    rnd = random.Random(seed)
    by_id: dict[int, Agent] = {}
    rows_of: dict[int, list[AgentSkill]] = {}
    for agent_id in range(1, agents + 1):
        busy = rnd.random()
        agent = Agent(id=agent_id, user_id=agent_id, team_id=rnd.randint(1, TEAMS),
                      status="online" if busy < 0.8 else rnd.choice(("pause", "offline", "break_out")),
                      channel_state="waiting" if busy < 0.6 else rnd.choice(("bridged", "wrap_time", "missed")),
                      idle_since=rnd.randint(0, 10**6), calls_answered=rnd.randint(0, 50),
                      last_bridge_end=rnd.choice((0, rnd.randint(0, 10**6))))
        by_id[agent_id] = agent
        rows_of[agent_id] = [AgentSkill(id=agent_id * 10 + i, agent_id=agent_id, skill_id=s,
                                        capacity=rnd.randint(0, 100), enabled=rnd.random() < 0.8)
                             for i, s in enumerate(rnd.sample(range(1, skills + 1), SKILLS_PER_AGENT))]
    strategies = {team: routing.STRATEGIES[team % len(routing.STRATEGIES)] for team in range(1, TEAMS + 1)}
    asks = []
    for _ in range(queues):
        team = rnd.randint(1, TEAMS) if rnd.random() < 0.8 else None
        queue_skills = []
        for _ in range(rnd.randint(1, 4)):
            low = rnd.randint(0, 60)
            queue_skills.append(QueueSkill(skill_id=rnd.randint(1, skills), lvl=rnd.randint(0, 2), min_capacity=low,
                                           max_capacity=rnd.randint(low, 100), enabled=rnd.random() < 0.9,
                                           bucket_ids=[1] if rnd.random() < 0.1 else []))
        asks.append(routing.ask_for(team, queue_skills, rnd.choice((None, 1)),
                                    strategy=strategies[team] if team else routing.DEFAULT_STRATEGY,
                                    seed=rnd.randint(0, 2**31), cursor=rnd.randint(0, agents)))
    # What the call center's model keeps up to date on every change.
    index = routing.SkillIndex()
    for rows in rows_of.values():
        for row in rows:
            if row.enabled and row.capacity is not None:  # a row without a capacity meets no need
                index.add(row.skill_id, row.capacity, row.agent_id)
    free = {a.id for a in by_id.values() if routing.is_free(a)}
    return by_id, rows_of, asks, index, free


def timed_us(decide, asks, samples: int) -> list[float]:
    out = []
    for i in range(samples):
        ask = asks[i % len(asks)]
        started = time.perf_counter_ns()
        decide(ask)
        out.append((time.perf_counter_ns() - started) / 1000)
    return out


def decisions(agents_n: int = 10_000, skills: int = 200, queues: int = 50, seed: int = 7) -> list[Figure]:
    agents, rows_of, asks, index, free = build(agents_n, skills, queues, seed)

    def fast(ask):
        return routing.pick(index, free, agents, ask)

    def naive(ask):
        return routing.pick_naive(agents, rows_of, ask)

    made = [fast(ask) for ask in asks]
    if made != [naive(ask) for ask in asks]:
        raise RuntimeError("the indexed and the naive decisions differ: the benchmark measures nothing")
    fast_us = timed_us(fast, asks, samples=20 * len(asks))
    naive_us = timed_us(naive, asks, samples=2 * len(asks))
    fast_median, naive_median = statistics.median(fast_us), statistics.median(naive_us)
    offered = sum(d is not None for d in made)
    print(f"call center: {agents_n} agents ({len(free)} free), {skills} skills, {queues} queues; "
          f"{offered}/{len(asks)} queues find an agent")
    print(f"indexed (routing.pick):  median {fast_median:9.1f} µs   p95 {percentile(fast_us, 95):9.1f} µs   "
          f"({len(fast_us)} decisions)")
    print(f"naive scan (pick_naive): median {naive_median:9.1f} µs   p95 {percentile(naive_us, 95):9.1f} µs   "
          f"({len(naive_us)} decisions)")
    where = f"{agents_n:,} agents, {skills} skills, {queues} queues"
    return [
        Figure("routing", f"indexed decision median, {where}", fast_median, "µs", naive_median,
               "naive scan median", f"<= {MEDIAN_TARGET_US:.0f} µs", fast_median <= MEDIAN_TARGET_US),
        Figure("routing", "speed-up over the naive scan", naive_median / fast_median, "x", None,
               "naive / indexed, same run", f">= {RATIO_TARGET:.0f}x", naive_median / fast_median >= RATIO_TARGET),
    ]


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * pct / 100))]

