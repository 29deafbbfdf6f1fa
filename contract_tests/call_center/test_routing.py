"""Call routing through the API and the control plane's calls (docs/call-center.md;
docs/emulator.md): only an enabled agent skill within an enabled queue skill's capacity range
routes; the lowest lvl first, then the team's strategy; queues by priority, oldest call first;
misses, break_out, wrap-up and ring timeouts as Webitel's call_center applies them."""

import httpx
import pytest

from contract_tests.call_center.conftest import CC, ok, refused

pytestmark = pytest.mark.control_plane


def go_online(api, emulator, agent: dict) -> None:
    emulator.set_presence(agent["user"]["id"], "sip")
    ok(api.patch(f"{CC}/agents/{agent['id']}/status", json={"status": "online"}))


def online_agent(api, cc, emulator, *, team: dict | None = None, skills=(), **fields) -> dict:
    """An agent with ``skills`` [(skill, capacity)] (enabled), online and waiting."""
    agent = cc.agent(team={"id": team["id"]} if team else None, **fields)
    for skill, capacity in skills:
        cc.agent_skill(agent, skill, capacity=capacity)
    go_online(api, emulator, agent)
    return agent


def channel(api, agent: dict) -> str:
    return ok(api.get(f"{CC}/agents/{agent['id']}"))["channel"][0]["state"]


def offered_to(call: dict) -> str | None:
    return call["agent"]["id"] if call["state"] == "offering" else None


@pytest.fixture
def support(api, cc):
    """A team with a skill and an inbound queue that needs the skill at 10..100."""
    team = cc.team(max_no_answer=3, no_answer_delay_time=10, wrap_up_time=15)
    skill = cc.skill()
    queue = cc.queue(team={"id": team["id"]})
    cc.queue_skill(queue, skill, lvl=1, min_capacity=10, max_capacity=100)
    return team, skill, queue


# -- the "Done when", on the seeded agent -------------------------------------------------
def seeded_agent_and_queue(api, emulator):
    [agent] = [a for a in ok(api.get(f"{CC}/agents"))["items"] if a["name"] == "John Smith"]
    [queue] = ok(api.get(f"{CC}/queues", params={"q": "Inbound support"}))["items"]
    [row] = ok(api.get(f"{CC}/agents/{agent['id']}/skills"))["items"]
    assert (row["skill"]["name"], row["capacity"], row["enabled"]) == ("English", 50, True)
    go_online(api, emulator, agent)
    return agent, queue, f"{CC}/agents/{agent['id']}/skills/{row['id']}"


def test_the_seeded_agent_is_offered_a_call_until_its_skill_is_disabled(api, emulator):
    agent, queue, row = seeded_agent_and_queue(api, emulator)
    ok(api.patch(row, json={"enabled": False}))
    call = emulator.add_call(queue["id"])
    assert call["state"] == "waiting"
    ok(api.patch(row, json={"enabled": True}))
    assert offered_to(emulator.call(call["id"])) == agent["id"]


def test_the_seeded_agent_is_offered_a_call_until_its_capacity_drops_below_the_range(api, emulator):
    agent, queue, row = seeded_agent_and_queue(api, emulator)
    first = emulator.add_call(queue["id"])
    assert offered_to(first) == agent["id"]
    assert emulator.hangup(first["id"])["state"] == "ended"  # caller gone while ringing: agent waits again

    ok(api.patch(row, json={"capacity": 5}))
    call = emulator.add_call(queue["id"])
    assert call["state"] == "waiting"
    ok(api.patch(row, json={"capacity": 10}))  # the range's lower end is inclusive
    assert offered_to(emulator.call(call["id"])) == agent["id"]


