"""Creatio-side records through the API: system users, contacts, accounts."""

import uuid

import pytest

from tests.support.connector import error_of

USERS = "/api/v1/creatio/users"


def new_user(api, name="jsmith", contact="John Smith", type="employee", **extra):
    return api.post(USERS, json={"name": name, "contact_name": contact, "type": type, **extra})


def test_create_a_system_user_with_contact_and_account(api):
    response = new_user(api, account_name="Acme")
    assert response.status_code == 201
    user = response.json
    assert user["name"] == "jsmith" and user["type"] == "employee" and user["active"] is True
    assert user["contact"]["name"] == "John Smith" and uuid.UUID(user["contact"]["id"])
    assert user["account"]["name"] == "Acme"
    assert api.get(f"{USERS}/{user['id']}").json == user


def test_a_portal_user_without_an_account(api):
    user = new_user(api, "pclient", "Paul Client", "portal").json
    assert user["type"] == "portal" and user["account"] is None


def test_accounts_are_matched_by_normalised_name(api):
    first = new_user(api, "a1", account_name="Acme Ltd").json["account"]
    second = new_user(api, "a2", account_name="  ACME   ltd ").json["account"]
    assert first["id"] == second["id"]
    assert api.get("/api/v1/creatio/accounts").json["total"] == 1


def test_the_login_is_unique_case_insensitively(api):
    new_user(api, "jsmith")
    response = new_user(api, "JSmith")
    assert response.status_code == 409
    error = error_of(response)
    assert error["code"] == "already_exists" and "name" in error["fields"]


@pytest.mark.parametrize("body, field", [
    ({"contact_name": "X", "type": "employee"}, "name"),
    ({"name": "x", "type": "employee"}, "contact_name"),
    ({"name": "x", "contact_name": "X"}, "type"),
    ({"name": "x", "contact_name": "X", "type": "admin"}, "type"),
    ({"name": "j smith", "contact_name": "X", "type": "employee"}, "name"),
    ({"name": "  ", "contact_name": "X", "type": "employee"}, "name"),
    ({"name": "x", "contact_name": "", "type": "employee"}, "contact_name"),
    ({"name": "x" * 251, "contact_name": "X", "type": "employee"}, "name"),
    ({"name": "x", "contact_name": "X", "type": "employee", "role": "admin"}, "role"),
])
def test_bad_system_users_are_refused_by_field(api, body, field):
    response = api.post(USERS, json=body)
    assert response.status_code == 422
    assert field in error_of(response)["fields"]


def test_a_body_that_is_not_an_object(api):
    response = api.post(USERS, json=["x"])
    assert response.status_code == 422 and error_of(response)["code"] == "validation_error"


def test_deactivate_a_system_user(api):
    user = new_user(api).json
    response = api.patch(f"{USERS}/{user['id']}", json={"active": False})
    assert response.status_code == 200 and response.json["active"] is False
    assert api.patch(f"{USERS}/{user['id']}", json={}).status_code == 422


def test_unknown_system_user(api):
    assert api.get(f"{USERS}/{uuid.uuid4()}").status_code == 404
    assert api.get(f"{USERS}/not-a-uuid").status_code == 404


def test_lists_page_search_and_filter(api):
    new_user(api, "jsmith", "John Smith", account_name="Acme")
    new_user(api, "mbrown", "Mary Brown", account_name="Acme")
    new_user(api, "pclient", "Paul Client", "portal", account_name="Contoso")
    listed = api.get(f"{USERS}?size=2").json
    assert [u["name"] for u in listed["items"]] == ["jsmith", "mbrown"] and listed["total"] == 3
    assert [u["name"] for u in api.get(f"{USERS}?q=brown").json["items"]] == ["mbrown"]
    assert [u["name"] for u in api.get(f"{USERS}?type=portal").json["items"]] == ["pclient"]
    contacts = api.get("/api/v1/creatio/contacts?q=john").json
    assert [c["name"] for c in contacts["items"]] == ["John Smith"]
    assert contacts["items"][0]["account"]["name"] == "Acme"
    accounts = api.get("/api/v1/creatio/accounts").json
    assert [a["name"] for a in accounts["items"]] == ["Acme", "Contoso"]
    assert api.get("/api/v1/creatio/accounts?q=cont").json["total"] == 1


def test_search_is_accent_and_case_normalised_but_like_wildcards_are_literal(api):
    new_user(api, "zoe", "Ｚｏｅ Ｗｉｄｅ")  # full-width letters: NFKC makes them plain
    new_user(api, "pct", "100% Sure")
    assert [u["name"] for u in api.get(f"{USERS}?q=zoe wide").json["items"]] == ["zoe"]
    assert [u["name"] for u in api.get(f"{USERS}?q=%25").json["items"]] == ["pct"]
    assert api.get(f"{USERS}?q=_").json["total"] == 0
