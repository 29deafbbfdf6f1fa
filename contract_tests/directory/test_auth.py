"""Auth (docs/emulator.md): login, /userinfo, the three token locations, 401 and the error envelope."""

from __future__ import annotations

import pytest

from contract_tests.target import Target

from .conftest import error_of


def _domain(api) -> str:
    return api.get("/userinfo").json()["domain"]


def test_login_with_domain_gives_a_bearer_token_of_that_user(api, made, webitel: Target):
    user = made.user(name="Login Test", password="S3cret-pass!")
    response = api.post("/login", json={"username": user["username"], "password": "S3cret-pass!",
                                        "domain": _domain(api)})
    assert response.status_code == 200
    session = response.json()
    assert session["token_type"].lower() == "bearer" and session["access_token"]
    with webitel.api_client(session["access_token"]) as as_user:
        me = as_user.get("/userinfo").json()
    assert me["user_id"] == user["id"] and me["username"] == user["username"]


def test_login_with_user_at_domain(api, made, webitel: Target):
    user = made.user(password="An0ther-pass")
    response = api.post("/login", json={"username": f"{user['username']}@{_domain(api)}", "password": "An0ther-pass"})
    assert response.status_code == 200
    with webitel.api_client(response.json()["access_token"]) as as_user:
        assert as_user.get("/userinfo").json()["user_id"] == user["id"]


@pytest.mark.parametrize("wrong", ["password", "username", "domain"])
def test_login_with_bad_credentials_is_refused(api, made, wrong):
    user = made.user(password="Right-pass1")
    body = {"username": user["username"], "password": "Right-pass1", "domain": _domain(api)}
    body[wrong] = Target.unique("wrong")
    response = api.post("/login", json=body)
    # Webitel answers 400 or 401 here (docs/emulator.md, "Login"); the emulator answers 401.
    assert response.status_code in (400, 401)
    assert "access_token" not in response.json()


def test_a_soft_deleted_user_cannot_log_in(api, made):
    user = made.user(password="Gone-pass1")
    assert api.delete(f"/users/{user['id']}").status_code == 200
    response = api.post("/login", json={"username": user["username"], "password": "Gone-pass1",
                                        "domain": _domain(api)})
    assert response.status_code in (400, 401)


def test_userinfo_describes_the_token_owner(api):
    me = api.get("/userinfo").json()
    assert me["user_id"] and me["dc"] and me["domain"] and me["username"]
    assert api.post("/userinfo").json()["user_id"] == me["user_id"]
    assert api.get("/user").json()["id"] == me["user_id"]


def _bare_client(webitel: Target, **kwargs):
    client = webitel.api_client()
    del client.headers["X-Webitel-Access"]
    client.headers.update(kwargs.pop("headers", {}))
    return client


def test_token_in_authorization_bearer(webitel: Target):
    with _bare_client(webitel, headers={"Authorization": f"Bearer {webitel.token}"}) as client:
        assert client.get("/userinfo").status_code == 200


def test_token_in_access_token_query_parameter(webitel: Target):
    with _bare_client(webitel) as client:
        assert client.get("/userinfo", params={"access_token": webitel.token}).status_code == 200
        assert client.get("/users", params={"access_token": webitel.token, "size": 1}).status_code == 200


@pytest.mark.parametrize("path", ["/userinfo", "/users", "/license", "/roles", "/devices", "/user/settings/phone"])
def test_no_token_is_401_unauthenticated(webitel: Target, path):
    with _bare_client(webitel) as client:
        assert error_of(client.get(path)) == (401, "app.session.unauthenticated")


@pytest.mark.parametrize("headers", [{"X-Webitel-Access": "not-a-token"}, {"Authorization": "Bearer not-a-token"},
                                     {"Authorization": f"Basic {'x' * 8}"}])
def test_a_bad_token_is_401_unauthenticated(webitel: Target, headers):
    with _bare_client(webitel, headers=headers) as client:
        assert error_of(client.get("/users")) == (401, "app.session.unauthenticated")


def test_a_refused_write_changes_nothing_without_a_token(webitel: Target, api):
    username = Target.unique("ct_")
    with _bare_client(webitel) as client:
        assert error_of(client.post("/users", json={"username": username})) == (401, "app.session.unauthenticated")
    assert api.get("/users", params={"username": username}).json().get("items", []) == []


def test_the_error_envelope(api):
    response = api.get("/users/999999999999")
    body = response.json()
    assert response.status_code == 404
    assert set(body) <= {"id", "code", "status", "detail", "request_id"}
    assert body["id"] == "app.user.not_found.error" and body["code"] == 404 and body["status"] == "Not Found"
    assert isinstance(body["detail"], str)


@pytest.mark.parametrize("method, path", [("GET", "/dictionaries/cities"), ("GET", "/ldap"),
                                          ("PATCH", "/license"), ("POST", "/no/such/thing")])
def test_a_path_the_emulator_does_not_serve_is_501_not_a_silent_404(webitel: Target, api, method, path):
    if not webitel.is_emulator:
        pytest.skip("emulator.not_implemented is the emulator's answer for paths it does not serve; "
                    "a real Webitel serves or refuses them itself")
    assert error_of(api.request(method, path)) == (501, "emulator.not_implemented")
