"""Teams (docs/call-center.md): name and strategy required, every strategy of Webitel's UI
accepted, a team still in use cannot be deleted (500, the store's internal error)."""

import pytest

from contract_tests.call_center.conftest import CC, ok, refused
from emulator.callcenter.routing import STRATEGIES


def test_a_team_is_created_read_listed_replaced_and_deleted(api, cc):
    team = cc.team(description="first line", max_no_answer=3, wrap_up_time=15, no_answer_delay_time=10,
                   call_timeout=30)
    assert team["strategy"] == "longest-idle-agent"
    assert (team["max_no_answer"], team["wrap_up_time"], team["call_timeout"]) == (3, 15, 30)
    assert ok(api.get(f"{CC}/teams/{team['id']}")) == team
    assert [t["id"] for t in ok(api.get(f"{CC}/teams", params={"q": team["name"]}))["items"]] == [team["id"]]

    replaced = ok(api.put(f"{CC}/teams/{team['id']}", json={"name": team["name"], "strategy": "round-robin"}))
    assert replaced["strategy"] == "round-robin"
    assert "description" not in replaced and "max_no_answer" not in replaced  # PUT replaces: omitted = zero

    deleted = ok(api.delete(f"{CC}/teams/{team['id']}"))
    assert deleted["id"] == team["id"]
    refused(api.get(f"{CC}/teams/{team['id']}"), 404, "store.sql_agent_team.get.app_error")


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_every_strategy_of_webitels_ui_is_accepted(cc, strategy):
    assert cc.team(strategy=strategy)["strategy"] == strategy


def test_a_team_needs_a_name(api):
    refused(api.post(f"{CC}/teams", json={"strategy": "random"}), 400, "model.cc_team.is_valid.name.app_error")


def test_a_team_needs_a_strategy(api, cc):
    refused(api.post(f"{CC}/teams", json={"name": "no strategy"}), 400, "model.cc_team.is_valid.strategy.app_error")
    team = cc.team()
    refused(api.put(f"{CC}/teams/{team['id']}", json={"name": team["name"]}), 400,
            "model.cc_team.is_valid.strategy.app_error")


def test_list_filters_by_id_and_strategy(api, cc):
    a, b = cc.team(strategy="random"), cc.team(strategy="top-down")
    listed = ok(api.get(f"{CC}/teams", params=[("id", a["id"]), ("id", b["id"]), ("strategy", "top-down")]))
    assert [t["id"] for t in listed["items"]] == [b["id"]]


def test_a_team_with_agents_cannot_be_deleted(api, cc):
    team = cc.team()
    agent = cc.agent(team={"id": team["id"]})
    refused(api.delete(f"{CC}/teams/{team['id']}"), 500, "store.sql_agent_team.delete.app_error")
    assert ok(api.get(f"{CC}/teams/{team['id']}"))["id"] == team["id"]
    ok(api.delete(f"{CC}/agents/{agent['id']}"))
    assert ok(api.delete(f"{CC}/teams/{team['id']}"))["id"] == team["id"]


def test_a_team_with_queues_cannot_be_deleted(api, cc):
    team = cc.team()
    cc.queue(team={"id": team["id"]})
    refused(api.delete(f"{CC}/teams/{team['id']}"), 500, "store.sql_agent_team.delete.app_error")


def test_unknown_team(api):
    refused(api.get(f"{CC}/teams/987654321"), 404, "store.sql_agent_team.get.app_error")
    refused(api.put(f"{CC}/teams/987654321", json={"name": "x", "strategy": "random"}), 404,
            "store.sql_agent_team.get.app_error")
    refused(api.delete(f"{CC}/teams/987654321"), 404, "store.sql_agent_team.get.app_error")


def test_lists_page_as_the_engine_does(api, cc):
    """size (default 40), 1-based page, ``next`` from size + 1 rows (docs/call-center.md, engine lists)."""
    a, b = cc.team(), cc.team()
    params = [("id", a["id"]), ("id", b["id"]), ("size", "1")]
    first = ok(api.get(f"{CC}/teams", params=params))
    assert ([t["id"] for t in first["items"]], first["next"]) == ([a["id"]], True)
    second = ok(api.get(f"{CC}/teams", params=[*params, ("page", "2")]))
    assert [t["id"] for t in second["items"]] == [b["id"]] and "next" not in second
    assert ok(api.get(f"{CC}/teams", params=[("id", a["id"]), ("fields", "id"), ("fields", "name")]))["items"] == \
        [{"id": a["id"], "name": a["name"]}]
