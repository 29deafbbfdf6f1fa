"""Calls (engine ``CallService``, ``/calls``): the simulated calls of the control plane are the
engine's active calls and, once over, its call history; users' own calls, hold, transfer, hangup,
DTMF, variables, eavesdropping, redial, annotations and aggregates (docs/call-center.md)."""

from __future__ import annotations

import pytest

from contract_tests.call_center.conftest import ok, refused
from contract_tests.call_center.test_routing import go_online

pytestmark = pytest.mark.control_plane


@pytest.fixture
def bridged(api, cc, emulator):
    """An inbound call from +15557001 bridged with an online agent of a team (wrap-up 0)."""
    skill, team = cc.skill(), cc.team()
    queue = cc.queue(team={"id": team["id"]})
    cc.queue_skill(queue, skill)
    agent = cc.agent(team={"id": team["id"]})
    cc.agent_skill(agent, skill)
    go_online(api, emulator, agent)
    call = emulator.add_call(queue["id"], from_="+15557001")
    emulator.answer(call["id"])
    return call, agent, queue


def since(emulator) -> dict:
    """A ``created_at`` filter from an hour ago (the history needs one)."""
    return {"created_at.from": str(int(emulator.state()["clock_ms"]) - 3_600_000)}


def test_a_simulated_call_is_an_active_call_then_history(api, emulator, bridged):
    call, agent, queue = bridged
    [active] = ok(api.get("/calls/active", params={"queue_id": queue["id"]}))["items"]
    assert active["id"] == call["id"] and active["state"] == "bridge" and active["direction"] == "inbound"
    assert active["from"]["number"] == "+15557001" and active["agent"]["id"] == agent["id"]
    assert active["queue"] == {"id": queue["id"], "name": queue["name"]}
    again = ok(api.get(f"/calls/active/{call['id']}"))
    assert {k: again[k] for k in ("id", "state", "from", "to", "agent", "queue", "team", "created_at")} == \
        {k: active[k] for k in ("id", "state", "from", "to", "agent", "queue", "team", "created_at")}
    emulator.advance_clock(30)
    ok(api.request("DELETE", f"/calls/active/{call['id']}", json={"cause": "USER_BUSY"}))
    refused(api.get(f"/calls/active/{call['id']}"), 404, "store.sql_call.get.app_error")
    assert ok(api.get("/calls/active", params={"queue_id": queue["id"]})) == {}
    [done] = ok(api.get("/calls/history", params={**since(emulator), "queue_id": queue["id"]}))["items"]
    assert (done["id"], done["cause"], done["result"]) == (call["id"], "USER_BUSY", "success")
    assert done["bill_sec"] == 30 and done["talk_sec"] == 30 and done["hangup_at"] == done["stored_at"]
    assert emulator.call(call["id"])["state"] == "ended"


def test_hold_and_unhold_count_the_held_time(api, emulator, bridged):
    call, _agent, _queue = bridged
    assert ok(api.patch(f"/calls/active/{call['id']}/hold", json={})) == {"state": "hold"}
    assert ok(api.get(f"/calls/active/{call['id']}"))["state"] == "hold"
    emulator.advance_clock(20)
    assert ok(api.patch(f"/calls/active/{call['id']}/unhold", json={})) == {"state": "active"}
    emulator.advance_clock(10)
    emulator.hangup(call["id"])
    [done] = ok(api.get("/calls/history", params={**since(emulator), "id": call["id"]}))["items"]
    assert (done["hold_sec"], done["bill_sec"], done["talk_sec"]) == (20, 30, 10)
    assert len(done["hold"]) == 1 and round(done["hold"][0]["sec"]) == 20


def test_only_a_call_in_talk_is_held_transferred_or_sent_digits(api, cc, emulator):
    queue = cc.queue()
    call = emulator.add_call(queue["id"])  # waiting: nobody serves the queue
    refused(api.patch(f"/calls/active/{call['id']}/hold", json={}), 400, "app.call.hold.valid.state")
    refused(api.patch(f"/calls/active/{call['id']}/transfer", json={"destination": "100"}), 400,
            "app.call.transfer")
    refused(api.patch(f"/calls/active/{call['id']}/dtmf", json={"digit": "1"}), 400, "app.call.dtmf.valid")
    for path in ("hold", "unhold", "dtmf", "transfer", "variables", "confirm_push"):
        refused(api.patch(f"/calls/active/999999/{path}", json={}), 404, "store.sql_call.get_instance.app_error")
    refused(api.request("DELETE", "/calls/active/not-a-call", json={}), 404, "store.sql_call.get_instance.app_error")