# -- eligibility --------------------------------------------------------------------------------------
def test_a_disabled_queue_skill_does_not_route(api, cc, emulator, support):
    team, skill, queue = support
    agent = online_agent(api, cc, emulator, team=team, skills=[(skill, 50)])
    [qs] = ok(api.get(f"{CC}/queues/{queue['id']}/skills"))["items"]
    ok(api.patch(f"{CC}/queues/{queue['id']}/skills/{qs['id']}", json={"enabled": False}))
    call = emulator.add_call(queue["id"])
    assert call["state"] == "waiting"
    ok(api.patch(f"{CC}/queues/{queue['id']}/skills/{qs['id']}", json={"enabled": True}))
    assert offered_to(emulator.call(call["id"])) == agent["id"]


def test_the_range_upper_end_is_inclusive(api, cc, emulator, support):
    team, skill, queue = support
    over = online_agent(api, cc, emulator, team=team, skills=[(skill, 100)])
    assert offered_to(emulator.add_call(queue["id"])) == over["id"]


def test_only_agents_of_the_queues_team_are_offered_its_calls(api, cc, emulator, support):
    team, skill, queue = support
    outsider = online_agent(api, cc, emulator, team=cc.team(), skills=[(skill, 50)])
    call = emulator.add_call(queue["id"])
    assert call["state"] == "waiting"
    ok(api.patch(f"{CC}/agents/{outsider['id']}", json={"team": {"id": team["id"]}}))
    assert offered_to(emulator.call(call["id"])) == outsider["id"]


def test_a_queue_without_a_team_takes_agents_of_any_team(api, cc, emulator):
    skill = cc.skill()
    queue = cc.queue()
    cc.queue_skill(queue, skill, min_capacity=0, max_capacity=100)
    agent = online_agent(api, cc, emulator, team=cc.team(), skills=[(skill, 1)])
    assert offered_to(emulator.add_call(queue["id"])) == agent["id"]


def test_a_queue_skill_with_buckets_serves_only_calls_of_those_buckets(api, cc, emulator):
    skill = cc.skill()
    queue = cc.queue()
    cc.queue_skill(queue, skill, buckets=[{"id": "7"}])
    agent = online_agent(api, cc, emulator, skills=[(skill, 50)])
    assert emulator.add_call(queue["id"])["state"] == "waiting"  # no bucket: bucket 0
    assert emulator.add_call(queue["id"], bucket_id=8)["state"] == "waiting"
    assert offered_to(emulator.add_call(queue["id"], bucket_id=7)) == agent["id"]


def test_a_paused_agent_is_not_offered_calls(api, cc, emulator, support):
    team, skill, queue = support
    agent = online_agent(api, cc, emulator, team=team, skills=[(skill, 50)])
    ok(api.patch(f"{CC}/agents/{agent['id']}/status", json={"status": "pause", "payload": "Lunch"}))
    call = emulator.add_call(queue["id"])
    assert call["state"] == "waiting"
    ok(api.patch(f"{CC}/agents/{agent['id']}/status", json={"status": "online"}))
    assert offered_to(emulator.call(call["id"])) == agent["id"]


def test_a_disabled_queue_refuses_calls_and_routes_none_of_its_waiting_ones(api, cc, emulator, support):
    team, skill, queue = support
    call = emulator.add_call(queue["id"])
    ok(api.patch(f"{CC}/queues/{queue['id']}", json={"enabled": False}))
    agent = online_agent(api, cc, emulator, team=team, skills=[(skill, 50)])
    assert emulator.call(call["id"])["state"] == "waiting"
    response = emulator.control("POST", "/calls", json={"queue_id": queue["id"]})
    assert (response.status_code, response.json()["id"]) == (400, "emulator.call.queue")
    assert "queue disabled" in response.json()["detail"]
    ok(api.patch(f"{CC}/queues/{queue['id']}", json={"enabled": True}))
    assert offered_to(emulator.call(call["id"])) == agent["id"]


