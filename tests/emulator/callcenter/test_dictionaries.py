"""The engine's dictionaries in the emulator: their seeds (checked as the API checks, naming the entry),
their parts of GET /__emulator__/state, and rules only white-box code reaches (a pause spanning
midnight, a communication type still in use, a user's presets going with the user)."""

from __future__ import annotations

import copy

import pytest

from emulator.callcenter.agents import PAUSE, Agents
from emulator.callcenter.communication_types import E_TYPE_DELETE, CommunicationTypes
from emulator.callcenter.members import Members
from emulator.callcenter.pause_causes import DAY_MS, PauseClock
from emulator.callcenter.preset_queries import PresetQueries
from emulator.directory.users import Users
from emulator.errors import WebitelError
from emulator.seed import SeedError, build_world

SEED = {"domains": [{
    "name": "dict", "admin": {"token": "dict-token"},
    "licenses": [{"id": "cc", "product": "CALL_CENTER", "limit": 5}],
    "pause_causes": [{"name": "Lunch", "limit_min": 30}, {"name": "Coaching", "allow_agent": False}],
    "communication_types": [{"name": "Mobile", "code": "mobile", "channel": "Phone", "default": True}],
    "system_settings": [{"name": "enable_omnichannel", "value": True}, {"name": "member_chunk_size", "value": 500}],
    "users": [{"username": "ann", "licenses": ["cc"], "agent": {"status": "pause", "payload": "Lunch"}}],
}]}


def test_the_seed_makes_causes_types_and_settings_with_the_columns_defaults():
    domain = next(iter(build_world(copy.deepcopy(SEED)).domains.values()))
    state = domain.dump()
    causes = {c["name"]: c for c in state["call_center"]["pause_causes"]}
    assert causes["Lunch"]["allow_agent"] and causes["Lunch"]["allow_supervisor"] and causes["Lunch"]["allow_admin"]
    assert "allow_agent" not in causes["Coaching"] and causes["Lunch"]["limit_min"] == 30
    assert state["call_center"]["communication_types"] == [{"id": state["call_center"]["communication_types"][0]["id"],
                                                            "name": "Mobile", "code": "mobile", "channel": "Phone",
                                                            "default": True}]
    assert [(s["name"], s["value"]) for s in state["system_settings"]] == [("enable_omnichannel", True),
                                                                           ("member_chunk_size", 500)]
    [agent] = state["call_center"]["agents"]
    assert (agent["status"], agent["status_payload"]) == ("pause", "Lunch")
    assert state["organization"]["domain"] == "dict" and state["customer"]["id"]


@pytest.mark.parametrize("change, message", [
    (lambda d: d["pause_causes"].append({"name": "Lunch"}), "domains[0].pause_causes[2]: store.sql_pause_cause"),
    (lambda d: d["pause_causes"].append({"name": "x", "limit_min": "5"}), "pause_causes[2].limit_min: expected int"),
    (lambda d: d["communication_types"].append({"name": "x", "code": "y", "channel": "Fax"}),
     "communication_types[1]: api.process.bad_args"),
    (lambda d: d["system_settings"].append({"name": "member_chunk_size", "value": 0}),
     "system_settings[2]: model.SystemSetting.invalid.int.value"),
    (lambda d: d["users"][0]["agent"].update(payload="Tea"), "users[0].agent.status: app.agent.set_pause.payload"),
])
def test_a_seed_webitel_would_refuse_is_refused_naming_the_entry(change, message):
    doc = copy.deepcopy(SEED)
    change(doc["domains"][0])
    with pytest.raises(SeedError, match=message.replace("[", r"\[").replace("]", r"\]")):
        build_world(doc)


def test_a_pause_counts_on_the_day_it_began():
    domain = next(iter(build_world(copy.deepcopy(SEED)).domains.values()))
    agent = next(iter(domain.store(Agents)))
    clock = domain.store(PauseClock)
    clock.open.clear()  # forget the seeded pause
    midnight = (domain.now() // DAY_MS + 1) * DAY_MS
    clock._status(agent, PAUSE, "Lunch", midnight - 600_000)  # 10 minutes before midnight...
    clock._status(agent, "offline", "", midnight + 1_200_000)  # ...until 20 minutes after
    assert clock.spent[(agent.id, "Lunch")] == ((midnight - 1) // DAY_MS, 1_800_000)  # all 30, the day before
    domain.world.clock.advance((midnight + 1_800_000 - domain.now()) / 1000)
    assert clock.minutes(agent, "Lunch") == 0  # today (after midnight) nothing was begun


def test_a_type_still_used_is_not_deleted():
    doc = copy.deepcopy(SEED)
    doc["domains"][0]["queues"] = [{"name": "Campaign", "type": 4, "members": [
        {"name": "Ann", "communications": [{"destination": "+15550001"}]}]}]  # of the type with id 1
    domain = next(iter(build_world(doc).domains.values()))
    types = domain.store(CommunicationTypes)
    kind = types.get(1)
    with pytest.raises(WebitelError) as refused:
        types.delete(kind.id)
    assert (refused.value.code, refused.value.id) == (500, E_TYPE_DELETE)
    assert kind.id in types.rows and types.codes.owner("mobile") == kind.id
    [member] = domain.store(Members)
    domain.store(Members).delete(member.queue_id, member.id)
    assert types.delete(kind.id) == kind  # once no member's number is of that type


def test_a_users_presets_go_with_the_user():
    domain = next(iter(build_world(copy.deepcopy(SEED)).domains.values()))
    presets, agents = domain.store(PresetQueries), domain.store(Agents)
    agent = next(iter(agents))
    presets.create(actor=agent.user_id, name="mine", section="agents")
    agents.delete(agent.id)  # an agent's user cannot go for good before the agent
    domain.store(Users).delete(agent.user_id, actor=None, permanent=True)
    assert list(presets) == [] and presets.keys == {}
