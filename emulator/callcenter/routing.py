"""Call routing (``docs/call-center.md``) as pure functions over plain data: no Flask, no state.

Who may be offered a call of a queue:

- *eligible*: the queue has no team or the agent is in it, and an **enabled** agent skill meets an
  **enabled** queue skill with the agent's capacity in ``[min_capacity, max_capacity]`` (both ends
  inclusive), where a queue skill with buckets serves only calls of those buckets (a call without a
  bucket is bucket 0) (``cc_agent_in_queue_view``, ``cc_distribute_inbound_call_to_queue``);
- *free*: status ``online``, the call channel ``waiting``, and no call in hand (``cc_agent_waiting``).

Among those, the lowest ``lvl`` at which an agent matches comes first (docs: "Level 1 is the
highest priority"), then the team's strategy orders them. Waiting calls are served queue by
queue in ``priority DESC`` order, oldest first within a queue (``lifo`` queues newest first).

Two implementations of the same decision: :func:`pick` reads a :class:`SkillIndex` (enabled agent
skills bucketed by capacity) and the set of free agents, both kept up to date by the call
center's model, and touches only agents that can match; :func:`pick_naive` scans every agent and
is the reference the property tests hold :func:`pick` to.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Protocol

ONLINE = "online"
WAITING = "waiting"

# Team strategies (webitel/client TeamStrategy.enum.js; docs general-teams).
STRATEGIES = ("random", "fewest-calls", "least-talk-time", "top-down", "round-robin", "round-robin-bucket",
              "longest-idle-agent", "skill-capacity")
DEFAULT_STRATEGY = "longest-idle-agent"  # a queue without a team, which has no strategy of its own


class RoutedAgent(Protocol):
    id: int
    team_id: int | None
    status: str
    channel_state: str
    call_id: int | None
    idle_since: int  # unix ms the call channel became waiting
    calls_answered: int
    last_bridge_end: int  # unix ms the last answered call ended; 0 = never


class AgentSkillRow(Protocol):
    agent_id: int
    skill_id: int
    capacity: int
    enabled: bool


class QueueSkillRow(Protocol):
    @property
    def skill_id(self) -> int: ...
    @property
    def lvl(self) -> int: ...
    @property
    def min_capacity(self) -> int: ...
    @property
    def max_capacity(self) -> int: ...
    @property
    def enabled(self) -> bool: ...
    @property
    def bucket_ids(self) -> Sequence[int]: ...


@dataclass(frozen=True, slots=True)
class Need:
    """One enabled queue skill that can serve the call: a skill and a capacity range."""

    skill_id: int
    min_capacity: int
    max_capacity: int


@dataclass(frozen=True, slots=True)
class Ask:
    """What one call asks of the agents: the queue's team, its needs by ``lvl`` (lowest first), and
    how to order candidates (the team's strategy, the random seed, the round-robin cursor)."""

    team_id: int | None
    levels: tuple[tuple[int, tuple[Need, ...]], ...]
    strategy: str = DEFAULT_STRATEGY
    seed: int = 0
    cursor: int = 0  # round-robin: the id of the agent this team last offered a call to


def ask_for(team_id: int | None, queue_skills: Iterable[QueueSkillRow], bucket_id: int | None = None, *,
            strategy: str = DEFAULT_STRATEGY, seed: int = 0, cursor: int = 0) -> Ask:
    """The :class:`Ask` of a call in bucket ``bucket_id`` to a queue with these skills."""
    bucket = bucket_id or 0
    by_lvl: dict[int, list[Need]] = {}
    for qs in queue_skills:
        if qs.enabled and (not qs.bucket_ids or bucket in qs.bucket_ids):
            by_lvl.setdefault(qs.lvl, []).append(Need(qs.skill_id, qs.min_capacity, qs.max_capacity))
    levels = tuple((lvl, tuple(needs)) for lvl, needs in sorted(by_lvl.items()))
    return Ask(team_id=team_id, levels=levels, strategy=strategy or DEFAULT_STRATEGY, seed=seed, cursor=cursor)


def is_free(agent: RoutedAgent) -> bool:
    return agent.status == ONLINE and agent.channel_state == WAITING and agent.call_id is None


def in_team(agent: RoutedAgent, ask: Ask) -> bool:
    return ask.team_id is None or agent.team_id == ask.team_id


def match(rows: Iterable[AgentSkillRow], ask: Ask) -> tuple[int, int] | None:
    """``(lvl, capacity)``: the lowest level at which an enabled row meets a need, and the highest
    capacity meeting one at that level; None when no enabled row meets any need."""
    enabled = [row for row in rows if row.enabled]
    for lvl, needs in ask.levels:
        best = -1
        for row in enabled:
            for need in needs:
                if need.skill_id == row.skill_id and need.min_capacity <= row.capacity <= need.max_capacity:
                    best = max(best, row.capacity)
        if best >= 0:
            return lvl, best
    return None


def eligible(agent: RoutedAgent, rows: Iterable[AgentSkillRow], ask: Ask) -> bool:
    return in_team(agent, ask) and match(rows, ask) is not None


# -- ordering ---------------------------------------------------------------------------------
# Ordering keys among candidates of one level; the agent id last makes every order total.
_KEYS: dict[str, Callable[[RoutedAgent, int], tuple]] = {
    "longest-idle-agent": lambda a, cap: (a.idle_since, a.id),
    "fewest-calls": lambda a, cap: (a.calls_answered, a.idle_since, a.id),
    "least-talk-time": lambda a, cap: (a.last_bridge_end, a.id),  # longest since the last bridge
    "skill-capacity": lambda a, cap: (-cap, a.idle_since, a.id),  # "by skill level": highest first
}


def choose(candidates: Mapping[int, int], agents: Mapping[int, RoutedAgent], ask: Ask) -> int:
    """The agent the team's strategy picks among ``candidates`` (agent id -> matching capacity)."""
    strategy = ask.strategy
    if strategy == "random":
        ids = sorted(candidates)
        return ids[random.Random(ask.seed).randrange(len(ids))]
    if strategy in ("round-robin", "round-robin-bucket"):
        # The next agent after the last one offered, in a fixed (id) order, wrapping around.
        return min((i for i in candidates if i > ask.cursor), default=min(candidates))
    if strategy == "top-down":
        return min(candidates)
    key = _KEYS.get(strategy, _KEYS[DEFAULT_STRATEGY])
    return min(candidates, key=lambda i: key(agents[i], candidates[i]))


# -- the reference: a scan of every agent -----------------------------------------------------
def pick_naive(agents: Mapping[int, RoutedAgent], rows_of: Mapping[int, Iterable[AgentSkillRow]],
               ask: Ask) -> int | None:
    """The agent to offer the call to, or None: every agent is looked at."""
    best_lvl: int | None = None
    candidates: dict[int, int] = {}
    for agent in agents.values():
        if not is_free(agent) or not in_team(agent, ask):
            continue
        found = match(rows_of.get(agent.id, ()), ask)
        if found is None:
            continue
        lvl, capacity = found
        if best_lvl is None or lvl < best_lvl:
            best_lvl, candidates = lvl, {agent.id: capacity}
        elif lvl == best_lvl:
            candidates[agent.id] = capacity
    return choose(candidates, agents, ask) if candidates else None


# -- the fast path: an index of enabled agent skills ------------------------------------------
class SkillIndex:
    """Enabled agent skills: skill id -> capacity -> ids of the agents with that skill at that
    capacity. One agent appears at most once per skill (one row per agent and skill)."""

    __slots__ = ("by_skill",)

    def __init__(self) -> None:
        self.by_skill: dict[int, dict[int, set[int]]] = {}

    def add(self, skill_id: int, capacity: int, agent_id: int) -> None:
        self.by_skill.setdefault(skill_id, {}).setdefault(capacity, set()).add(agent_id)

    def discard(self, skill_id: int, capacity: int, agent_id: int) -> None:
        capacities = self.by_skill.get(skill_id)
        if capacities is None or capacity not in capacities:
            return
        capacities[capacity].discard(agent_id)
        if not capacities[capacity]:
            del capacities[capacity]
            if not capacities:
                del self.by_skill[skill_id]

    def rows(self) -> set[tuple[int, int, int]]:
        """Every entry as ``(agent_id, skill_id, capacity)`` (to compare with the rows it indexes)."""
        return {(a, s, c) for s, caps in self.by_skill.items() for c, ids in caps.items() for a in ids}

    def __getstate__(self) -> dict:
        return {"by_skill": self.by_skill}

    def __setstate__(self, state: dict) -> None:
        self.by_skill = state["by_skill"]


def pick(index: SkillIndex, free: AbstractSet[int], agents: Mapping[int, RoutedAgent], ask: Ask) -> int | None:
    """The same decision as :func:`pick_naive`, looking only at free agents with a matching skill."""
    if not free:
        return None
    team_id = ask.team_id
    for _lvl, needs in ask.levels:
        candidates: dict[int, int] = {}
        for need in needs:
            capacities = index.by_skill.get(need.skill_id)
            if not capacities:
                continue
            for capacity, ids in capacities.items():
                if not need.min_capacity <= capacity <= need.max_capacity:
                    continue
                for agent_id in ids & free:  # CPython iterates the smaller of the two sets
                    if (team_id is None or agents[agent_id].team_id == team_id) \
                            and candidates.get(agent_id, -1) < capacity:
                        candidates[agent_id] = capacity
        if candidates:
            return choose(candidates, agents, ask)
    return None


# -- which waiting call first -----------------------------------------------------------------
def waiting_order(queue_priority: int, queue_strategy: str, created_at: int, call_id: int) -> tuple:
    """Sort key of waiting calls: queues by priority DESC, then oldest first (``fifo``, also
    ``strict_fifo`` and an empty strategy) or newest first (``lifo``), then by id."""
    age = -created_at if queue_strategy == "lifo" else created_at
    order = -call_id if queue_strategy == "lifo" else call_id
    return (-queue_priority, age, order)