# -- order ----------------------------------------------------------------------------------------
def test_the_lowest_level_is_served_first(api, cc, emulator):
    first_level, second_level = cc.skill(), cc.skill()
    queue = cc.queue()
    cc.queue_skill(queue, first_level, lvl=1)
    cc.queue_skill(queue, second_level, lvl=2)
    level_two = online_agent(api, cc, emulator, skills=[(second_level, 90)])  # idle longer
    emulator.advance_clock(5)
    level_one = online_agent(api, cc, emulator, skills=[(first_level, 20)])
    assert offered_to(emulator.add_call(queue["id"])) == level_one["id"]
    assert offered_to(emulator.add_call(queue["id"])) == level_two["id"]


def test_queues_by_priority_then_the_oldest_call(api, cc, emulator):
    skill = cc.skill()
    low, high = cc.queue(priority=1), cc.queue(priority=10)
    for queue in (low, high):
        cc.queue_skill(queue, skill)
    agent = cc.agent()
    cc.agent_skill(agent, skill)
    calls = []
    for queue in (low, high, high):
        calls.append(emulator.add_call(queue["id"]))
        emulator.advance_clock(1)
    go_online(api, emulator, agent)
    served = []
    for _ in calls:
        offered = [c for c in emulator.calls() if c["state"] == "offering"]
        served.append(offered[0]["id"])
        emulator.hangup(offered[0]["id"])
    assert served == [calls[1]["id"], calls[2]["id"], calls[0]["id"]]


def test_a_lifo_queue_serves_its_newest_call_first(api, cc, emulator):
    skill = cc.skill()
    queue = cc.queue(strategy="lifo")
    cc.queue_skill(queue, skill)
    older = emulator.add_call(queue["id"])
    emulator.advance_clock(1)
    newer = emulator.add_call(queue["id"])
    agent = online_agent(api, cc, emulator, skills=[(skill, 50)])
    assert offered_to(emulator.call(newer["id"])) == agent["id"]
    assert emulator.call(older["id"])["state"] == "waiting"


def strategy_team(api, cc, emulator, strategy: str, capacities=(50, 50, 50)):
    """A team with this strategy, a queue of it, and agents online one second apart (in id order)."""
    team = cc.team(strategy=strategy)
    skill = cc.skill()
    queue = cc.queue(team={"id": team["id"]})
    cc.queue_skill(queue, skill)
    agents = []
    for capacity in capacities:
        agents.append(online_agent(api, cc, emulator, team=team, skills=[(skill, capacity)]))
        emulator.advance_clock(1)
    return queue, agents


def serve(emulator, queue: dict) -> str:
    """Offer a call, answer it and hang up; the agent who took it."""
    call = emulator.add_call(queue["id"])
    agent_id = offered_to(call)
    assert agent_id is not None, ("the call is offered to a free agent", call)
    emulator.answer(call["id"])
    emulator.hangup(call["id"])
    return agent_id


def test_longest_idle_agent(api, cc, emulator):
    queue, agents = strategy_team(api, cc, emulator, "longest-idle-agent")
    assert serve(emulator, queue) == agents[0]["id"]
    emulator.advance_clock(1)
    assert serve(emulator, queue) == agents[1]["id"]  # the first one has just finished a call


def test_top_down(api, cc, emulator):
    queue, agents = strategy_team(api, cc, emulator, "top-down")
    assert [serve(emulator, queue) for _ in range(3)] == [agents[0]["id"]] * 3


def test_round_robin(api, cc, emulator):
    queue, agents = strategy_team(api, cc, emulator, "round-robin")
    ids = [a["id"] for a in agents]
    assert [serve(emulator, queue) for _ in range(4)] == [*ids, ids[0]]


def test_fewest_calls(api, cc, emulator):
    queue, agents = strategy_team(api, cc, emulator, "fewest-calls", capacities=(50, 50))
    ok(api.patch(f"{CC}/agents/{agents[1]['id']}/status", json={"status": "pause"}))
    assert serve(emulator, queue) == agents[0]["id"]  # agent 0 has a call now
    ok(api.patch(f"{CC}/agents/{agents[1]['id']}/status", json={"status": "online"}))  # idle since now
    assert serve(emulator, queue) == agents[1]["id"]


