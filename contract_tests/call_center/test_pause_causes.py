"""Pause causes (engine AgentPauseCauseService, /call_center/pause_causes) and the causes an agent may
give (GET /call_center/agents/{agent_id}/pause_causes): their rules and refusals, and the pause
itself naming one (docs/call-center.md, "Pause causes")."""

from __future__ import annotations

import httpx
import pytest

from contract_tests.call_center.conftest import CAUSES, CC, ok, refused
from contract_tests.target import Target


def test_a_cause_is_created_read_listed_patched_replaced_and_deleted(api, cause):
    made = cause(description="first", limit_min=30, allow_agent=True)
    assert isinstance(made["id"], int) and made["limit_min"] == 30 and made["allow_agent"] is True
    assert made["created_by"]["id"] and made["updated_by"] == made["created_by"]
    assert "allow_supervisor" not in made and "allow_admin" not in made  # an omitted bool is false
    path = f"{CAUSES}/{made['id']}"
    assert ok(api.get(path)) == made
    assert ok(api.get(CAUSES, params={"id": made["id"]}))["items"] == [made]
    patched = ok(api.patch(path, json={"allow_supervisor": True}))
    assert (patched["name"], patched["limit_min"], patched["allow_agent"], patched["allow_supervisor"]) == \
        (made["name"], 30, True, True)
    replaced = ok(api.put(path, json={"name": made["name"], "description": "second"}))
    assert replaced["description"] == "second" and "limit_min" not in replaced and "allow_agent" not in replaced
    assert ok(api.delete(path))["id"] == made["id"]
    refused(api.get(path), 404, "store.sql_pause_cause.get.app_error")


def test_causes_are_listed_by_name_descending_and_searched(api, cause):
    prefix = Target.unique("ct_cause_")
    a = cause(name=f"{prefix}a", description="coffee")
    b = cause(name=f"{prefix}b")
    listed = ok(api.get(CAUSES, params={"q": f"{prefix}*"}))["items"]
    assert [c["id"] for c in listed] == [b["id"], a["id"]]  # PauseCause.DefaultOrder is "-name"
    assert [c["id"] for c in ok(api.get(CAUSES, params={"q": "coffee"}))["items"]] == [a["id"]]  # description too
    assert [c["id"] for c in ok(api.get(CAUSES, params={"q": f"{prefix}*", "sort": "+name"}))["items"]] == \
        [a["id"], b["id"]]


def test_a_name_is_unique_in_the_domain(api, cause):
    first, second = cause(), cause()
    body = refused(api.post(CAUSES, json={"name": first["name"]}), 400, "store.sql_pause_cause.create.app_error")
    assert "cc_pause_cause_domain_id_name_uindex" in body["detail"]
    refused(api.patch(f"{CAUSES}/{second['id']}", json={"name": first["name"]}), 400,
            "store.sql_pause_cause.update.app_error")
    assert cause(name=first["name"].upper())["id"]  # case-sensitive, as the index is


@pytest.mark.parametrize("body", [{"name": 5}, {"limit_min": "x"}, {"limit_min": -1}, {"allow_agent": "yes"},
                                  {"description": []}])
def test_a_mistyped_cause_is_refused(api, body):
    refused(api.post(CAUSES, json={"name": Target.unique("ct_cause_"), **body}), 400, "api.process.bad_args")


def test_a_missing_cause(api):
    for method in ("GET", "PUT", "PATCH", "DELETE"):
        refused(api.request(method, f"{CAUSES}/987654321", json={} if method in ("PUT", "PATCH") else None), 404,
                "store.sql_pause_cause.get.app_error")


def test_only_the_administrator_writes_causes(api, cc, webitel, cause):
    made = cause()
    with webitel.api_client(cc.token_of(cc.user())) as as_user:
        assert ok(as_user.get(f"{CAUSES}/{made['id']}"))["name"] == made["name"]
        refused(as_user.post(CAUSES, json={"name": Target.unique("ct_cause_")}), 403,
                "api.context.permissions.app_error")
        refused(as_user.delete(f"{CAUSES}/{made['id']}"), 403, "api.context.permissions.app_error")


# -- a pause names a cause ---------------------------------------------------------------------------
def test_a_pause_names_a_cause_of_the_domain(api, cc, cause):
    agent = cc.agent()
    made = cause()
    status = f"{CC}/agents/{agent['id']}/status"
    body = refused(api.patch(status, json={"status": "pause", "payload": Target.unique("no such cause ")}), 400,
                   "app.agent.set_pause.payload")
    assert "not found" in body["detail"]
    assert ok(api.get(f"{CC}/agents/{agent['id']}"))["status"] == "offline"  # nothing changed
    assert ok(api.patch(status, json={"status": "pause", "payload": made["name"]})) == {"status": "OK"}
    assert ok(api.patch(status, json={"status": "pause"})) == {"status": "OK"}  # a pause without a cause


