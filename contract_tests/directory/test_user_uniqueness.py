"""Uniqueness and validation of users (docs/emulator.md): each rule with Webitel's status and id,
and a refused request leaves the directory as it was."""

from __future__ import annotations

import pytest

from contract_tests.target import Target

from .conftest import error_of, items, unique_extension

USER_CONFLICT = (409, "app.user.conflict.error")
EXTENSION_CONFLICT = (409, "app.user.extension.conflict.error")
EMAIL_CONFLICT = (409, "app.user.email.conflict.error")
BAD_ARGS = (400, "api.process.bad_args")


def _found(api, **params) -> list[dict]:
    return items(api.get("/users", params={**params, "any": "true"}))


@pytest.mark.parametrize("spelling", [str.upper, str.title, lambda s: s])
def test_username_is_unique_case_insensitively(api, made, spelling):
    first = made.user()
    response = api.post("/users", json={"username": spelling(first["username"])})
    assert error_of(response) == USER_CONFLICT
    assert first["username"].casefold() in response.json()["detail"].casefold()
    assert len(_found(api, q=first["username"])) == 1


def test_username_is_shared_with_role_names(api, made):
    role = made.role()
    assert error_of(api.post("/users", json={"username": role["name"].upper()})) == USER_CONFLICT
    assert _found(api, q=role["name"]) == []


def test_a_role_cannot_take_a_username(api, made):
    user = made.user()
    assert error_of(api.post("/roles", json={"name": user["username"].upper()})) == USER_CONFLICT
    assert items(api.get("/roles", params={"name": user["username"]})) == []


def test_renaming_a_user_onto_another_username_is_refused_and_changes_nothing(api, made):
    ann, bob = made.user(name="Ann"), made.user(name="Bob")
    before = api.get(f"/users/{bob['id']}").json()
    response = api.patch(f"/users/{bob['id']}", json={"username": ann["username"].upper(), "name": "Changed"})
    assert error_of(response) == USER_CONFLICT
    assert api.get(f"/users/{bob['id']}").json() == before


def test_extension_is_unique_when_set(api, made):
    extension = unique_extension()
    first = made.user(extension=extension)
    response = api.post("/users", json={"username": Target.unique("ct_"), "extension": extension})
    assert error_of(response) == EXTENSION_CONFLICT
    assert extension in response.json()["detail"]
    assert [u["id"] for u in _found(api, extension=extension)] == [first["id"]]


def test_extension_conflict_on_update_changes_nothing(api, made):
    ext_a, ext_b = unique_extension(), unique_extension()
    made.user(extension=ext_a)
    other = made.user(extension=ext_b)
    before = api.get(f"/users/{other['id']}").json()
    assert error_of(api.put(f"/users/{other['id']}", json={"username": other["username"],
                                                           "extension": ext_a})) == EXTENSION_CONFLICT
    assert api.get(f"/users/{other['id']}").json() == before


def test_many_users_may_have_no_extension(made):
    first, second = made.user(), made.user(extension="")
    assert "extension" not in first and "extension" not in second


@pytest.mark.parametrize("extension", ["12a4", "+3801", "10 01", "ext"])
def test_extension_must_be_digits(api, extension):
    username = Target.unique("ct_")
    assert error_of(api.post("/users", json={"username": username, "extension": extension})) == BAD_ARGS
    assert _found(api, username=username) == []


def test_email_is_unique_case_insensitively(api, made):
    email = f"{Target.unique('ct')}@example.com"
    made.user(email=email)
    response = api.post("/users", json={"username": Target.unique("ct_"), "email": email.upper()})
    assert error_of(response) == EMAIL_CONFLICT
    assert email.upper() in response.json()["detail"]


def test_email_conflict_on_patch_changes_nothing(api, made):
    email = f"{Target.unique('ct')}@example.com"
    made.user(email=email)
    other = made.user()
    before = api.get(f"/users/{other['id']}").json()
    assert error_of(api.patch(f"/users/{other['id']}", json={"email": email.title()})) == EMAIL_CONFLICT
    assert api.get(f"/users/{other['id']}").json() == before


def test_a_user_may_keep_its_own_username_extension_and_email(api, made):
    user = made.user(extension=unique_extension(), email=f"{Target.unique('ct')}@example.com")
    response = api.put(f"/users/{user['id']}", json={"username": user["username"].upper(),
                                                     "extension": user["extension"], "email": user["email"]})
    assert response.status_code == 200, response.text
    assert response.json()["username"] == user["username"].upper()


@pytest.mark.parametrize("username", ["", "   ", "has space", "at@sign", "slash/name", "ünïcode"])
def test_username_is_required_and_restricted(api, username):
    assert error_of(api.post("/users", json={"username": username, "name": "Bad"})) == BAD_ARGS


def test_a_username_cannot_be_patched_away(api, made):
    user = made.user()
    assert error_of(api.patch(f"/users/{user['id']}", json={"username": ""})) == BAD_ARGS
    assert api.get(f"/users/{user['id']}").json()["username"] == user["username"]


@pytest.mark.parametrize("body", [{"name": 5}, {"extension": 1001}, {"profile": "x"}, {"roles": "7"},
                                  {"license": [{"name": "no serial"}]}, {"license": "cc-serial-1"},
                                  {"force_password_change": "maybe"}, {"profile": {"k": 1}}])
def test_a_mistyped_attribute_is_refused(api, body):
    username = Target.unique("ct_")
    assert error_of(api.post("/users", json={"username": username, **body})) == BAD_ARGS
    assert _found(api, username=username) == []


def test_a_body_that_is_not_a_json_object_is_refused(api):
    for raw in (b"[1, 2]", b"{not json", b'"text"'):
        response = api.post("/users", content=raw, headers={"Content-Type": "application/json"})
        assert error_of(response) == BAD_ARGS


@pytest.mark.parametrize("email", ["not-an-email", "two@@x.io", "a b@x.io"])
def test_email_must_be_an_address(api, email):
    username = Target.unique("ct_")
    assert error_of(api.post("/users", json={"username": username, "email": email})) == BAD_ARGS
    assert _found(api, username=username) == []


def test_a_name_is_optional(made):
    user = made.user()
    assert "name" not in user
