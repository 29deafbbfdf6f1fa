"""The password policy (webitel.go Users: GET /users/password/settings, POST /users/password/generate,
GET /users/warnings) from the domain's system settings: checked on every new password, published,
met by generated passwords; the warnings of an expiring password or license (docs/emulator.md)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from contract_tests.target import Target

from .conftest import error_of

DAY_S = 86_400
POLICY = (400, "app.user.password.policy")


def _domain(api) -> str:
    return api.get("/userinfo").json()["domain"]


def test_without_a_policy_any_password_goes_and_a_long_one_is_generated(api, webitel: Target):
    webitel.require(not api.get("/users/password/settings").json().get("settings"),
                    "a domain without a password policy")
    generated = api.post("/users/password/generate", json={}).json()["password"]
    assert len(generated) >= 16


def test_without_a_token_the_request_signs_in(api, made, webitel: Target):
    user = made.user(password="Own-pass-1")
    with httpx.Client(base_url=webitel.base_url, transport=webitel.transport) as anonymous:
        body = {"username": user["username"], "password": "Own-pass-1", "domain": _domain(api)}
        assert anonymous.post("/users/password/generate", json=body).json()["password"]
        assert anonymous.get("/users/password/settings", params=body).status_code == 200
        wrong = {**body, "password": "wrong"}
        assert error_of(anonymous.post("/users/password/generate", json=wrong)) == (401, "app.session.unauthenticated")
        assert error_of(anonymous.get("/users/password/settings", params=wrong)) == \
            (401, "app.session.unauthenticated")


def test_warnings_are_the_callers(api, made, user_token, webitel: Target):
    user = made.user(password="Own-pass-1")
    with webitel.api_client(user_token(user["id"])) as as_user:
        assert as_user.get("/users/warnings").status_code == 200


# -- with a policy: the emulator's seeded domains ------------------------------------------------------
@pytest.fixture
def policy(seeded, webitel: Target) -> Iterator[httpx.Client]:
    """A domain whose passwords need 10 characters, an upper-case letter, a special character and
    not the username, and expire after 30 days (warnings 7 days before)."""
    tokens = seeded({"domains": [{
        "name": "strict", "admin": {"token": "strict-admin"},
        "users": [{"username": "ann", "password": "Ann-password-1"}],
        "system_settings": [{"name": "password_min_length", "value": 10},
                            {"name": "password_categories", "value": [{"category": "[A-Z]"},
                                                                      {"category": "special"}]},
                            {"name": "password_contains_login", "value": True},
                            {"name": "password_expiry_days", "value": 30},
                            {"name": "password_warning_days", "value": 7}],
    }]})
    with webitel.api_client(tokens["strict"]) as client:
        yield client


@pytest.mark.control_plane
@pytest.mark.parametrize("password", ["Short-1", "no-upper-case-1", "NoSpecialCharacter1", "My-BOB-password!"])
def test_a_password_breaking_the_policy_is_refused(policy, password):
    assert error_of(policy.post("/users", json={"username": "bob", "password": password})) == POLICY
    ann = policy.get("/users", params={"username": "ann"}).json()["items"][0]
    assert error_of(policy.patch(f"/users/{ann['id']}", json={"password": password.replace("BOB", "Ann")})) == POLICY


@pytest.mark.control_plane
def test_a_password_meeting_the_policy_goes(policy):
    assert policy.post("/users", json={"username": "bob", "password": "Secret-Phrase-9"}).status_code == 200
    assert policy.post("/login", json={"username": "bob", "password": "Secret-Phrase-9", "domain": "strict"}) \
        .status_code == 200


@pytest.mark.control_plane
def test_a_changed_password_meets_the_policy(policy, webitel: Target):
    login = policy.post("/login", json={"username": "ann", "password": "Ann-password-1", "domain": "strict"}).json()
    with webitel.api_client(login["access_token"]) as as_ann:
        change = {"old_password": "Ann-password-1", "user_password": "short"}
        assert error_of(as_ann.put("/users/password", json=change)) == POLICY
        assert as_ann.put("/users/password", json={**change, "user_password": "Longer-Pass!"}).status_code == 200


@pytest.mark.control_plane
def test_the_validation_text_is_the_refusal(policy):
    policy.post("/settings", json={"name": "password_validation_text", "value": "Ask IT for the rules"})
    body = policy.post("/users", json={"username": "bob", "password": "x"}).json()
    assert body["id"] == POLICY[1] and "Ask IT for the rules" in body["detail"]


@pytest.mark.control_plane
def test_the_policy_is_published_without_the_default_password(policy):
    policy.post("/settings", json={"name": "default_password", "value": "Welcome-1"})
    settings = policy.get("/users/password/settings").json()["settings"]
    assert settings == {"password_min_length": "10", "password_categories": '[{"category":"[A-Z]"},'
                                                                           '{"category":"special"}]',
                        "password_contains_login": "true", "password_expiry_days": "30",
                        "password_warning_days": "7"}


@pytest.mark.control_plane
def test_generated_passwords_meet_the_policy(policy):
    for n in range(20):
        # The password is generated for the user it is then given to: the policy forbids a password
        # holding the login, and one made for another name may hold this one ("u6" in "DRu6T...").
        username = f"bob{n}"
        password = policy.post("/users/password/generate", json={"username": username}).json()["password"]
        assert len(password) >= 16 and re.search("[A-Z]", password) and not password.isalnum()
        assert username not in password.lower()
        assert policy.post("/users", json={"username": username, "password": password}).status_code == 200
    policy.post("/settings", json={"name": "password_reg_exp", "value": "^[0-9]+$"})
    assert error_of(policy.post("/users/password/generate", json={})) == (400, "app.user.password.generate")


@pytest.mark.control_plane
def test_a_password_about_to_expire_warns(policy, emulator, webitel: Target):
    def warnings() -> list[dict]:
        token = policy.post("/login", json={"username": "ann", "password": "Ann-password-1",
                                            "domain": "strict"}).json()["access_token"]
        with webitel.api_client(token) as as_ann:
            return as_ann.get("/users/warnings").json().get("warnings", [])

    assert warnings() == []
    emulator.advance_clock(23 * DAY_S)
    [warning] = warnings()
    assert warning["id"] == "password_expires_soon"
    assert warning["warning_data"]["password_expiry"]["days_remaining"] == "7"
    emulator.advance_clock(10 * DAY_S)
    assert "days_remaining" not in warnings()[0]["warning_data"]["password_expiry"]  # expired: 0 days


@pytest.mark.control_plane
def test_licenses_about_to_expire_or_expired_warn(seeded, emulator, webitel: Target):
    now = emulator.advance_clock(0)
    tokens = seeded({"domains": [{
        "name": "licensed", "admin": {"token": "licensed-admin"},
        "licenses": [{"id": "soon", "product": "CALL_CENTER", "limit": 1, "not_after": str(now + 10 * DAY_S * 1000)},
                     {"id": "later", "product": "CHAT", "limit": 1, "not_after": str(now + 90 * DAY_S * 1000)}],
        "users": [{"username": "ann", "licenses": ["soon", "later"], "token": "ann-token"}],
    }]})
    with webitel.api_client("ann-token") as as_ann:
        [soon] = as_ann.get("/users/warnings").json()["warnings"]
        assert soon["id"] == "license_expires_soon"
        assert soon["warning_data"]["license_expiry"] == {"days_remaining": "10", "license_name": "CALL_CENTER",
                                                          "expires_at": str(now + 10 * DAY_S * 1000)}
        emulator.advance_clock(11 * DAY_S)
        assert [w["id"] for w in as_ann.get("/users/warnings").json()["warnings"]] == ["license_expired"]
    assert tokens["licensed"] == "licensed-admin"
