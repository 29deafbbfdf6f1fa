"""Two-factor keys (webitel.go TwoFactorAuthentication, /users/{user_id}/2fa): a user's TOTP secret as an
otpauth URL, regenerated on demand, shown as the user's totp_url; the user themself or the
administrator only; made for every user when the domain's enable_2fa turns on."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from contract_tests.target import Target

from .conftest import error_of

NO_KEY = (404, "app.user.2fa.not_found")


def test_a_key_is_generated_read_and_regenerated(api, made):
    user = made.user()
    assert error_of(api.get(f"/users/{user['id']}/2fa")) == NO_KEY
    first = api.post(f"/users/{user['id']}/2fa").json()["totp"]
    assert first["user"]["id"] == user["id"]
    url = urlsplit(first["url"])
    assert (url.scheme, url.netloc) == ("otpauth", "totp") and user["username"] in url.path
    secret = parse_qs(url.query)["secret"][0]
    assert len(secret) == 32 and set(secret) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")  # 160 bits, base32
    assert api.get(f"/users/{user['id']}/2fa").json()["totp"] == first
    assert api.get(f"/users/{user['id']}").json()["totp_url"] == first["url"]
    again = api.post(f"/users/{user['id']}/2fa").json()["totp"]
    assert again["url"] != first["url"] and api.get(f"/users/{user['id']}/2fa").json()["totp"] == again


def test_a_user_reads_their_own_key_only(api, made, user_token, webitel: Target):
    user, other = made.user(), made.user()
    api.post(f"/users/{other['id']}/2fa")
    with webitel.api_client(user_token(user["id"])) as as_user:
        assert as_user.post(f"/users/{user['id']}/2fa").status_code == 200
        assert as_user.get(f"/users/{user['id']}/2fa").status_code == 200
        for method in ("GET", "POST"):
            assert error_of(as_user.request(method, f"/users/{other['id']}/2fa")) == \
                (403, "api.context.permissions.app_error")


def test_a_missing_user(api):
    for method in ("GET", "POST"):
        assert error_of(api.request(method, "/users/987654321/2fa")) == (404, "app.user.not_found.error")
    assert error_of(api.get("/users/abc/2fa")) == (400, "api.process.bad_args")


@pytest.mark.control_plane
def test_enabling_2fa_gives_every_user_a_key(api, made, emulator):
    before = made.user()
    setting = api.post("/settings", json={"name": "enable_2fa", "value": True}).json()
    assert api.get(f"/users/{before['id']}").json()["totp_url"].startswith("otpauth://totp/")
    after = made.user()
    assert api.get(f"/users/{after['id']}/2fa").status_code == 200  # made while it is on
    api.patch(f"/settings/{setting['id']}", json={"value": False})
    assert "totp_url" not in made.user()
    users = emulator.state()["domains"][0]["users"]
    assert all("totp_url" not in u for u in users)  # the state shows no secret
    assert {u["id"]: u["has_2fa_key"] for u in users}[before["id"]] is True