def test_a_blind_transfer_hands_the_call_on(api, emulator, bridged):
    call, agent, _queue = bridged
    ok(api.patch(f"/calls/active/{call['id']}/transfer", json={"destination": "2002"}))
    assert emulator.call(call["id"])["transfer_to"] == "2002"
    [done] = ok(api.get("/calls/history", params={**since(emulator), "id": call["id"]}))["items"]
    assert (done["transfer_to"], done["blind_transfer"], done["cause"]) == ("2002", "2002", "BLIND_TRANSFER")
    assert ok(api.get("/calls/history", params={**since(emulator), "has_transfer": True}))["items"][0]["id"] == \
        call["id"]


def test_digits_and_variables_go_with_the_call(api, emulator, bridged):
    call, _agent, _queue = bridged
    ok(api.patch(f"/calls/active/{call['id']}/dtmf", json={"digit": "4#"}))
    refused(api.patch(f"/calls/active/{call['id']}/dtmf", json={"digit": "x"}), 400, "app.call.dtmf.valid")
    ok(api.patch(f"/calls/active/{call['id']}/variables", json={"variables": {"order": "77"}}))
    assert ok(api.get(f"/calls/active/{call['id']}"))["variables"] == {"order": "77"}
    assert emulator.call(call["id"])["dtmf"] == "4#"
    ok(api.patch(f"/calls/active/{call['id']}/confirm_push"))


def test_a_user_makes_a_call_and_is_busy_until_it_ends(api, cc, emulator):
    user = cc.user(extension="7101")
    made = ok(api.post("/calls", json={"from": {"id": user["id"]}, "destination": "+15559000",
                                       "params": {"variables": {"crm": "1"}}}))
    [active] = ok(api.get("/calls/active", params={"user_id": user["id"]}))["items"]
    assert (active["id"], active["direction"], active["destination"]) == (made["id"], "outbound", "+15559000")
    assert active["from"]["number"] == "7101" and active["variables"] == {"crm": "1"}
    refused(api.post("/calls", json={"from": {"id": user["id"]}, "destination": "+15559001"}), 400,
            "app.call.create.valid.busy")
    ok(api.request("DELETE", f"/calls/active/{made['id']}", json={}))
    ok(api.post("/calls", json={"from": {"extension": "7101"}, "destination": "+15559001"}))


def test_a_call_needs_a_caller_who_exists(api):
    refused(api.post("/calls", json={"from": {"app_id": "x"}, "destination": "1"}), 400, "app.call.create.valid.from")
    refused(api.post("/calls", json={"from": {"id": "999999"}, "destination": "1"}), 404,
            "store.sql_user.get_call_info.app_error")


def test_an_agent_on_its_own_call_is_not_offered_queue_calls(api, cc, emulator):
    skill = cc.skill()
    queue = cc.queue()
    cc.queue_skill(queue, skill)
    agent = cc.agent()
    cc.agent_skill(agent, skill)
    go_online(api, emulator, agent)
    made = ok(api.post("/calls", json={"from": {"id": agent["user"]["id"]}, "destination": "+15559002"}))
    call = emulator.add_call(queue["id"])
    assert call["state"] == "waiting"
    ok(api.request("DELETE", f"/calls/active/{made['id']}", json={}))
    assert emulator.call(call["id"])["agent"]["id"] == agent["id"]


def test_a_user_acts_on_their_own_calls_only(api, cc, emulator, webitel, bridged):
    call, agent, _queue = bridged
    stranger = cc.user()
    with webitel.api_client(cc.token_of(stranger)) as theirs:
        refused(theirs.patch(f"/calls/active/{call['id']}/hold", json={}), 403, "api.context.permissions.app_error")
    user = next(u for u in [ok(api.get(f"/users/{agent['user']['id']}"))])
    with webitel.api_client(cc.token_of(user)) as mine:
        assert ok(mine.patch(f"/calls/active/{call['id']}/hold", json={})) == {"state": "hold"}


def test_a_supervisor_listens_in_until_the_call_ends(api, cc, emulator, bridged):
    call, _agent, _queue = bridged
    listening = ok(api.post(f"/calls/active/{call['id']}/eavesdrop", json={"listen_a": True}))
    spy = ok(api.get(f"/calls/active/{listening['id']}"))
    assert (spy["parent_id"], spy["type"]) == (call["id"], "eavesdrop")
    emulator.hangup(call["id"])
    refused(api.get(f"/calls/active/{listening['id']}"), 404, "store.sql_call.get.app_error")
    [parent] = ok(api.get("/calls/history", params={**since(emulator), "id": call["id"]}))["items"]
    assert parent["has_children"] is True
    children = ok(api.get("/calls/history", params={**since(emulator), "parent_id": call["id"]}))["items"]
    assert [c["id"] for c in children] == [listening["id"]]


