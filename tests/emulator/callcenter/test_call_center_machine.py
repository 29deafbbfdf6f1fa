"""Stateful property (issue 3, item 4): any sequence of agent-skill changes, statuses, phones, team
moves, queue-skill changes and calls (enter, answer, miss, hang up, the clock moving), driven
through the Webitel API and the control plane of an in-process emulator, keeps after every step:

- no agent holds two calls, and an agent's call is the call that names it;
- a call never waits while an agent is both eligible for its queue and free;
- a call offered in this step went to an eligible agent who was free (now holding just that call);
- the state's ``free`` flag is what status, channel and call say.

Eligibility and freedom are computed here from ``GET /__emulator__/state`` alone.
"""

from __future__ import annotations

import functools

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from emulator.callcenter.agent_skills import AgentSkills
from emulator.callcenter.agents import Agents
from emulator.callcenter.calls import Switchboard
from emulator.testing import EmulatorHandle, in_process

CC = "/call_center"
SKILLS = ("en", "es", "fr")
SEED = {"domains": [{
    "name": "cc", "admin": {"token": "cc-token"},
    "licenses": [{"id": "cc", "product": "CALL_CENTER", "limit": 50}],
    "teams": [{"name": "A", "strategy": "longest-idle-agent", "max_no_answer": 2, "no_answer_delay_time": 5,
               "wrap_up_time": 10, "call_timeout": 20},
              {"name": "B", "strategy": "round-robin", "max_no_answer": 1}],
    "skills": [{"name": s} for s in SKILLS],
    "pause_causes": [{"name": "x"}],  # the cause the agents' pauses give
    "queues": [{"name": "q1", "priority": 5, "team": "A",
                "skills": [{"skill": "en", "lvl": 1, "min_capacity": 10, "max_capacity": 80},
                           {"skill": "es", "lvl": 2, "buckets": [{"id": "1"}]}]},
               {"name": "q2", "priority": 1,
                "skills": [{"skill": "fr", "min_capacity": 30, "max_capacity": 60},
                           {"skill": "en", "min_capacity": 50, "max_capacity": 100}]}],
    "users": [{"username": f"agent{i}", "licenses": ["cc"], "presence": "sip",
               "agent": {"team": "AB"[i % 2], "skills": [{"skill": SKILLS[i % 3], "capacity": 50}]}}
              for i in range(4)],
}]}
CAPACITIES = st.sampled_from((0, 5, 10, 30, 50, 60, 80, 100, 101))
SECONDS = st.sampled_from((0, 1, 5, 10, 20, 30))

@functools.cache
def emulator() -> EmulatorHandle:
    """One in-process emulator for every example (each example resets it)."""
    return in_process(SEED)


def eligible(agent: dict, queue: dict, bucket: str | None, rows: list[dict], queue_skills: list[dict]) -> bool:
    if not queue.get("enabled") or queue.get("team") and agent.get("team", {}).get("id") != queue["team"]["id"]:
        return False
    for qs in queue_skills:
        if qs.get("enabled") and qs["queue_id"] == queue["id"] and \
                (not qs.get("buckets") or (bucket or "0") in [b["id"] for b in qs["buckets"]]):
            for row in rows:
                if row.get("enabled") and row["skill"]["id"] == qs["skill"]["id"] and \
                        qs["min_capacity"] <= row["capacity"] <= qs["max_capacity"]:
                    return True
    return False


def free(agent: dict) -> bool:
    return agent["status"] == "online" and agent["channel"][0]["state"] == "waiting" and "call_id" not in agent


class CallCenterMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.emulator = emulator()
        self.emulator.reset()
        self.api = self.emulator.api_client("cc-token")
        self.agents = [a["id"] for a in self.api.get(f"{CC}/agents").json()["items"]]
        self.users = {a["id"]: a["user"]["id"] for a in self.api.get(f"{CC}/agents").json()["items"]}
        self.skills = {s["name"]: s["id"] for s in self.api.get(f"{CC}/skills").json()["items"]}
        self.teams = {t["name"]: t["id"] for t in self.api.get(f"{CC}/teams").json()["items"]}
        self.queues = [q["id"] for q in self.api.get(f"{CC}/queues").json()["items"]]
        self.before = self.state()

    def teardown(self) -> None:
        self.api.close()

    def state(self) -> dict:
        return self.emulator.state()["domains"][0]["call_center"]

    def calls_in(self, *states: str) -> list[dict]:
        return sorted((c for c in self.emulator.calls() if c["state"] in states), key=lambda c: int(c["id"]))

    # -- rules: the Webitel API ------------------------------------------------------------------
    @rule(agent=st.integers(0, 3), skill=st.sampled_from(SKILLS), capacity=CAPACITIES, enabled=st.booleans())
    def set_skill(self, agent, skill, capacity, enabled):
        agent_id = self.agents[agent]
        rows = self.api.get(f"{CC}/agents/{agent_id}/skills", params={"skill_id": self.skills[skill]}).json()
        body = {"capacity": capacity, "enabled": enabled}
        if rows.get("items"):
            response = self.api.patch(f"{CC}/agents/{agent_id}/skills/{rows['items'][0]['id']}", json=body)
        else:
            response = self.api.post(f"{CC}/agents/{agent_id}/skills", json={"skill": {"id": self.skills[skill]},
                                                                            **body})
        assert response.status_code == (400 if capacity > 100 else 200), response.text

    @rule(agent=st.integers(0, 3), skill=st.sampled_from(SKILLS))
    def remove_skill(self, agent, skill):
        response = self.api.delete(f"{CC}/agents/{self.agents[agent]}/skills", params={"skill_id": self.skills[skill]})
        assert response.status_code == 200, response.text

    @rule(agent=st.integers(0, 3), status=st.sampled_from(("online", "online", "pause", "offline", "busy")))
    def set_status(self, agent, status):
        agent_id = self.agents[agent]
        response = self.api.patch(f"{CC}/agents/{agent_id}/status", json={"status": status, "payload": "x"})
        assert response.status_code in ((200, 500) if status == "online" else (400,) if status == "busy" else (200,))

    @rule(agent=st.integers(0, 3), presence=st.sampled_from(("sip", "web", "")))
    def set_presence(self, agent, presence):
        self.emulator.set_presence(self.users[self.agents[agent]], presence)

    @rule(agent=st.integers(0, 3), team=st.sampled_from(("A", "B", None)))
    def move_agent(self, agent, team):
        body = {"team": {"id": self.teams[team]} if team else None}
        assert self.api.patch(f"{CC}/agents/{self.agents[agent]}", json=body).status_code == 200

    @rule(queue=st.integers(0, 1), which=st.integers(0, 1), low=CAPACITIES, high=CAPACITIES, enabled=st.booleans())
    def change_queue_skill(self, queue, which, low, high, enabled):
        queue_id = self.queues[queue]
        qs = self.api.get(f"{CC}/queues/{queue_id}/skills").json()["items"][which]
        response = self.api.patch(f"{CC}/queues/{queue_id}/skills/{qs['id']}",
                                  json={"min_capacity": low, "max_capacity": high, "enabled": enabled})
        assert response.status_code == (400 if max(low, high) > 100 else 200), response.text

    @rule(queue=st.integers(0, 1), enabled=st.booleans())
    def enable_queue(self, queue, enabled):
        assert self.api.patch(f"{CC}/queues/{self.queues[queue]}", json={"enabled": enabled}).status_code == 200

    # -- rules: the control plane ----------------------------------------------------------------
    @rule(queue=st.integers(0, 1), bucket=st.sampled_from((None, 1, 2)))
    def add_call(self, queue, bucket):
        response = self.emulator.control("POST", "/calls", json={"queue_id": self.queues[queue],
                                                                 "bucket_id": bucket})
        assert response.status_code in (200, 400), response.text  # 400: the queue is disabled

    @rule(verb=st.sampled_from(("answer", "miss", "hangup")), pick=st.integers(0, 5))
    def act_on_a_call(self, verb, pick):
        calls = self.calls_in("offering") if verb != "hangup" else self.calls_in("waiting", "offering", "active")
        if calls:
            assert self.emulator.control("POST", f"/calls/{calls[pick % len(calls)]['id']}/{verb}").status_code == 200

    @rule(seconds=SECONDS)
    def advance_clock(self, seconds):
        self.emulator.advance_clock(seconds)

    # -- invariants ------------------------------------------------------------------------------
    @invariant()
    def call_center_is_consistent(self):
        state = self.state()
        agents = {a["id"]: a for a in state["agents"]}
        queues = {q["id"]: q for q in state["queues"]}
        rows = {a: [r for r in state["agent_skills"] if r["agent"]["id"] == a] for a in agents}
        before = {c["id"]: c for c in self.before["calls"]}

        holders = [c["agent"]["id"] for c in state["calls"] if c["state"] in ("offering", "active")]
        assert len(holders) == len(set(holders)), "an agent holds two calls"
        for call in state["calls"]:
            if call["state"] in ("offering", "active"):
                agent = agents[call["agent"]["id"]]
                assert agent.get("call_id") == call["id"]
                assert agent["channel"][0]["state"] == ("offering" if call["state"] == "offering" else "bridged")
        for agent in agents.values():
            assert agent["free"] == free(agent)
            if "call_id" in agent:
                assert agent["call_id"] in {c["id"] for c in state["calls"] if c.get("agent", {}).get("id")
                                            == agent["id"] and c["state"] in ("offering", "active")}

        for call in state["calls"]:
            queue = queues[call["queue"]["id"]]
            if call["state"] == "waiting":
                waiting_for = [a for a in agents.values()
                               if free(a) and eligible(a, queue, call.get("bucket_id"), rows[a["id"]],
                                                       state["queue_skills"])]
                assert not waiting_for, f"call {call['id']} waits while {[a['id'] for a in waiting_for]} could take it"
            newly_offered = call["state"] == "offering" and (
                before.get(call["id"], {}).get("offered_at") != call["offered_at"])
            if newly_offered:
                agent = agents[call["agent"]["id"]]
                assert agent["status"] == "online"
                assert eligible(agent, queue, call.get("bucket_id"), rows[agent["id"]], state["queue_skills"])
        self.before = state

    @invariant()
    def routing_index_is_the_enabled_rows(self):
        """White box: the structures routing reads are what the records say."""
        domain = next(iter(self.emulator.emulator.backend.world.domains.values()))
        rows = domain.store(AgentSkills)
        assert rows.index.rows() == {(r.agent_id, r.skill_id, r.capacity) for r in rows if r.enabled}
        board = domain.store(Switchboard)
        assert board.free == {a.id for a in domain.store(Agents)
                              if a.status == "online" and a.channel_state == "waiting" and a.call_id is None}
        assert board.logged_in == {a.id for a in domain.store(Agents) if a.status != "offline"}


CallCenterMachine.TestCase.settings = settings(max_examples=40, stateful_step_count=25, deadline=None,
                                               suppress_health_check=[HealthCheck.too_slow])
test_call_center_machine = CallCenterMachine.TestCase
