"""Acting as a Webitel user, a capability of the Webitel client: a token of the user's own for the
calls only it may make, deleted afterwards also when a call fails, and what an earlier act left
behind swept first. Against the in-process emulator, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from connector.webitel import WebitelServerError
from connector.webitel.as_user import TOKEN_USAGE
from tests.support.connector import webitel_state


def connector_tokens(emulator) -> list[dict]:
    return [t for t in webitel_state(emulator).get("tokens", []) if str(t.get("usage", "")).startswith(TOKEN_USAGE)]


def jsmith(emulator) -> str:
    return next(str(u["id"]) for u in webitel_state(emulator)["users"] if u["username"] == "jsmith")


def test_the_user_is_acted_as_and_its_token_goes_afterwards(webitel, emulator):
    uid = jsmith(emulator)
    with webitel.as_user(uid) as user:
        assert len(connector_tokens(emulator)) == 1
        assert user.phone_settings() is None  # never saved yet
        user.put_phone_settings(webrtc=True, stun=True)
        settings = user.phone_settings()
        assert settings is not None and (settings["webrtc"], settings["stun"]) == (True, True)
    assert connector_tokens(emulator) == []


def test_the_token_goes_also_when_a_call_as_the_user_fails_and_leftovers_are_swept(webitel, emulator):
    uid = jsmith(emulator)
    emulator.add_fault(method="PUT", path="/api/user/settings/phone", action="error", status=500)
    with pytest.raises(WebitelServerError), webitel.as_user(uid) as user:
        user.put_phone_settings(webrtc=True, stun=True)
    emulator.clear_faults()
    assert connector_tokens(emulator) == []
    webitel.add_token(uid, f"{TOKEN_USAGE}:left")  # one an earlier act could not delete
    with webitel.as_user(uid):
        [own] = connector_tokens(emulator)  # the leftover swept before this act's token was minted
        assert own["usage"] != f"{TOKEN_USAGE}:left"
    assert connector_tokens(emulator) == []