def test_eavesdropping_needs_a_bridged_call(api, cc, emulator):
    call = emulator.add_call(cc.queue()["id"])
    refused(api.post(f"/calls/active/{call['id']}/eavesdrop", json={}), 400, "app.call.eavesdrop.valid.state")


def test_a_user_calls_back_a_call_of_their_history(api, cc, emulator, webitel, bridged):
    call, agent, _queue = bridged
    emulator.hangup(call["id"])
    user = ok(api.get(f"/users/{agent['user']['id']}"))
    with webitel.api_client(cc.token_of(user)) as mine:
        again = ok(mine.post(f"/calls/history/{call['id']}/redial", json={}))
        active = ok(mine.get(f"/calls/active/{again['id']}"))
        assert (active["destination"], active["variables"]) == ("+15557001", {"wbt_redial": call["id"]})
    refused(api.post(f"/calls/history/{call['id']}/redial", json={}), 404, "store.sql_call.from_number_users.app_error")


def test_the_history_is_searched_by_the_engines_filters(api, cc, emulator, bridged):
    call, agent, queue = bridged
    emulator.hangup(call["id"])
    missed = emulator.add_call(cc.queue()["id"], from_="+15557002")
    emulator.hangup(missed["id"])
    refused(api.get("/calls/history"), 400, "grpc.call.search_history")
    window = since(emulator)
    assert {c["id"] for c in ok(api.get("/calls/history", params=window))["items"]} >= {call["id"], missed["id"]}
    assert [c["id"] for c in ok(api.get("/calls/history", params={**window, "missed": True}))["items"]] == \
        [missed["id"]]
    assert [c["id"] for c in ok(api.get("/calls/history", params={"number": "+15557002"}))["items"]] == \
        [missed["id"]]
    assert [c["id"] for c in ok(api.get("/calls/history", params={**window, "agent_id": agent["id"]}))["items"]] == \
        [call["id"]]
    body = {"created_at": {"from": window["created_at.from"]}, "agent_id": [agent["id"]], "size": 1}
    assert [c["id"] for c in ok(api.post("/calls/history", json=body))["items"]] == [call["id"]]
    assert ok(api.get("/calls/history", params={**window, "has_file": True})) == {}  # no recordings here


def test_the_history_is_patched_and_annotated(api, cc, emulator, bridged):
    call, _agent, _queue = bridged
    refused(api.post(f"/calls/history/{call['id']}/annotation", json={"note": "x"}), 400,
            "store.sql_call.annotation.create.app_error")  # still active
    emulator.hangup(call["id"])
    patched = ok(api.patch(f"/calls/history/{call['id']}", json={"variables": {"rating": "5"}}))
    assert patched["variables"] == {"rating": "5"}
    note = ok(api.post(f"/calls/history/{call['id']}/annotation", json={"note": "angry", "start_sec": 3,
                                                                        "end_sec": 9}))
    assert (note["call_id"], note["note"], note["start_sec"], note["end_sec"]) == (call["id"], "angry", 3, 9)
    changed = ok(api.put(f"/calls/history/{call['id']}/annotation/{note['id']}", json={"note": "calm"}))
    assert changed["note"] == "calm" and "start_sec" not in changed
    [done] = ok(api.get("/calls/history", params={**since(emulator), "id": call["id"]}))["items"]
    assert [a["note"] for a in done["annotations"]] == ["calm"]
    assert ok(api.delete(f"/calls/history/{call['id']}/annotation/{note['id']}"))["id"] == note["id"]
    refused(api.delete(f"/calls/history/{call['id']}/annotation/{note['id']}"), 404,
            "store.sql_call.annotation.get.app_error")
    refused(api.patch("/calls/history/999999", json={"hide_missed": True}), 404, "store.sql_call.update.not_found")


def test_the_history_is_aggregated(api, cc, emulator, bridged):
    call, agent, queue = bridged
    emulator.advance_clock(40)
    emulator.hangup(call["id"])
    other = emulator.add_call(queue["id"])
    emulator.hangup(other["id"])  # the agent is in wrap-up? no: its team has none; ends unanswered either way
    refused(api.post("/calls/history/aggregate", json={"aggs": [{"name": "x", "count": ["*"]}]}), 400,
            "grpc.call.search_history")
    answer = ok(api.post("/calls/history/aggregate", json={
        "created_at": {"from": since(emulator)["created_at.from"]}, "queue_id": [queue["id"]],
        "aggs": [{"name": "by result", "group": [{"id": "result", "field": "result"}], "count": ["*"],
                  "sum": ["bill_sec"], "sort": ["-count"]}]}))
    [item] = answer["items"]
    assert item["name"] == "by result"
    rows = {row["result"]: row for row in item["data"]}
    assert rows["success"]["count"] == 1 and rows["success"]["sum_bill_sec"] == 40
    assert rows["abandoned"]["count"] == 1
