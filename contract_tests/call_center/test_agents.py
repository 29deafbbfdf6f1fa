"""Agents (docs/call-center.md): one agent per user, counts of at least 1 (checked in
the order task, chat, progressive), a CALL_CENTER license to become one, PATCH of the keys sent,
PUT of every editable attribute, delete cascading to the agent's skills, and the two lookups."""

import pytest

from contract_tests.call_center.conftest import CC, ok, refused


def test_an_agent_is_created_read_and_listed(api, cc):
    team = cc.team()
    user = cc.user()
    agent = cc.agent(user, team={"id": team["id"]}, description="night shift", chat_count=2)
    assert agent["user"] == {"id": user["id"], "name": user["name"]}
    assert agent["name"] == user["name"]
    assert agent["status"] == "offline"
    assert agent["team"] == {"id": team["id"], "name": team["name"]}
    assert (agent["task_count"], agent["chat_count"], agent["progressive_count"]) == (1, 2, 1)
    assert agent["allow_channels"] == ["call"]
    assert ok(api.get(f"{CC}/agents/{agent['id']}"))["id"] == agent["id"]
    listed = ok(api.get(f"{CC}/agents", params={"user_id": user["id"]}))
    assert [a["id"] for a in listed["items"]] == [agent["id"]]


def test_one_agent_per_user(api, cc):
    user = cc.user()
    cc.agent(user)
    body = {"user": {"id": user["id"]}, "task_count": 1, "chat_count": 1, "progressive_count": 1}
    refused(api.post(f"{CC}/agents", json=body), 400, "store.sql_agent.save.app_error")


@pytest.mark.parametrize(("counts", "error_id"), [
    ({"task_count": 0, "chat_count": 0, "progressive_count": 0}, "model.Agent.valid.TaskCount"),
    ({"task_count": 1, "chat_count": 0, "progressive_count": 0}, "model.Agent.valid.ChatCount"),
    ({"task_count": 1, "chat_count": 1, "progressive_count": 0}, "model.Agent.valid.ProgressiveCount"),
    ({"chat_count": 1, "progressive_count": 1}, "model.Agent.valid.TaskCount"),  # omitted = 0
])
def test_counts_must_be_at_least_one_checked_task_chat_progressive(api, cc, counts, error_id):
    user = cc.user()
    refused(api.post(f"{CC}/agents", json={"user": {"id": user["id"]}, **counts}), 400, error_id)


def test_counts_are_checked_on_update_too(api, cc):
    agent = cc.agent()
    refused(api.patch(f"{CC}/agents/{agent['id']}", json={"chat_count": 0}), 400, "model.Agent.valid.ChatCount")
    assert ok(api.get(f"{CC}/agents/{agent['id']}"))["chat_count"] == 1


def test_a_user_without_a_call_center_license_cannot_become_an_agent(api, cc):
    user = cc.user(licensed=False)
    body = {"user": {"id": user["id"]}, "task_count": 1, "chat_count": 1, "progressive_count": 1}
    body = refused(api.post(f"{CC}/agents", json=body), 403, "app.license.cc")
    assert "CALL_CENTER" in body["detail"]


def test_patch_changes_only_the_keys_sent(api, cc):
    team = cc.team()
    agent = cc.agent(team={"id": team["id"]}, description="kept")
    patched = ok(api.patch(f"{CC}/agents/{agent['id']}", json={"progressive_count": 3}))
    assert patched["progressive_count"] == 3
    assert patched["description"] == "kept" and patched["team"]["id"] == team["id"]


def test_put_replaces_every_editable_attribute(api, cc):
    team = cc.team()
    user = cc.user()
    agent = cc.agent(user, team={"id": team["id"]}, description="dropped")
    body = {"user": {"id": user["id"]}, "task_count": 2, "chat_count": 1, "progressive_count": 1}
    replaced = ok(api.put(f"{CC}/agents/{agent['id']}", json=body))
    assert replaced["task_count"] == 2
    assert "description" not in replaced and "team" not in replaced


