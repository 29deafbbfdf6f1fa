"""Agent status (docs/call-center.md): online (only with the phone registered),
pause with a cause, offline; nothing else, break_out being the system's; an agent may change its
own status; an agent losing its CALL_CENTER license, or its phone, is logged out."""

import pytest

from contract_tests.call_center.conftest import CC, ok, refused

OK = {"status": "OK"}


def status_of(api, agent) -> str:
    return ok(api.get(f"{CC}/agents/{agent['id']}"))["status"]


@pytest.mark.parametrize("status", ["busy", "break_out", ""])
def test_only_online_pause_and_offline_can_be_set(api, cc, status):
    agent = cc.agent()
    body = refused(api.patch(f"{CC}/agents/{agent['id']}/status", json={"status": status}), 400,
                   "grpc.agent.update_status")
    assert body["detail"] == f"not found status {status}"


def test_online_needs_the_phone_registered(api, cc):
    agent = cc.agent()
    body = refused(api.patch(f"{CC}/agents/{agent['id']}/status", json={"status": "online"}), 500,
                   "store.sql_agent.set_online.app_error")
    assert "not found: sip, web or pn" in body["detail"]
    assert status_of(api, agent) == "offline"


def test_pause_with_a_cause_then_offline(api, cc):
    agent = cc.agent()
    assert ok(api.patch(f"{CC}/agents/{agent['id']}/status", json={"status": "pause", "payload": "Lunch"})) == OK
    read = ok(api.get(f"{CC}/agents/{agent['id']}"))
    assert read["status"] == "pause" and read["last_status_change"]
    assert ok(api.patch(f"{CC}/agents/{agent['id']}/status", json={"status": "offline"})) == OK
    assert status_of(api, agent) == "offline"


def test_an_agent_may_change_its_own_status_but_not_anothers(api, cc, webitel):
    user = cc.user()
    own, other = cc.agent(user), cc.agent()
    with webitel.api_client(cc.token_of(user)) as as_agent:
        assert ok(as_agent.patch(f"{CC}/agents/{own['id']}/status", json={"status": "pause"})) == OK
        refused(as_agent.patch(f"{CC}/agents/{other['id']}/status", json={"status": "pause"}), 403,
                "api.context.permissions.app_error")
    assert (status_of(api, own), status_of(api, other)) == ("pause", "offline")


def test_unknown_agent_status(api):
    refused(api.patch(f"{CC}/agents/987654321/status", json={"status": "offline"}), 404,
            "store.sql_agent.get.app_error")


# -- with a registered phone (the emulator's presence) -----------------------------------------
@pytest.mark.control_plane
def test_online_with_the_phone_registered_waits_for_calls(api, cc, emulator):
    user = cc.user()
    agent = cc.agent(user)
    emulator.set_presence(user["id"], "web")
    assert ok(api.patch(f"{CC}/agents/{agent['id']}/status", json={"status": "online"})) == OK
    read = ok(api.get(f"{CC}/agents/{agent['id']}"))
    assert read["status"] == "online"
    assert read["channel"][0]["state"] == "waiting"
    assert read["user_presence_status"] == {"status": "web"}


@pytest.mark.control_plane
def test_an_online_agent_whose_license_is_revoked_goes_offline(api, cc, emulator):
    user = cc.user()
    agent = cc.agent(user)
    emulator.set_presence(user["id"], "sip")
    ok(api.patch(f"{CC}/agents/{agent['id']}/status", json={"status": "online"}))
    ok(api.patch(f"/users/{user['id']}", json={"license": []}))
    assert status_of(api, agent) == "offline"
    refused(api.patch(f"{CC}/agents/{agent['id']}/status", json={"status": "online"}), 403, "app.license.cc")


@pytest.mark.control_plane
def test_an_online_agent_whose_license_expires_goes_offline(webitel, emulator, seeded):
    tokens = seeded({"domains": [{
        "name": "expiring", "admin": {"token": "expiring-admin"},
        "licenses": [{"id": "cc-soon", "product": "CALL_CENTER", "limit": 1,
                      "not_after": str(emulator.advance_clock(0) + 3_600_000)}],
        "users": [{"username": "ann", "licenses": ["cc-soon"], "presence": "sip",
                   "agent": {"status": "online"}}],
    }]})
    with webitel.api_client(tokens["expiring"]) as api:
        [agent] = ok(api.get(f"{CC}/agents"))["items"]
        assert agent["status"] == "online"
        emulator.advance_clock(3599)
        assert ok(api.get(f"{CC}/agents/{agent['id']}"))["status"] == "online"
        emulator.advance_clock(1)
        assert ok(api.get(f"{CC}/agents/{agent['id']}"))["status"] == "offline"
    payloads = [a["status_payload"] for a in emulator.state()["domains"][0]["call_center"]["agents"]]
    assert payloads == ["system/no_cc_license"]


@pytest.mark.control_plane
def test_an_online_agent_whose_phone_goes_away_goes_offline(api, cc, emulator):
    user = cc.user()
    agent = cc.agent(user)
    emulator.set_presence(user["id"], "sip")
    ok(api.patch(f"{CC}/agents/{agent['id']}/status", json={"status": "online"}))
    emulator.set_presence(user["id"], "")
    assert status_of(api, agent) == "offline"
