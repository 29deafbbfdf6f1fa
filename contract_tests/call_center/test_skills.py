"""Skills (docs/call-center.md): names unique per domain case-insensitively, agent counts, and a
skill still used by an agent or a queue cannot be deleted (500)."""

from contract_tests.call_center.conftest import CC, ok, refused
from contract_tests.target import Target


def test_a_skill_is_created_read_listed_renamed_and_deleted(api, cc):
    skill = cc.skill(description="spoken")
    assert skill["description"] == "spoken" and skill["created_at"] and skill["created_by"]["id"]
    assert ok(api.get(f"{CC}/skills/{skill['id']}")) == skill
    assert [s["id"] for s in ok(api.get(f"{CC}/skills", params={"q": skill["name"]}))["items"]] == [skill["id"]]

    renamed = Target.unique("renamed ")
    updated = ok(api.put(f"{CC}/skills/{skill['id']}", json={"name": renamed}))
    assert updated["name"] == renamed and "description" not in updated

    assert ok(api.delete(f"{CC}/skills/{skill['id']}"))["id"] == skill["id"]
    refused(api.get(f"{CC}/skills/{skill['id']}"), 404, "store.sql_skill.get.app_error")


def test_names_are_unique_in_the_domain_whatever_the_case(api, cc):
    skill = cc.skill()
    refused(api.post(f"{CC}/skills", json={"name": skill["name"].upper()}), 400, "store.sql_skill.save.valid.name")
    other = cc.skill()
    refused(api.put(f"{CC}/skills/{other['id']}", json={"name": skill["name"].lower()}), 400,
            "store.sql_skill.save.valid.name")
    # Renaming a skill to its own name (another case) is no clash.
    assert ok(api.put(f"{CC}/skills/{skill['id']}", json={"name": skill["name"].upper()}))["name"] == \
        skill["name"].upper()


def test_active_and_total_agents_count_the_skills_rows(api, cc):
    skill = cc.skill()
    cc.agent_skill(cc.agent(), skill, enabled=True)
    cc.agent_skill(cc.agent(), skill, enabled=False)
    read = ok(api.get(f"{CC}/skills/{skill['id']}"))
    assert (read["active_agents"], read["total_agents"]) == (1, 2)


def test_a_skill_of_an_agent_cannot_be_deleted(api, cc):
    skill = cc.skill()
    agent = cc.agent()
    row = cc.agent_skill(agent, skill)
    refused(api.delete(f"{CC}/skills/{skill['id']}"), 500, "store.sql_skill.delete.app_error")
    ok(api.delete(f"{CC}/agents/{agent['id']}/skills/{row['id']}"))
    assert ok(api.delete(f"{CC}/skills/{skill['id']}"))["id"] == skill["id"]


def test_a_skill_of_a_queue_cannot_be_deleted(api, cc):
    skill = cc.skill()
    cc.queue_skill(cc.queue(), skill)
    refused(api.delete(f"{CC}/skills/{skill['id']}"), 500, "store.sql_skill.delete.app_error")


def test_list_filters_by_id(api, cc):
    a, b = cc.skill(), cc.skill()
    listed = ok(api.get(f"{CC}/skills", params={"id": b["id"]}))
    assert [s["id"] for s in listed["items"]] == [b["id"]]
    assert a["id"] not in [s["id"] for s in listed["items"]]


def test_unknown_skill(api):
    refused(api.get(f"{CC}/skills/987654321"), 404, "store.sql_skill.get.app_error")
    refused(api.delete(f"{CC}/skills/987654321"), 404, "store.sql_skill.get.app_error")