def test_an_agent_is_moved_to_another_team(api, cc):
    first, second = cc.team(), cc.team()
    agent = cc.agent(team={"id": first["id"]})
    moved = ok(api.patch(f"{CC}/agents/{agent['id']}", json={"team": {"id": second["id"]}}))
    assert moved["team"]["id"] == second["id"]
    listed = ok(api.get(f"{CC}/agents", params={"team_id": second["id"]}))
    assert [a["id"] for a in listed["items"]] == [agent["id"]]


def test_list_filters_by_skill_and_not_team(api, cc):
    skill, team = cc.skill(), cc.team()
    with_skill = cc.agent()
    cc.agent_skill(with_skill, skill, enabled=False)  # a disabled row still is the agent's skill
    in_team = cc.agent(team={"id": team["id"]})
    assert [a["id"] for a in ok(api.get(f"{CC}/agents", params={"skill_id": skill["id"]}))["items"]] == \
        [with_skill["id"]]
    not_in_team = ok(api.get(f"{CC}/agents", params=[("id", with_skill["id"]), ("id", in_team["id"]),
                                                     ("not_team_id", team["id"])]))
    assert [a["id"] for a in not_in_team["items"]] == [with_skill["id"]]


def test_deleting_an_agent_deletes_its_skills(api, cc):
    skill = cc.skill()
    agent = cc.agent()
    row = cc.agent_skill(agent, skill)
    deleted = ok(api.delete(f"{CC}/agents/{agent['id']}"))
    assert deleted["id"] == agent["id"]
    refused(api.get(f"{CC}/agents/{agent['id']}"), 404, "store.sql_agent.get.app_error")
    refused(api.get(f"{CC}/agents/{agent['id']}/skills/{row['id']}"), 404, "store.sql_skill_in_agent.get_all.app_error")
    assert "total_agents" not in ok(api.get(f"{CC}/skills/{skill['id']}"))
    assert ok(api.delete(f"{CC}/skills/{skill['id']}"))["id"] == skill["id"]  # no longer in use


def test_a_user_who_is_an_agent_cannot_be_deleted_for_good(api, cc):
    user = cc.user()
    agent = cc.agent(user)
    response = api.delete(f"/users/{user['id']}", params={"permanent": "true"})
    assert response.status_code >= 400, response.text
    assert ok(api.get(f"/users/{user['id']}"))["id"] == user["id"]
    ok(api.delete(f"{CC}/agents/{agent['id']}"))
    ok(api.delete(f"/users/{user['id']}", params={"permanent": "true"}))


def test_the_users_lookup_lists_users_who_are_not_agents_yet(api, cc):
    agent_user, plain_user = cc.user(), cc.user()
    cc.agent(agent_user)
    found = ok(api.get(f"{CC}/lookups/agents/users", params={"q": "CC User*", "size": 1000}))["items"]
    ids = [u["id"] for u in found]
    assert plain_user["id"] in ids and agent_user["id"] not in ids
    assert {"id": plain_user["id"], "name": plain_user["name"]} in found


def test_the_skills_lookup_lists_skills_the_agent_does_not_have(api, cc):
    had, missing = cc.skill(), cc.skill()
    agent = cc.agent()
    cc.agent_skill(agent, had)
    found = ok(api.get(f"{CC}/lookups/agents/skills/{agent['id']}", params={"size": 1000}))["items"]
    assert {"id": missing["id"], "name": missing["name"]} in found
    assert had["id"] not in [s["id"] for s in found]


def test_unknown_agent(api):
    refused(api.get(f"{CC}/agents/987654321"), 404, "store.sql_agent.get.app_error")
    refused(api.patch(f"{CC}/agents/987654321", json={"description": "x"}), 404, "store.sql_agent.get.app_error")
    refused(api.delete(f"{CC}/agents/987654321"), 404, "store.sql_agent.get.app_error")


def test_a_user_who_is_not_an_administrator_may_read_but_not_create(api, cc, webitel):
    user = cc.user()
    cc.agent(user)
    with webitel.api_client(cc.token_of(user)) as as_user:
        assert ok(as_user.get(f"{CC}/agents", params={"user_id": user["id"]}))["items"]
        other = cc.user()
        body = {"user": {"id": other["id"]}, "task_count": 1, "chat_count": 1, "progressive_count": 1}
        refused(as_user.post(f"{CC}/agents", json=body), 403, "api.context.permissions.app_error")
