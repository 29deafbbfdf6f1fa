"""Presence (webitel.go Presence: PATCH /users/{publish.id}/presence, PATCH /presence): a user's set of
presentities (sip, web, dnd, dlg) and note; the same presence an agent going online needs
(contract_tests/call_center/test_agent_presence.py)."""

from __future__ import annotations

import pytest

from contract_tests.target import Target

from .conftest import error_of


def presence(api, user_id: str) -> dict:
    return api.get(f"/users/{user_id}").json().get("presence", {})


def test_a_user_presence_is_set_wrapped_or_flat(api, made):
    user = made.user()
    answer = api.patch(f"/users/{user['id']}/presence", json={"publish": {"status": "sip, dnd", "note": "away"}})
    assert answer.status_code == 200, answer.text
    tuple_ = answer.json()
    assert (tuple_["id"], tuple_["status"], tuple_["note"], tuple_["open"]) == (user["id"], "sip,dnd", "away", 1)
    assert tuple_["timestamp"] and "closed" not in tuple_
    assert presence(api, user["id"]) == {"status": "sip,dnd", "note": "away"}
    flat = api.patch(f"/users/{user['id']}/presence", json={"status": "web"}).json()
    assert flat["status"] == "web" and flat["note"] == "away"  # only what the body sends changes


def test_an_empty_status_is_offline(api, made):
    user = made.user()
    api.patch(f"/users/{user['id']}/presence", json={"status": "sip"})
    offline = api.patch(f"/users/{user['id']}/presence", json={"status": ""}).json()
    assert offline["closed"] is True and "status" not in offline and "open" not in offline
    assert "status" not in presence(api, user["id"])


def test_fields_name_what_changes(api, made):
    user = made.user()
    api.patch(f"/users/{user['id']}/presence", json={"status": "dnd", "note": "meeting"})
    changed = api.patch(f"/users/{user['id']}/presence",
                        json={"publish": {"status": "sip", "note": "ignored"}, "fields": ["status"]}).json()
    assert (changed["status"], changed["note"]) == ("sip", "meeting")


def test_patch_presence_names_the_user_in_the_body_or_is_the_callers(api, made, user_token, webitel: Target):
    user = made.user()
    assert api.patch("/presence", json={"publish": {"id": user["id"], "status": "web"}}).json()["status"] == "web"
    with webitel.api_client(user_token(user["id"])) as as_user:
        own = as_user.patch("/presence", json={"publish": {"status": "dnd"}}).json()
    assert (own["id"], own["status"]) == (user["id"], "dnd")


def test_a_user_sets_their_own_presence_only(api, made, user_token, webitel: Target):
    user, other = made.user(), made.user()
    with webitel.api_client(user_token(user["id"])) as as_user:
        assert as_user.patch(f"/users/{user['id']}/presence", json={"status": "sip"}).status_code == 200
        assert error_of(as_user.patch(f"/users/{other['id']}/presence", json={"status": "sip"})) == \
            (403, "api.context.permissions.app_error")
        assert error_of(as_user.patch("/presence", json={"publish": {"id": other["id"], "status": "sip"}})) == \
            (403, "api.context.permissions.app_error")
    assert "status" not in presence(api, other["id"])


@pytest.mark.parametrize("body", [{"status": "busy"}, {"status": "sip,away"}, {"status": 5}, {"expires": -1},
                                  {"publish": {"note": []}}])
def test_a_bad_presence_is_refused(api, made, body):
    user = made.user()
    assert error_of(api.patch(f"/users/{user['id']}/presence", json=body)) == (400, "api.process.bad_args")


def test_a_missing_user(api):
    assert error_of(api.patch("/users/987654321/presence", json={"status": "sip"})) == \
        (404, "app.user.not_found.error")
    assert error_of(api.patch("/presence", json={"publish": {"id": "987654321", "status": "sip"}})) == \
        (404, "app.user.not_found.error")


@pytest.mark.control_plane
def test_a_note_expires(api, made, emulator):
    user = made.user()
    set_ = api.patch(f"/users/{user['id']}/presence", json={"status": "dnd", "note": "back soon", "expires": 60})
    assert int(set_.json()["expires"]) == int(set_.json()["timestamp"]) + 60_000
    emulator.advance_clock(59)
    assert presence(api, user["id"])["note"] == "back soon"
    emulator.advance_clock(1)
    assert presence(api, user["id"]) == {"status": "dnd"}

