"""Queues and queue skills (docs/call-center.md): the handler's literal copies (omitted
min/max capacity 0, omitted enabled false, lvl 0), capacities 0..100, buckets, PATCH of the keys
sent, and a queue skill's id written as a number."""

import pytest

from contract_tests.call_center.conftest import CC, ok, refused


def test_a_queue_is_created_read_listed_patched_replaced_and_deleted(api, cc):
    team = cc.team()
    queue = cc.queue(priority=10, team={"id": team["id"]}, strategy="fifo", variables={"lang": "en"},
                     tags=[{"name": "vip"}])
    assert (queue["type"], queue["priority"], queue["enabled"], queue["strategy"]) == (1, 10, True, "fifo")
    assert queue["team"] == {"id": team["id"], "name": team["name"]}
    assert queue["variables"] == {"lang": "en"} and queue["tags"] == [{"name": "vip"}]
    assert ok(api.get(f"{CC}/queues/{queue['id']}")) == queue
    assert [q["id"] for q in ok(api.get(f"{CC}/queues", params={"q": queue["name"]}))["items"]] == [queue["id"]]

    patched = ok(api.patch(f"{CC}/queues/{queue['id']}", json={"priority": 5}))
    assert patched["priority"] == 5 and patched["team"]["id"] == team["id"] and patched["enabled"] is True
    replaced = ok(api.put(f"{CC}/queues/{queue['id']}", json={"name": queue["name"], "type": 1, **cc.calendar()}))
    assert "team" not in replaced and "enabled" not in replaced and "priority" not in replaced

    assert ok(api.delete(f"{CC}/queues/{queue['id']}"))["id"] == queue["id"]
    refused(api.get(f"{CC}/queues/{queue['id']}"), 404, "store.sql_queue.get.app_error")


def test_list_filters_by_team_type_and_enabled(api, cc):
    team = cc.team()
    in_team = cc.queue(team={"id": team["id"]})
    disabled = cc.queue(team={"id": team["id"]}, enabled=False, type=0)
    assert [q["id"] for q in ok(api.get(f"{CC}/queues", params={"team_id": team["id"]}))["items"]] == \
        [in_team["id"], disabled["id"]]
    assert [q["id"] for q in ok(api.get(f"{CC}/queues", params={"team_id": team["id"], "enabled": "false"}))
            ["items"]] == [disabled["id"]]
    assert [q["id"] for q in ok(api.get(f"{CC}/queues", params={"team_id": team["id"], "type": 1}))["items"]] == \
        [in_team["id"]]


def test_a_queue_of_a_team_that_does_not_exist_is_refused(api, cc):
    refused(api.post(f"{CC}/queues", json=cc.queue_body(team={"id": "987654321"})), 400,
            "store.sql_queue.save.app_error")


def test_unknown_queue(api):
    refused(api.get(f"{CC}/queues/987654321"), 404, "store.sql_queue.get.app_error")
    refused(api.delete(f"{CC}/queues/987654321"), 404, "store.sql_queue.get.app_error")


# -- queue skills ---------------------------------------------------------------------------------
def test_omitted_attributes_of_a_queue_skill_are_the_handlers_zeros(api, cc):
    queue, skill = cc.queue(), cc.skill()
    qs = ok(api.post(f"{CC}/queues/{queue['id']}/skills", json={"skill": {"id": skill["id"]}}))
    assert isinstance(qs["id"], int)  # engine.QueueSkill.id is an integer
    assert qs == {"id": qs["id"], "skill": {"id": skill["id"], "name": skill["name"]},
                  "min_capacity": 0, "max_capacity": 0}  # lvl 0 and enabled false are left out


def test_a_queue_skill_is_read_listed_patched_replaced_and_deleted(api, cc):
    queue, skill = cc.queue(), cc.skill()
    qs = cc.queue_skill(queue, skill, lvl=2, min_capacity=10, max_capacity=90, buckets=[{"id": "7"}])
    assert (qs["lvl"], qs["min_capacity"], qs["max_capacity"], qs["enabled"]) == (2, 10, 90, True)
    assert qs["buckets"] == [{"id": "7"}]
    path = f"{CC}/queues/{queue['id']}/skills/{qs['id']}"
    assert ok(api.get(path)) == qs
    assert ok(api.get(f"{CC}/queues/{queue['id']}/skills"))["items"] == [qs]

    patched = ok(api.patch(path, json={"enabled": False}))
    assert (patched["lvl"], patched["min_capacity"], patched["max_capacity"], "enabled" in patched) == \
        (2, 10, 90, False)
    replaced = ok(api.put(path, json={"skill": {"id": skill["id"]}, "max_capacity": 50, "enabled": True}))
    assert (replaced.get("lvl", 0), replaced["min_capacity"], replaced["max_capacity"], "buckets" in replaced) == \
        (0, 0, 50, False)
    assert ok(api.delete(path))["id"] == qs["id"]
    refused(api.get(path), 404, "store.sql_queue_skill.get.app_error")


