"""Properties of ``emulator.callcenter.routing`` (issue 3, item 4), over generated call centers:

- an agent skill that is disabled, or whose capacity is outside the queue skill's range, never routes;
- the agent offered a call is eligible and free;
- a call is left waiting only when no agent is both eligible and free;
- the lowest level at which some free agent matches is the one served;
- the indexed decision (``pick``) is the naive scan's (``pick_naive``) for every strategy;
- the index holds exactly the enabled rows after any sequence of adds and discards.

Eligibility and freedom are written out again here, plainly, so that the properties do not lean
on the functions they check.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from emulator.callcenter import routing
from emulator.callcenter.agent_skills import AgentSkill
from emulator.callcenter.agents import Agent
from emulator.callcenter.queue_skills import QueueSkill

SKILLS = (1, 2, 3, 4)
TEAMS = (None, 1, 2)
BUCKETS = (None, 1, 2)
STATUSES = ("online", "online", "online", "pause", "offline", "break_out")
CHANNELS = ("waiting", "waiting", "waiting", "offering", "bridged", "wrap_time", "missed")

# Few distinct values, so that a capacity often sits exactly on a range's end.
capacities = st.one_of(st.sampled_from((0, 10, 50, 90, 100)), st.integers(0, 100))


@st.composite
def agents(draw, agent_id: int) -> tuple[Agent, list[AgentSkill]]:
    agent = Agent(id=agent_id, user_id=agent_id, team_id=draw(st.sampled_from(TEAMS)),
                  status=draw(st.sampled_from(STATUSES)), channel_state=draw(st.sampled_from(CHANNELS)),
                  call_id=draw(st.one_of(st.none(), st.integers(1, 5), st.none())),
                  idle_since=draw(st.integers(0, 50)), calls_answered=draw(st.integers(0, 5)),
                  last_bridge_end=draw(st.integers(0, 50)))
    skills = draw(st.lists(st.sampled_from(SKILLS), unique=True, max_size=len(SKILLS)))
    rows = [AgentSkill(id=agent_id * 10 + s, agent_id=agent_id, skill_id=s, capacity=draw(capacities),
                       enabled=draw(st.booleans())) for s in skills]
    return agent, rows


queue_skills = st.builds(QueueSkill, skill_id=st.sampled_from(SKILLS), lvl=st.integers(0, 3),
                         min_capacity=capacities, max_capacity=capacities, enabled=st.booleans(),
                         bucket_ids=st.lists(st.sampled_from((1, 2)), unique=True, max_size=2))


@st.composite
def worlds(draw):
    count = draw(st.integers(0, 12))
    drawn = [draw(agents(i)) for i in range(1, count + 1)]
    by_id = {a.id: a for a, _ in drawn}
    rows_of = {a.id: rows for a, rows in drawn}
    ask = routing.ask_for(draw(st.sampled_from(TEAMS)), draw(st.lists(queue_skills, max_size=5)),
                          draw(st.sampled_from(BUCKETS)), strategy=draw(st.sampled_from(routing.STRATEGIES)),
                          seed=draw(st.integers(0, 2**31)), cursor=draw(st.integers(0, count + 1)))
    return by_id, rows_of, ask


def indexed(agents_by_id, rows_of) -> tuple[routing.SkillIndex, set[int]]:
    """The index and free set as the call center keeps them."""
    index = routing.SkillIndex()
    for rows in rows_of.values():
        for row in rows:
            if row.enabled:
                index.add(row.skill_id, row.capacity, row.agent_id)
    return index, {a.id for a in agents_by_id.values() if routing.is_free(a)}


def free(agent: Agent) -> bool:
    return agent.status == "online" and agent.channel_state == "waiting" and agent.call_id is None


def levels_met(agent: Agent, rows: list[AgentSkill], ask: routing.Ask) -> list[int]:
    """The levels at which an enabled row of the agent meets a need, written out plainly."""
    if ask.team_id is not None and agent.team_id != ask.team_id:
        return []
    return [lvl for lvl, needs in ask.levels for need in needs for row in rows
            if row.enabled and row.skill_id == need.skill_id and row.capacity is not None
            and need.min_capacity <= row.capacity <= need.max_capacity]


def test_needs_keep_only_enabled_queue_skills_of_the_calls_bucket():
    skills = [QueueSkill(skill_id=1, lvl=0, max_capacity=100, enabled=True),
              QueueSkill(skill_id=2, lvl=0, max_capacity=100, enabled=False),
              QueueSkill(skill_id=3, lvl=1, max_capacity=100, enabled=True, bucket_ids=[7])]
    assert [n.skill_id for _, needs in routing.ask_for(None, skills, None).levels for n in needs] == [1]
    assert [n.skill_id for _, needs in routing.ask_for(None, skills, 7).levels for n in needs] == [1, 3]


@settings(max_examples=300, deadline=None)
@given(worlds())
def test_the_index_decides_as_the_naive_scan(world):
    agents_by_id, rows_of, ask = world
    index, free_ids = indexed(agents_by_id, rows_of)
    assert routing.pick(index, free_ids, agents_by_id, ask) == routing.pick_naive(agents_by_id, rows_of, ask)


@settings(max_examples=300, deadline=None)
@given(worlds())
def test_the_offered_agent_is_eligible_and_free_and_none_is_left_out(world):
    agents_by_id, rows_of, ask = world
    index, free_ids = indexed(agents_by_id, rows_of)
    picked = routing.pick(index, free_ids, agents_by_id, ask)
    candidates = {a.id: levels_met(a, rows_of[a.id], ask) for a in agents_by_id.values() if free(a)}
    candidates = {i: min(lvls) for i, lvls in candidates.items() if lvls}
    if picked is None:
        assert not candidates  # a call waits only when no free agent is eligible
    else:
        assert picked in candidates  # eligible (an enabled skill in range, the team) and free
        assert candidates[picked] == min(candidates.values())  # the lowest level served first


@settings(max_examples=200, deadline=None)
@given(worlds(), st.data())
def test_a_disabled_or_out_of_range_skill_never_routes(world, data):
    """Break every row of one agent (disable it, or move its capacity out of every range): that
    agent is never offered the call."""
    agents_by_id, rows_of, ask = world
    if not agents_by_id:
        return
    victim = data.draw(st.sampled_from(sorted(agents_by_id)))
    for row in rows_of[victim]:
        ranges = [(n.min_capacity, n.max_capacity) for _, needs in ask.levels for n in needs
                  if n.skill_id == row.skill_id]
        outside = [c for c in range(101) if not any(lo <= c <= hi for lo, hi in ranges)]
        if outside and data.draw(st.booleans()):
            row.capacity = data.draw(st.sampled_from(outside))
        else:
            row.enabled = False
    index, free_ids = indexed(agents_by_id, rows_of)
    assert routing.pick(index, free_ids, agents_by_id, ask) != victim
    assert routing.pick_naive(agents_by_id, rows_of, ask) != victim


@settings(max_examples=100, deadline=None)
@given(worlds())
def test_random_is_repeatable_for_the_same_seed(world):
    agents_by_id, rows_of, ask = world
    ask = routing.Ask(ask.team_id, ask.levels, "random", ask.seed, ask.cursor)
    index, free_ids = indexed(agents_by_id, rows_of)
    assert routing.pick(index, free_ids, agents_by_id, ask) == routing.pick(index, free_ids, agents_by_id, ask)


def test_strategies_order_candidates():
    a = {1: Agent(id=1, idle_since=30, calls_answered=0, last_bridge_end=40),
         2: Agent(id=2, idle_since=10, calls_answered=5, last_bridge_end=0),
         3: Agent(id=3, idle_since=20, calls_answered=1, last_bridge_end=20)}
    candidates = {1: 10, 2: 20, 3: 90}

    def chosen(strategy, cursor=0):
        return routing.choose(candidates, a, routing.Ask(None, (), strategy, 7, cursor))

    assert chosen("longest-idle-agent") == 2
    assert chosen("fewest-calls") == 1
    assert chosen("least-talk-time") == 2  # never bridged
    assert chosen("skill-capacity") == 3
    assert chosen("top-down") == 1
    assert [chosen("round-robin", c) for c in (0, 1, 2, 3)] == [1, 2, 3, 1]
    assert chosen("random") in candidates


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.sampled_from(SKILLS), st.integers(0, 3), st.integers(1, 4)),
                max_size=40))
def test_the_index_holds_exactly_what_was_added_and_not_discarded(ops):
    index, expected = routing.SkillIndex(), set()
    for add, skill, capacity, agent in ops:
        if add:
            index.add(skill, capacity, agent)
            expected.add((agent, skill, capacity))
        else:
            index.discard(skill, capacity, agent)
            expected.discard((agent, skill, capacity))
    assert index.rows() == expected
    assert all(caps and all(caps.values()) for caps in index.by_skill.values())  # no empty leftovers


def test_waiting_calls_go_by_priority_then_age():
    calls = [(1, "fifo", 5, 1), (10, "fifo", 9, 2), (10, "fifo", 7, 3), (10, "lifo", 8, 4), (10, "lifo", 6, 5)]
    ordered = sorted(calls, key=lambda c: routing.waiting_order(*c))
    assert [c[3] for c in ordered][-1] == 1  # the low-priority queue last
    fifo = [c[3] for c in ordered if c[1] == "fifo" and c[0] == 10]
    lifo = [c[3] for c in ordered if c[1] == "lifo"]
    assert (fifo, lifo) == ([3, 2], [4, 5])
