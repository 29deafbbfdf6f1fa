"""Agent skills (docs/call-center.md): capacity required and 0..100, ``enabled`` stored false
when omitted, one row per agent and skill, row ids in paths, bulk add / patch / delete, and the
same rows seen from the skill (``/skills/{id}/agents``)."""

import pytest

from contract_tests.call_center.conftest import CC, ok, refused


def rows_of(api, agent, **params) -> list[dict]:
    return ok(api.get(f"{CC}/agents/{agent['id']}/skills", params=params)).get("items", [])


def test_a_skill_is_given_read_changed_and_taken_back(api, cc):
    skill, agent = cc.skill(), cc.agent()
    row = cc.agent_skill(agent, skill, capacity=50)
    assert row["agent"]["id"] == agent["id"] and row["skill"] == {"id": skill["id"], "name": skill["name"]}
    assert (row["capacity"], row["enabled"]) == (50, True)
    assert ok(api.get(f"{CC}/agents/{agent['id']}/skills/{row['id']}")) == row
    assert rows_of(api, agent) == [{"id": row["id"], "skill": row["skill"], "capacity": 50, "enabled": True}]
    assert ok(api.get(f"{CC}/agents/{agent['id']}"))["skills"] == [row["skill"]]

    patched = ok(api.patch(f"{CC}/agents/{agent['id']}/skills/{row['id']}", json={"enabled": False}))
    assert (patched["capacity"], patched.get("enabled", False)) == (50, False)
    deleted = ok(api.delete(f"{CC}/agents/{agent['id']}/skills/{row['id']}"))
    assert deleted["id"] == row["id"]
    assert rows_of(api, agent) == []


def test_enabled_is_stored_false_when_omitted(api, cc):
    skill, agent = cc.skill(), cc.agent()
    row = ok(api.post(f"{CC}/agents/{agent['id']}/skills", json={"skill": {"id": skill["id"]}, "capacity": 10}))
    assert "enabled" not in row  # false, left out as every zero value
    replaced = ok(api.put(f"{CC}/agents/{agent['id']}/skills/{row['id']}",
                          json={"skill": {"id": skill["id"]}, "capacity": 20}))
    assert (replaced["capacity"], "enabled" in replaced) == (20, False)


@pytest.mark.parametrize("capacity", [0, 100])
def test_capacity_bounds_are_accepted_and_zero_is_written(cc, capacity):
    row = cc.agent_skill(cc.agent(), cc.skill(), capacity=capacity)
    assert row["capacity"] == capacity


@pytest.mark.parametrize(("capacity", "detail"), [
    (None, "Capacity is required"), (-1, "Capacity must be between 0 and 100"),
    (101, "Capacity must be between 0 and 100"),
])
def test_capacity_is_required_and_within_0_to_100(api, cc, capacity, detail):
    skill, agent = cc.skill(), cc.agent()
    body = {"skill": {"id": skill["id"]}, "enabled": True}
    if capacity is not None:
        body["capacity"] = capacity
    assert refused(api.post(f"{CC}/agents/{agent['id']}/skills", json=body), 400,
                   "agent_skill.valid.capacity")["detail"] == detail
    assert rows_of(api, agent) == []


def test_capacity_is_checked_on_update(api, cc):
    agent = cc.agent()
    row = cc.agent_skill(agent, cc.skill())
    refused(api.patch(f"{CC}/agents/{agent['id']}/skills/{row['id']}", json={"capacity": 101}), 400,
            "agent_skill.valid.capacity")
    refused(api.put(f"{CC}/agents/{agent['id']}/skills/{row['id']}", json={"skill": row["skill"], "enabled": True}),
            400, "agent_skill.valid.capacity")
    assert ok(api.get(f"{CC}/agents/{agent['id']}/skills/{row['id']}"))["capacity"] == 50


def test_one_row_per_agent_and_skill(api, cc):
    skill, agent = cc.skill(), cc.agent()
    cc.agent_skill(agent, skill)
    refused(api.post(f"{CC}/agents/{agent['id']}/skills", json={"skill": {"id": skill["id"]}, "capacity": 5}), 400,
            "store.sql_skill_in_agent.create.app_error")


def test_a_skill_that_does_not_exist_cannot_be_given(api, cc):
    agent = cc.agent()
    refused(api.post(f"{CC}/agents/{agent['id']}/skills", json={"skill": {"id": "987654321"}, "capacity": 5}), 400,
            "store.sql_skill_in_agent.create.app_error")


def test_paths_name_the_row_of_that_agent(api, cc):
    skill, agent, other = cc.skill(), cc.agent(), cc.agent()
    row = cc.agent_skill(agent, skill)
    for method in ("GET", "DELETE"):
        refused(api.request(method, f"{CC}/agents/{other['id']}/skills/{row['id']}"), 404,
                "store.sql_skill_in_agent.get_all.app_error")
    refused(api.patch(f"{CC}/agents/{other['id']}/skills/{row['id']}", json={"capacity": 1}), 404,
            "store.sql_skill_in_agent.get_all.app_error")
    # The skill's id is not a row id either.
    refused(api.get(f"{CC}/agents/{agent['id']}/skills/{int(row['id']) + 100000}"), 404,
            "store.sql_skill_in_agent.get_all.app_error")