@pytest.mark.parametrize(("body", "error_id"), [
    ({"min_capacity": -1, "max_capacity": 100}, "queue_skill.valid.min_capacity"),
    ({"min_capacity": 101, "max_capacity": 100}, "queue_skill.valid.min_capacity"),
    ({"min_capacity": 0, "max_capacity": 101}, "queue_skill.valid.max_capacity"),
    ({"min_capacity": -1, "max_capacity": 101}, "queue_skill.valid.min_capacity"),  # min is checked first
])
def test_capacities_are_within_0_to_100(api, cc, body, error_id):
    queue, skill = cc.queue(), cc.skill()
    refused(api.post(f"{CC}/queues/{queue['id']}/skills", json={"skill": {"id": skill["id"]}, **body}), 400, error_id)
    qs = cc.queue_skill(queue, skill)
    refused(api.patch(f"{CC}/queues/{queue['id']}/skills/{qs['id']}", json=body), 400, error_id)


def test_min_above_max_is_not_checked(cc):
    qs = cc.queue_skill(cc.queue(), cc.skill(), min_capacity=80, max_capacity=20)
    assert (qs["min_capacity"], qs["max_capacity"]) == (80, 20)


def test_the_same_skill_twice_at_the_same_level_is_refused(api, cc):
    queue, skill = cc.queue(), cc.skill()
    cc.queue_skill(queue, skill, lvl=1)
    refused(api.post(f"{CC}/queues/{queue['id']}/skills", json={"skill": {"id": skill["id"]}, "lvl": 1}), 400,
            "store.sql_queue_skill.save.app_error")
    assert cc.queue_skill(queue, skill, lvl=2)["lvl"] == 2


def test_a_queue_skill_needs_a_skill_that_exists(api, cc):
    queue = cc.queue()
    refused(api.post(f"{CC}/queues/{queue['id']}/skills", json={"skill": {"id": "987654321"}}), 400,
            "store.sql_queue_skill.save.app_error")


def test_list_filters(api, cc):
    queue, english, spanish = cc.queue(), cc.skill(), cc.skill()
    first = cc.queue_skill(queue, english, lvl=1)
    second = cc.queue_skill(queue, spanish, lvl=2, enabled=False)
    listed = ok(api.get(f"{CC}/queues/{queue['id']}/skills"))["items"]
    assert [qs["id"] for qs in listed] == [second["id"], first["id"]]  # newest first ("-id")
    assert [qs["id"] for qs in ok(api.get(f"{CC}/queues/{queue['id']}/skills", params={"lvl": 1}))["items"]] == \
        [first["id"]]
    assert [qs["id"] for qs in ok(api.get(f"{CC}/queues/{queue['id']}/skills",
                                          params={"skill_id": spanish["id"]}))["items"]] == [second["id"]]
    assert [qs["id"] for qs in ok(api.get(f"{CC}/queues/{queue['id']}/skills",
                                          params={"enabled": "true"}))["items"]] == [first["id"]]


def test_a_queue_skill_is_found_only_under_its_queue(api, cc):
    queue, other, skill = cc.queue(), cc.queue(), cc.skill()
    qs = cc.queue_skill(queue, skill)
    refused(api.get(f"{CC}/queues/{other['id']}/skills/{qs['id']}"), 404, "store.sql_queue_skill.get.app_error")


def test_a_queue_skill_patch_changes_only_its_fields(api, cc):
    """The handler applies only the attributes in ``fields`` (grpc_api/cc_queue_skill.go PatchQueueSkill);
    the others, well typed, are ignored."""
    queue, skill = cc.queue(), cc.skill()
    qs = cc.queue_skill(queue, skill, lvl=1, min_capacity=10, max_capacity=90)
    path = f"{CC}/queues/{queue['id']}/skills/{qs['id']}"
    patched = ok(api.patch(path, json={"fields": ["lvl"], "lvl": 3, "max_capacity": 20}))
    assert (patched["lvl"], patched["max_capacity"]) == (3, 90)


@pytest.mark.parametrize("body", [{"fields": ["lvl"], "lvl": 3, "max_capacity": "twenty"},
                                  {"fields": ["lvl"], "lvl": 3, "enabled": "yes"},
                                  {"fields": "lvl", "lvl": 3}, {"lvl": "three"}, {"buckets": {"id": 1}}])
def test_a_mistyped_queue_skill_patch_is_refused_even_outside_its_fields(api, cc, body):
    """The gateway decodes the whole body before the handler reads ``fields``."""
    queue, skill = cc.queue(), cc.skill()
    qs = cc.queue_skill(queue, skill, lvl=1, min_capacity=10, max_capacity=90)
    path = f"{CC}/queues/{queue['id']}/skills/{qs['id']}"
    refused(api.patch(path, json=body), 400, "api.process.bad_args")
    assert ok(api.get(path)) == qs
