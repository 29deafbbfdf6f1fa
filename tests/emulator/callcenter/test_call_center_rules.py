"""The call center's refusals and choices that are the emulator's own (Webitel's exact answer is not
public, see docs/call-center.md), and its seeding, state and reset."""

from __future__ import annotations

import copy
import pickle
import re

import pytest

from emulator.callcenter.agent_skills import AgentSkills
from emulator.callcenter.calls import Switchboard
from emulator.seed import SeedError, build_world
from emulator.state import Backend
from emulator.testing import in_process

CC = "/call_center"
SEED = {"domains": [{
    "name": "acme", "admin": {"token": "acme-token"},
    "licenses": [{"id": "cc", "product": "CALL_CENTER", "limit": 10}, {"id": "cm", "product": "CALL_MANAGER"}],
    "teams": [{"name": "Support", "strategy": "top-down", "no_answer_delay_time": 5}],
    "skills": [{"name": "English"}, {"name": "Spanish"}],
    "pause_causes": [{"name": "Lunch"}],
    "queues": [{"name": "Line", "team": "Support", "skills": [{"skill": "English"}]}],
    "users": [{"username": "ann", "licenses": ["cc"], "presence": "sip",
               "agent": {"team": "Support", "skills": [{"skill": "English", "capacity": 50}]}},
              {"username": "bob", "licenses": ["cc"]},
              {"username": "carl", "licenses": ["cm"]}],
}]}


@pytest.fixture(scope="module")
def handle():
    h = in_process(SEED)
    yield h
    h.close()


@pytest.fixture
def api(handle):
    handle.fresh()
    with handle.api_client("acme-token") as client:
        yield client


def error(response) -> tuple[int, str]:
    return response.status_code, response.json()["id"]


def first(api, path: str, **params) -> dict:
    return api.get(f"{CC}{path}", params=params).json()["items"][0]


def user_id(api, username: str) -> str:
    return api.get("/users", params={"username": username}).json()["items"][0]["id"]


# -- seeding --------------------------------------------------------------------------------------
def test_the_seed_fills_in_the_tables_defaults(api):
    queue = first(api, "/queues")
    assert (queue["enabled"], queue["type"], queue["team"]["name"]) == (True, 1, "Support")
    qs = first(api, f"/queues/{queue['id']}/skills")
    assert (qs.get("lvl", 0), qs["min_capacity"], qs["max_capacity"], qs["enabled"]) == (0, 0, 100, True)
    agent = first(api, "/agents")
    assert (agent["task_count"], agent["chat_count"], agent["progressive_count"]) == (1, 1, 1)
    assert first(api, f"/agents/{agent['id']}/skills")["enabled"] is True


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d["queues"][0].update(team="Sales"), "domains[0].queues[0].team: no team named 'Sales'"),
    (lambda d: d["queues"][0]["skills"][0].update(skill="French"),
     "domains[0].queues[0].skills[0].skill: no skill named 'French'"),
    (lambda d: d["users"][2].update(agent=True), "domains[0].users[2].agent: app.license.cc"),
    (lambda d: d["users"][1].update(agent={"status": "online"}),
     "domains[0].users[1].agent.status: store.sql_agent.set_online.app_error"),
    (lambda d: d["teams"].append({"name": "No strategy"}),
     "domains[0].teams[1]: model.cc_team.is_valid.strategy.app_error"),
    (lambda d: d["skills"].append({"name": "ENGLISH"}), "domains[0].skills[2]: store.sql_skill.save.valid.name"),
    (lambda d: d["users"][0]["agent"]["skills"][0].update(capacity=300),
     "domains[0].users[0].agent.skills: agent_skill.valid.capacity"),
])
def test_a_seed_webitel_would_refuse_is_refused_naming_the_entry(change, message):
    doc = copy.deepcopy(SEED)
    change(doc["domains"][0])
    with pytest.raises(SeedError, match=re.escape(message)):
        Backend(build_world).load_seed(doc)


