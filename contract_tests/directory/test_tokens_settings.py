"""User access tokens (docs/emulator.md) and the phone settings that carry
STUN: 404 before the first save, STUN forced off when WebRTC is off, the token's own user only."""

from __future__ import annotations

import pytest

from contract_tests.target import Target

from .conftest import error_of, items

SETTING_NOT_FOUND = (404, "app.user.settings.not_found")


# -- access tokens ---------------------------------------------------------------------------------
def test_a_token_works_as_its_user(api, made, webitel: Target):
    user = made.user(name="Token Owner")
    created = api.post(f"/users/{user['id']}/tokens", json={"usage": "creatio"})
    assert created.status_code == 200
    token = created.json()
    assert token["token"] and token["id"] and token["usage"] == "creatio" and token["user"]["id"] == user["id"]
    with webitel.api_client(token["token"]) as as_user:
        me = as_user.get("/userinfo").json()
        assert me["user_id"] == user["id"] and me["username"] == user["username"]
        assert as_user.get("/user").json()["id"] == user["id"]


def test_a_token_is_shown_only_when_it_is_made(api, made):
    user = made.user()
    token = api.post(f"/users/{user['id']}/tokens", json={"usage": "once"}).json()
    listed = items(api.get(f"/users/{user['id']}/tokens"))
    assert [t["id"] for t in listed] == [token["id"]] and "token" not in listed[0]
    read = api.get(f"/users/{user['id']}/tokens/{token['id']}").json()
    assert read["usage"] == "once" and "token" not in read


def test_deleting_a_token_revokes_it(api, made, webitel: Target):
    user = made.user()
    token = api.post(f"/users/{user['id']}/tokens", json={"usage": "short"}).json()
    assert api.delete(f"/users/{user['id']}/tokens/{token['id']}").status_code == 200
    with webitel.api_client(token["token"]) as revoked:
        assert error_of(revoked.get("/userinfo")) == (401, "app.session.unauthenticated")
    assert items(api.get(f"/users/{user['id']}/tokens")) == []
    assert error_of(api.get(f"/users/{user['id']}/tokens/{token['id']}")) == (404, "app.user.token.not_found")


def test_a_token_can_be_renamed(api, made):
    user = made.user()
    token = api.post(f"/users/{user['id']}/tokens", json={"usage": "old"}).json()
    renamed = api.patch(f"/users/{user['id']}/tokens/{token['id']}", json={"usage": "new"}).json()
    assert renamed["usage"] == "new" and "token" not in renamed


def test_deleting_a_user_revokes_its_tokens(api, made, webitel: Target):
    user = made.user()
    token = api.post(f"/users/{user['id']}/tokens", json={"usage": "t"}).json()["token"]
    api.delete(f"/users/{user['id']}")
    with webitel.api_client(token) as revoked:
        assert error_of(revoked.get("/userinfo")) == (401, "app.session.unauthenticated")


def test_tokens_of_a_missing_user(api):
    assert error_of(api.post("/users/999999999999/tokens", json={"usage": "x"})) == (404, "app.user.not_found.error")
    assert error_of(api.get("/users/999999999999/tokens/abc")) == (404, "app.user.token.not_found")


def test_a_token_belongs_to_one_user(api, made):
    owner, other = made.user(), made.user()
    token = api.post(f"/users/{owner['id']}/tokens", json={"usage": "mine"}).json()
    assert error_of(api.delete(f"/users/{other['id']}/tokens/{token['id']}")) == (404, "app.user.token.not_found")
    assert items(api.get(f"/users/{owner['id']}/tokens"))


def test_a_plain_users_token_cannot_write_the_directory(made, user_token, webitel: Target):
    user = made.user()
    with webitel.api_client(user_token(user["id"])) as as_user:
        assert as_user.get("/users", params={"size": 1}).status_code == 200
        username = Target.unique("ct_")
        assert error_of(as_user.post("/users", json={"username": username})) == (
            403, "api.context.permissions.app_error")
        assert error_of(as_user.patch(f"/users/{user['id']}", json={"name": "Self-promoted"})) == (
            403, "api.context.permissions.app_error")


# -- phone settings (STUN) -------------------------------------------------------------------------
@pytest.fixture
def as_user(made, user_token, webitel: Target):
    """A client authenticated as a fresh user with no settings saved."""
    with webitel.api_client(user_token(made.user()["id"])) as client:
        yield client


def test_phone_settings_are_404_before_the_first_save(as_user):
    assert error_of(as_user.get("/user/settings/phone")) == SETTING_NOT_FOUND


def test_phone_settings_are_saved_and_read_back(as_user):
    saved = as_user.put("/user/settings/phone", json={"webrtc": True, "stun": True})
    assert saved.status_code == 200 and saved.json() == {"webrtc": True, "stun": True}
    assert as_user.get("/user/settings/phone").json() == {"webrtc": True, "stun": True}
    as_user.put("/user/settings/phone", json={"webrtc": True, "stun": False})
    assert as_user.get("/user/settings/phone").json() == {"webrtc": True, "stun": False}


def test_stun_is_forced_off_when_webrtc_is_off(as_user):
    assert as_user.put("/user/settings/phone", json={"webrtc": False, "stun": True}).json() == {
        "webrtc": False, "stun": False}
    assert as_user.get("/user/settings/phone").json() == {"webrtc": False, "stun": False}


def test_phone_settings_belong_to_the_tokens_own_user(made, user_token, webitel: Target, api):
    ann, bob = made.user(), made.user()
    with webitel.api_client(user_token(ann["id"])) as as_ann, webitel.api_client(user_token(bob["id"])) as as_bob:
        as_ann.put("/user/settings/phone", json={"webrtc": True, "stun": True})
        assert error_of(as_bob.get("/user/settings/phone")) == SETTING_NOT_FOUND
        as_bob.put("/user/settings/phone", json={"webrtc": False})
        assert as_ann.get("/user/settings/phone").json() == {"webrtc": True, "stun": True}


@pytest.mark.parametrize("body", [[True, False], {"webrtc": "on"}, {"webrtc": True, "stun": 2},
                                  {"webrtc": True, "video": True}, "webrtc"])
def test_a_bad_phone_settings_body_is_refused_and_changes_nothing(as_user, body):
    as_user.put("/user/settings/phone", json={"webrtc": True, "stun": True})
    assert error_of(as_user.put("/user/settings/phone", json=body)) == (400, "api.process.bad_args")
    assert as_user.get("/user/settings/phone").json() == {"webrtc": True, "stun": True}


def test_a_bad_body_before_the_first_save_stores_nothing(as_user):
    assert error_of(as_user.put("/user/settings/phone", json={"webrtc": "yes"})) == (400, "api.process.bad_args")
    assert error_of(as_user.get("/user/settings/phone")) == SETTING_NOT_FOUND
