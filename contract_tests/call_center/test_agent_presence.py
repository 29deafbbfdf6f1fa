"""The presence Webitel's own API sets (PATCH /users/{id}/presence) is the one an agent going online
needs: the phone registered (sip or web), as the control plane's presence sets it."""

from __future__ import annotations

import pytest

from contract_tests.call_center.conftest import CC, ok, refused


@pytest.mark.control_plane
def test_the_presence_an_agent_goes_online_with(api, cc):
    user = cc.user()
    agent = cc.agent(user)
    status = f"{CC}/agents/{agent['id']}/status"
    refused(api.patch(status, json={"status": "online"}), 500, "store.sql_agent.set_online.app_error")
    ok(api.patch(f"/users/{user['id']}/presence", json={"status": "web,dnd"}))
    assert ok(api.patch(status, json={"status": "online"})) == {"status": "OK"}
    ok(api.patch(f"/users/{user['id']}/presence", json={"status": "dnd"}))  # the phone goes away
    assert ok(api.get(f"{CC}/agents/{agent['id']}"))["status"] == "offline"
