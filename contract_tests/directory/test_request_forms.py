"""How Webitel's gateway reads requests to the directory: wrapped and flat bodies, update masks,
query parameters of the proto's request message, mistyped values (issue 8, "Why")."""

from __future__ import annotations

import httpx
import pytest

from contract_tests.target import Target

from .conftest import Made, error_of, items

BAD_ARGS = (400, "api.process.bad_args")


def login(webitel: Target, username: str, password: str, domain: str) -> httpx.Response:
    with httpx.Client(base_url=webitel.base_url, transport=webitel.transport, timeout=30) as client:
        return client.post("/login", json={"username": username, "password": password, "domain": domain})


# -- roles: the request message's wrapper and its siblings ----------------------------------------
def test_a_role_is_created_from_the_request_message_with_copy_id(api: httpx.Client, made: Made):
    source = made.role()
    name = Target.unique("ct_role_")
    created = api.post("/roles", json={"role": {"name": name, "description": "copied"}, "copy_id": source["id"]})
    assert created.status_code == 200, created.text
    made.roles.append(created.json()["id"])
    assert (created.json()["name"], created.json()["description"]) == (name, "copied")


def test_a_role_copied_from_a_missing_role_is_refused(api: httpx.Client):
    name = Target.unique("ct_role_")
    assert error_of(api.post("/roles", json={"role": {"name": name}, "copy_id": "999999999999"})) == (
        400, "app.role.not_found.error")
    assert items(api.get("/roles", params={"name": name})) == []


@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_a_role_update_takes_the_wrapper_and_its_fields(api: httpx.Client, made: Made, method: str):
    role = made.role(description="before")
    renamed = Target.unique("ct_role_")
    body = {"role": {"name": renamed, "description": "not in fields"}, "fields": ["name"]}
    response = api.request(method, f"/roles/{role['id']}", json=body)
    assert response.status_code == 200, response.text
    assert (response.json()["name"], response.json()["description"]) == (renamed, "before")


def test_a_wrapped_role_patch_changes_what_it_sends(api: httpx.Client, made: Made):
    role = made.role(description="before")
    patched = api.patch(f"/roles/{role['id']}", json={"role": {"description": "after"}}).json()
    assert (patched["name"], patched["description"]) == (role["name"], "after")


# -- users ----------------------------------------------------------------------------------------
def test_a_user_is_created_with_the_password_of_the_query(api: httpx.Client, made: Made, webitel: Target):
    password = "Query-Pass-1"
    user = made.user(params={"user_password": password, "confirm_password": password})
    domain = api.get("/userinfo").json()["domain"]
    answer = login(webitel, user["username"], password, domain)
    assert answer.status_code == 200 and answer.json()["access_token"], answer.text


def test_a_user_password_that_its_confirmation_does_not_repeat_is_refused(api: httpx.Client):
    username = Target.unique("ct_")
    response = api.post("/users", params={"user_password": "One-1", "confirm_password": "Two-2"},
                        json={"username": username})
    assert response.status_code == 400
    assert items(api.get("/users", params={"username": username, "any": "true"})) == []


def test_put_users_password_changes_the_callers_password(api: httpx.Client, made: Made, user_token, webitel: Target):
    user = made.user(password="Old-Pass-1")
    with webitel.api_client(user_token(user["id"])) as own:
        wrong = own.put("/users/password", json={"old_password": "nope", "user_password": "New-Pass-2",
                                                 "confirm_password": "New-Pass-2"})
        assert wrong.status_code == 400
        changed = own.put("/users/password", json={"old_password": "Old-Pass-1", "user_password": "New-Pass-2",
                                                   "confirm_password": "New-Pass-2"})
        assert changed.status_code == 200, changed.text
    domain = api.get("/userinfo").json()["domain"]
    for password, status in (("Old-Pass-1", 401), ("New-Pass-2", 200)):
        answer = login(webitel, user["username"], password, domain)
        assert answer.status_code == status, (password, answer.text)


@pytest.mark.parametrize("body", [{"name": 5}, {"extension": 5}, {"name": ["x"]}, {"id": ["x"]}, {"any": "yes"},
                                  {"page": "two"}, {"presence": "sip"}])
def test_a_mistyped_search_filter_is_refused(api: httpx.Client, body: dict):
    assert error_of(api.post("/users/search", json=body)) == BAD_ARGS


@pytest.mark.parametrize("params", [{"any": "yes"}, {"id": "x"}, {"size": "ten"}])
def test_a_mistyped_query_filter_is_refused(api: httpx.Client, params: dict):
    assert error_of(api.get("/users", params=params)) == BAD_ARGS


@pytest.mark.parametrize("body", [{"permissions": 5}, {"hotdesks": "abc"}, {"profile": ["x"]}, {"roles": {"id": 1}},
                                  {"force_password_change": "yes"}])
def test_a_mistyped_user_patch_is_refused(api: httpx.Client, made: Made, body: dict):
    user = made.user()
    assert error_of(api.patch(f"/users/{user['id']}", json=body)) == BAD_ARGS
    assert api.get(f"/users/{user['id']}").json() == user


@pytest.mark.control_plane
def test_a_token_cannot_delete_its_own_user(api: httpx.Client):
    """The emulator's choice (docs/emulator.md): refused, so a suite cannot lock itself out."""
    me = api.get("/userinfo").json()["user_id"]
    for params in ({}, {"permanent": "true"}):
        assert error_of(api.delete(f"/users/{me}", params=params)) == (403, "app.user.delete.self")
    assert error_of(api.request("DELETE", "/users", params={"permanent": "true"}, json=[me])) == (
        403, "app.user.delete.self")
    assert api.get("/userinfo").status_code == 200