def test_a_seeded_agent_can_start_online(handle):
    doc = copy.deepcopy(SEED)
    doc["domains"][0]["users"][0]["agent"]["status"] = "online"
    handle.seed(doc)
    with handle.api_client("acme-token") as api:
        assert first(api, "/agents")["status"] == "online"


# -- the emulator's choices where Webitel's answer is not public -------------------------------------
def test_an_unknown_strategy_is_refused(api):
    response = api.post(f"{CC}/teams", json={"name": "x", "strategy": "ring-all"})
    assert error(response) == (400, "model.cc_team.is_valid.strategy.app_error")


def test_a_user_who_is_an_agent_is_refused_deletion_with_the_emulators_id(api):
    ann = user_id(api, "ann")
    response = api.delete(f"/users/{ann}", params={"permanent": "true"})
    assert error(response) == (400, "app.user.delete.agent_exists")
    assert "delete the agent first" in response.json()["detail"]
    assert api.delete(f"/users/{ann}").status_code == 200  # a soft delete only marks the user


@pytest.mark.parametrize("user", [{"id": "987654"}, None])
def test_an_agent_needs_a_user_that_exists(api, user):
    body = {"user": user, "task_count": 1, "chat_count": 1, "progressive_count": 1}
    assert error(api.post(f"{CC}/agents", json=body)) == (400, "store.sql_agent.save.app_error")


def test_an_agent_needs_a_team_that_exists(api):
    body = {"user": {"id": user_id(api, "bob")}, "team": {"id": "987654"}, "task_count": 1, "chat_count": 1,
            "progressive_count": 1}
    assert error(api.post(f"{CC}/agents", json=body)) == (400, "store.sql_agent.save.app_error")
    agent = first(api, "/agents")
    assert error(api.patch(f"{CC}/agents/{agent['id']}", json={"team": {"id": "987654"}})) == \
        (400, "store.sql_agent.update.app_error")


def test_an_agent_moved_to_a_user_who_is_an_agent_or_unlicensed_is_refused(api):
    agent = first(api, "/agents")
    bob = {"user": {"id": user_id(api, "bob")}, "task_count": 1, "chat_count": 1, "progressive_count": 1}
    other = api.post(f"{CC}/agents", json=bob).json()
    assert error(api.patch(f"{CC}/agents/{other['id']}", json={"user": agent["user"]})) == \
        (400, "store.sql_agent.update.app_error")
    assert error(api.patch(f"{CC}/agents/{other['id']}", json={"user": {"id": user_id(api, "carl")}})) == \
        (403, "app.license.cc")


def test_agent_skill_rows_refused_by_the_store(api):
    agent = first(api, "/agents")
    english, spanish = (first(api, "/skills", q=name) for name in ("English", "Spanish"))
    row = api.post(f"{CC}/agents/{agent['id']}/skills", json={"skill": {"id": spanish["id"]}, "capacity": 1}).json()
    assert error(api.put(f"{CC}/agents/{agent['id']}/skills/{row['id']}",
                         json={"skill": {"id": english["id"]}, "capacity": 1})) == \
        (400, "store.sql_skill_in_agent.update.app_error")
    assert error(api.post(f"{CC}/agents/987654/skills", json={"skill": {"id": english["id"]}, "capacity": 1})) == \
        (400, "store.sql_skill_in_agent.create.app_error")
    assert error(api.post(f"{CC}/agents/{agent['id']}/skills", json={"skill": english, "capacity": "many"})) == \
        (400, "api.process.bad_args")
    assert error(api.post(f"{CC}/agents/{agent['id']}/skills/bulk", json={"items": {"skill": english}})) == \
        (400, "api.process.bad_args")