def test_an_agent_pausing_itself_needs_a_cause_allowing_agents(api, cc, webitel, cause):
    user = cc.user()
    agent = cc.agent(user)
    closed, open_ = cause(allow_supervisor=True, allow_admin=True), cause(allow_agent=True)
    status = f"{CC}/agents/{agent['id']}/status"
    with webitel.api_client(cc.token_of(user)) as as_agent:
        refused(as_agent.patch(status, json={"status": "pause", "payload": closed["name"]}), 400,
                "app.agent.set_pause.not_allow")
        assert ok(as_agent.patch(status, json={"status": "pause", "payload": open_["name"]})) == {"status": "OK"}
    assert ok(api.patch(status, json={"status": "pause", "payload": closed["name"]})) == {"status": "OK"}  # admin


# -- the causes an agent may give --------------------------------------------------------------------
def _names(client: httpx.Client, agent: dict, **params) -> list[str]:
    return [c["name"] for c in ok(client.get(f"{CC}/agents/{agent['id']}/pause_causes", params=params))
            .get("items", [])]


def test_an_agent_lists_the_causes_by_name_and_those_it_may_set(cc, webitel, cause):
    prefix = Target.unique("ct_cause_")
    by_agent = cause(name=f"{prefix}b", allow_agent=True, limit_min=15)
    by_supervisor = cause(name=f"{prefix}a", allow_supervisor=True)
    user = cc.user()
    agent = cc.agent(user)
    with webitel.api_client(cc.token_of(user)) as as_agent:
        every = [n for n in _names(as_agent, agent) if n.startswith(prefix)]
        assert every == [by_supervisor["name"], by_agent["name"]]  # by name, ascending
        assert [n for n in _names(as_agent, agent, allow_change="true") if n.startswith(prefix)] == [by_agent["name"]]
        [item] = [c for c in ok(as_agent.get(f"{CC}/agents/{agent['id']}/pause_causes"))["items"]
                  if c["name"] == by_agent["name"]]
        assert item == {"id": by_agent["id"], "name": by_agent["name"], "limit_min": 15}


def test_a_supervisor_lists_the_causes_supervisors_may_set(cc, webitel, cause):
    prefix = Target.unique("ct_cause_")
    by_agent, by_supervisor = cause(name=f"{prefix}a", allow_agent=True), cause(name=f"{prefix}b",
                                                                                   allow_supervisor=True)
    boss_user = cc.user()
    boss = cc.agent(boss_user, is_supervisor=True)
    agent = cc.agent(supervisor=[{"id": boss["id"]}])
    with webitel.api_client(cc.token_of(boss_user)) as as_boss:
        assert [n for n in _names(as_boss, agent, allow_change="true") if n.startswith(prefix)] == \
            [by_supervisor["name"]]
        assert {by_agent["name"], by_supervisor["name"]} <= set(_names(as_boss, agent))


def test_the_list_is_empty_for_a_caller_who_is_not_an_agent(api, cc, cause):
    cause()
    agent = cc.agent()
    assert _names(api, agent) == []  # the administrator is no agent: the SQL joins the caller's agent
    assert _names(api, {"id": "987654321"}) == []


@pytest.mark.control_plane
def test_the_minutes_paused_today_per_cause(api, cc, emulator, webitel, cause):
    user = cc.user()
    agent = cc.agent(user)
    lunch, tea = cause(allow_agent=True), cause(allow_agent=True)
    status = f"{CC}/agents/{agent['id']}/status"

    def minutes() -> dict[str, int]:
        with webitel.api_client(cc.token_of(user)) as as_agent:
            items = ok(as_agent.get(f"{CC}/agents/{agent['id']}/pause_causes"))["items"]
        return {c["name"]: c.get("duration_min", 0) for c in items if c["name"] in (lunch["name"], tea["name"])}

    day_ms = 86_400_000
    emulator.advance_clock((day_ms - emulator.advance_clock(0) % day_ms) / 1000 + 3600)  # 01:00 UTC, a new day
    ok(api.patch(status, json={"status": "pause", "payload": lunch["name"]}))
    emulator.advance_clock(30 * 60)
    assert minutes() == {lunch["name"]: 30, tea["name"]: 0}  # the current pause counts until now
    ok(api.patch(status, json={"status": "pause", "payload": tea["name"]}))
    emulator.advance_clock(10 * 60)
    ok(api.patch(status, json={"status": "offline"}))
    emulator.advance_clock(60 * 60)
    assert minutes() == {lunch["name"]: 30, tea["name"]: 10}
    ok(api.patch(status, json={"status": "pause", "payload": lunch["name"]}))
    emulator.advance_clock(5 * 60)
    assert minutes()[lunch["name"]] == 35
    ok(api.patch(status, json={"status": "offline"}))
    emulator.advance_clock(24 * 3600)
    assert minutes() == {lunch["name"]: 0, tea["name"]: 0}  # another day


@pytest.mark.control_plane
def test_seeded_causes_allow_everyone_and_the_demo_seed_has_them(api):
    names = {c["name"]: c for c in ok(api.get(CAUSES, params={"size": 100}))["items"]}
    assert {"Lunch", "Break", "Training"} <= set(names)
    assert names["Lunch"]["allow_agent"] and names["Lunch"]["allow_supervisor"] and names["Lunch"]["allow_admin"]
    assert "allow_agent" not in names["Training"]  # the seed's own choice