def test_least_talk_time(api, cc, emulator):
    queue, agents = strategy_team(api, cc, emulator, "least-talk-time", capacities=(50, 50))
    assert serve(emulator, queue) == agents[0]["id"]
    emulator.advance_clock(1)
    assert serve(emulator, queue) == agents[1]["id"]  # never bridged comes first
    emulator.advance_clock(1)
    assert serve(emulator, queue) == agents[0]["id"]  # the longest since its last call


def test_skill_capacity(api, cc, emulator):
    queue, agents = strategy_team(api, cc, emulator, "skill-capacity", capacities=(30, 80, 60))
    assert serve(emulator, queue) == agents[1]["id"]


def test_random_offers_one_of_the_free_eligible_agents(api, cc, emulator):
    queue, agents = strategy_team(api, cc, emulator, "random")
    assert serve(emulator, queue) in {a["id"] for a in agents}


# -- after an offer -----------------------------------------------------------------------------
def test_a_miss_parks_the_agent_then_the_call_is_offered_again(api, cc, emulator, support):
    team, skill, queue = support
    agent = online_agent(api, cc, emulator, team=team, skills=[(skill, 50)])
    call = emulator.add_call(queue["id"])
    missed = emulator.miss(call["id"])
    assert missed["state"] == "waiting"
    assert channel(api, agent) == "missed"
    emulator.advance_clock(9)
    assert emulator.call(call["id"])["state"] == "waiting"
    emulator.advance_clock(1)  # no_answer_delay_time 10 s
    assert offered_to(emulator.call(call["id"])) == agent["id"]
    assert emulator.call(call["id"])["missed_by"] == [agent["id"]]


def test_a_missed_call_goes_to_another_free_agent_at_once(api, cc, emulator, support):
    team, skill, queue = support
    first = online_agent(api, cc, emulator, team=team, skills=[(skill, 50)])
    emulator.advance_clock(1)
    second = online_agent(api, cc, emulator, team=team, skills=[(skill, 50)])
    call = emulator.add_call(queue["id"])
    assert offered_to(call) == first["id"]
    assert offered_to(emulator.miss(call["id"])) == second["id"]


def test_max_no_answer_misses_break_the_agent_out(api, cc, emulator, support):
    team, skill, queue = support
    agent = online_agent(api, cc, emulator, team=team, skills=[(skill, 50)])
    call = emulator.add_call(queue["id"])
    for _ in range(2):
        emulator.miss(call["id"])
        emulator.advance_clock(10)
        assert offered_to(emulator.call(call["id"])) == agent["id"]
    emulator.miss(call["id"])  # the third miss: max_no_answer 3
    read = ok(api.get(f"{CC}/agents/{agent['id']}"))
    assert read["status"] == "break_out"
    emulator.advance_clock(10)
    assert emulator.call(call["id"])["state"] == "waiting"
    ok(api.patch(f"{CC}/agents/{agent['id']}/status", json={"status": "online"}))
    assert offered_to(emulator.call(call["id"])) == agent["id"]


def test_wrap_up_then_the_oldest_waiting_call(api, cc, emulator, support):
    team, skill, queue = support
    agent = online_agent(api, cc, emulator, team=team, skills=[(skill, 50)])
    first = emulator.add_call(queue["id"])
    emulator.answer(first["id"])
    assert channel(api, agent) == "bridged"
    older = emulator.add_call(queue["id"])
    emulator.advance_clock(1)
    emulator.add_call(queue["id"])
    emulator.hangup(first["id"])
    assert channel(api, agent) == "wrap_time"
    emulator.advance_clock(14)
    assert emulator.call(older["id"])["state"] == "waiting"
    emulator.advance_clock(1)  # wrap_up_time 15 s
    assert offered_to(emulator.call(older["id"])) == agent["id"]