def test_queue_records_refused_by_the_store(api):
    queue = first(api, "/queues")
    assert error(api.patch(f"{CC}/queues/{queue['id']}", json={"team": {"id": "987654"}})) == \
        (400, "store.sql_queue.update.app_error")
    english = first(api, "/skills", q="English")
    assert error(api.post(f"{CC}/queues/987654/skills", json={"skill": english})) == \
        (400, "store.sql_queue_skill.save.app_error")
    spanish = first(api, "/skills", q="Spanish")
    qs = api.post(f"{CC}/queues/{queue['id']}/skills", json={"skill": spanish}).json()
    assert error(api.patch(f"{CC}/queues/{queue['id']}/skills/{qs['id']}", json={"skill": english})) == \
        (400, "store.sql_queue_skill.update.app_error")  # English at lvl 0 is there already


def test_max_no_answer_zero_breaks_out_on_the_first_miss(api, handle):
    """As call_center's queue/team.go reads (no_answers >= max_no_answer), which docs/call-center.md flags."""
    agent = first(api, "/agents")
    api.patch(f"{CC}/agents/{agent['id']}/status", json={"status": "online"})
    call = handle.add_call(first(api, "/queues")["id"])
    handle.miss(call["id"])
    assert api.get(f"{CC}/agents/{agent['id']}").json()["status"] == "break_out"


def test_a_paused_agent_keeps_its_pause_when_its_phone_goes(api, handle):
    agent = first(api, "/agents")
    paused = api.patch(f"{CC}/agents/{agent['id']}/status", json={"status": "pause", "payload": "Lunch"})
    assert paused.status_code == 200
    handle.set_presence(agent["user"]["id"], "")
    assert api.get(f"{CC}/agents/{agent['id']}").json()["status"] == "pause"


# -- state and reset ------------------------------------------------------------------------------------
def test_the_state_shows_the_call_center_and_its_calls(api, handle):
    agent = first(api, "/agents")
    api.patch(f"{CC}/agents/{agent['id']}/status", json={"status": "online"})
    call = handle.add_call(first(api, "/queues")["id"])
    cc = handle.state()["domains"][0]["call_center"]
    [dumped] = cc["agents"]
    assert (dumped["status"], dumped["free"], dumped["call_id"]) == ("online", False, call["id"])
    assert [c["id"] for c in cc["calls"]] == [call["id"]]
    assert {"teams", "skills", "agent_skills", "queues", "queue_skills"} <= set(cc)


def test_the_world_with_calls_survives_a_pickle(api, handle):
    """Reset unpickles the seeded world: the call center's indexes must come back whole."""
    agent = first(api, "/agents")
    api.patch(f"{CC}/agents/{agent['id']}/status", json={"status": "online"})
    handle.add_call(first(api, "/queues")["id"])
    world = handle.emulator.backend.world
    clone = pickle.loads(pickle.dumps(world, protocol=pickle.HIGHEST_PROTOCOL))
    [original, restored] = [next(iter(w.domains.values())) for w in (world, clone)]
    assert restored.store(AgentSkills).index.rows() == original.store(AgentSkills).index.rows()
    assert restored.store(Switchboard).free == original.store(Switchboard).free
    assert restored.store(Switchboard).calls.keys() == original.store(Switchboard).calls.keys()
    assert restored.store(Switchboard).domain is restored


def test_agent_filters_by_queue_extension_name_and_supervisor(api):
    ann = first(api, "/agents")
    bob = api.post(f"{CC}/agents", json={"user": {"id": user_id(api, "bob")}, "task_count": 1, "chat_count": 1,
                                         "progressive_count": 1, "is_supervisor": True}).json()
    queue = first(api, "/queues")

    def ids(**params):
        return [a["id"] for a in api.get(f"{CC}/agents", params=params).json().get("items", [])]

    assert ids(queue_id=queue["id"]) == [ann["id"]]  # bob has no team and no skill: not eligible
    assert ids(q="bo*") == [bob["id"]]
    assert ids(is_supervisor="true") == [bob["id"]] and ids(not_supervisor="true") == [ann["id"]]
    api.patch(f"/users/{user_id(api, 'bob')}", json={"extension": "2002"})
    assert ids(extension="2002") == [bob["id"]]