def test_bulk_add_gives_every_skill_or_none(api, cc):
    english, spanish = cc.skill(), cc.skill()
    agent = cc.agent()
    items = [{"skill": {"id": english["id"]}, "capacity": 10, "enabled": True},
             {"skill": {"id": spanish["id"]}, "capacity": 20}]
    ids = ok(api.post(f"{CC}/agents/{agent['id']}/skills/bulk", json={"items": items}))["ids"]
    assert len(ids) == 2
    assert {r["skill"]["id"]: (r["capacity"], r.get("enabled", False)) for r in rows_of(api, agent)} == \
        {english["id"]: (10, True), spanish["id"]: (20, False)}

    fresh = cc.agent()
    duplicate = [{"skill": {"id": english["id"]}, "capacity": 10}, {"skill": {"id": english["id"]}, "capacity": 20}]
    refused(api.post(f"{CC}/agents/{fresh['id']}/skills/bulk", json={"items": duplicate}), 400,
            "store.sql_skill_in_agent.create.app_error")
    bad = [{"skill": {"id": english["id"]}, "capacity": 10}, {"skill": {"id": spanish["id"]}, "capacity": 500}]
    refused(api.post(f"{CC}/agents/{fresh['id']}/skills/bulk", json={"items": bad}), 400, "agent_skill.valid.capacity")
    assert rows_of(api, fresh) == []


def test_bulk_patch_by_skill_and_by_row(api, cc):
    english, spanish, billing = cc.skill(), cc.skill(), cc.skill()
    agent = cc.agent()
    rows = [cc.agent_skill(agent, s, capacity=30) for s in (english, spanish, billing)]
    patched = ok(api.patch(f"{CC}/agents/{agent['id']}/skills",
                           json={"skill_id": [english["id"], spanish["id"]], "enabled": False}))["items"]
    assert sorted(r["skill"]["id"] for r in patched) == sorted([english["id"], spanish["id"]])
    ok(api.patch(f"{CC}/agents/{agent['id']}/skills", json={"id": [rows[2]["id"]], "capacity": 90}))
    state = {r["skill"]["id"]: (r["capacity"], r.get("enabled", False)) for r in rows_of(api, agent)}
    assert state == {english["id"]: (30, False), spanish["id"]: (30, False), billing["id"]: (90, True)}
    refused(api.patch(f"{CC}/agents/{agent['id']}/skills", json={"id": [rows[0]["id"]], "capacity": -5}), 400,
            "agent_skill.valid.capacity")


def test_bulk_delete_by_row_and_by_skill(api, cc):
    english, spanish, billing = cc.skill(), cc.skill(), cc.skill()
    agent = cc.agent()
    rows = [cc.agent_skill(agent, s) for s in (english, spanish, billing)]
    gone = ok(api.delete(f"{CC}/agents/{agent['id']}/skills", params={"id": rows[0]["id"]}))["items"]
    assert [r["id"] for r in gone] == [rows[0]["id"]]
    ok(api.delete(f"{CC}/agents/{agent['id']}/skills", params={"skill_id": spanish["id"]}))
    assert [r["id"] for r in rows_of(api, agent)] == [rows[2]["id"]]


def test_list_filters_by_skill_and_by_skill_name(api, cc):
    english, spanish = cc.skill(), cc.skill()
    agent = cc.agent()
    cc.agent_skill(agent, english)
    cc.agent_skill(agent, spanish)
    assert [r["skill"]["id"] for r in rows_of(api, agent, skill_id=spanish["id"])] == [spanish["id"]]
    assert [r["skill"]["id"] for r in rows_of(api, agent, q=english["name"])] == [english["id"]]
    assert [r["skill"]["name"] for r in rows_of(api, agent)] == sorted([english["name"], spanish["name"]],
                                                                       key=str.casefold)


def test_a_skills_agents(api, cc):
    skill, team = cc.skill(), cc.team()
    first, second = cc.agent(team={"id": team["id"]}), cc.agent()
    made = ok(api.post(f"{CC}/skills/{skill['id']}/agents",
                       json={"agent": [{"id": first["id"]}, {"id": second["id"]}], "capacity": 40, "enabled": True}))
    assert sorted(r["agent"]["id"] for r in made["items"]) == sorted([first["id"], second["id"]])
    listed = ok(api.get(f"{CC}/skills/{skill['id']}/agents"))
    assert listed["aggs"] == {"enabled": True}
    by_agent = {r["agent"]["id"]: r for r in listed["items"]}
    assert by_agent[first["id"]]["team"] == {"id": team["id"], "name": team["name"]}
    assert by_agent[second["id"]]["capacity"] == 40

    patched = ok(api.patch(f"{CC}/skills/{skill['id']}/agents", json={"agent_id": [first["id"]], "enabled": False}))
    assert [r["agent"]["id"] for r in patched["items"]] == [first["id"]]
    assert "aggs" not in ok(api.get(f"{CC}/skills/{skill['id']}/agents"))  # one row disabled: enabled false
    refused(api.post(f"{CC}/skills/{skill['id']}/agents", json={"agent": [{"id": first["id"]}], "capacity": 1}),
            400, "store.sql_skill_in_agent.create.app_error")
    refused(api.post(f"{CC}/skills/{skill['id']}/agents", json={"agent": [{"id": first["id"]}]}),
            400, "agent_skill.valid.capacity")

    deleted = ok(api.request("DELETE", f"{CC}/skills/{skill['id']}/agents", json={"agent_id": [second["id"]]}))
    assert [r["agent"]["id"] for r in deleted["items"]] == [second["id"]]
    assert [r["agent"]["id"] for r in ok(api.get(f"{CC}/skills/{skill['id']}/agents"))["items"]] == [first["id"]]