def test_an_unanswered_offer_rings_out_after_the_teams_call_timeout(api, cc, emulator):
    team = cc.team(call_timeout=20, max_no_answer=5)
    skill = cc.skill()
    queue = cc.queue(team={"id": team["id"]})
    cc.queue_skill(queue, skill)
    agent = online_agent(api, cc, emulator, team=team, skills=[(skill, 50)])
    call = emulator.add_call(queue["id"])
    emulator.advance_clock(19)
    assert offered_to(emulator.call(call["id"])) == agent["id"]
    emulator.advance_clock(1)
    rung_out = emulator.call(call["id"])
    assert rung_out["missed_by"] == [agent["id"]]
    assert offered_to(rung_out) == agent["id"]  # no_answer_delay_time 0: offered again at once


def test_an_agent_holding_a_call_cannot_be_deleted(api, cc, emulator, support):
    team, skill, queue = support
    agent = online_agent(api, cc, emulator, team=team, skills=[(skill, 50)])
    call = emulator.add_call(queue["id"])
    refused(api.delete(f"{CC}/agents/{agent['id']}"), 400, "store.sql_agent.delete.app_error")
    emulator.hangup(call["id"])
    ok(api.delete(f"{CC}/agents/{agent['id']}"))


def test_a_queue_counts_its_calls_and_deleting_it_ends_them(api, cc, emulator, support):
    team, skill, queue = support
    agent = online_agent(api, cc, emulator, team=team, skills=[(skill, 50)])
    offered = emulator.add_call(queue["id"])
    waiting = emulator.add_call(queue["id"])
    read = ok(api.get(f"{CC}/queues/{queue['id']}"))
    assert (read["waiting"], read["active"], read["count"]) == (1, 1, 2)
    ok(api.delete(f"{CC}/queues/{queue['id']}"))
    assert [emulator.call(c["id"])["state"] for c in (offered, waiting)] == ["ended", "ended"]
    assert channel(api, agent) == "waiting"


# -- the control plane's refusals ---------------------------------------------------------------
def control_error(response: httpx.Response) -> tuple[int, str]:
    return response.status_code, response.json()["id"]


def test_calls_to_queues_that_cannot_take_them_are_refused(api, cc, emulator):
    assert control_error(emulator.control("POST", "/calls", json={"queue_id": "987654321"})) == \
        (404, "emulator.call.queue")
    assert control_error(emulator.control("POST", "/calls", json={})) == (400, "emulator.call.queue")
    offline_queue = cc.queue(type=0)
    response = emulator.control("POST", "/calls", json={"queue_id": offline_queue["id"]})
    assert control_error(response) == (400, "emulator.call.queue") and "not inbound" in response.json()["detail"]


def test_call_verbs_need_the_right_state(api, cc, emulator, support):
    _, _, queue = support
    call = emulator.add_call(queue["id"])
    for verb in ("answer", "miss"):
        assert control_error(emulator.control("POST", f"/calls/{call['id']}/{verb}")) == (409, "emulator.call.state")
    emulator.hangup(call["id"])
    assert control_error(emulator.control("POST", f"/calls/{call['id']}/hangup")) == (409, "emulator.call.state")
    assert control_error(emulator.control("POST", f"/calls/{call['id']}/transfer")) == (404, "emulator.call.action")
    assert control_error(emulator.control("GET", "/calls/987654321")) == (404, "emulator.call.not_found")


def test_the_clock_only_moves_forward(emulator):
    for bad in (-1, "soon", None, True):
        assert control_error(emulator.control("POST", "/clock", json={"advance_s": bad})) == \
            (400, "emulator.clock.invalid")


def test_reset_forgets_every_call(api, emulator):
    [queue] = ok(api.get(f"{CC}/queues", params={"q": "Inbound support"}))["items"]
    emulator.add_call(queue["id"])
    assert emulator.calls()
    emulator.reset()
    assert emulator.calls() == []
