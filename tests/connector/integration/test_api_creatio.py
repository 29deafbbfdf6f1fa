"""Creatio-side records through the API: system users, contacts, accounts. The reads run on both
Creatio sides (the embedded store and a Creatio over OData); users are created and deactivated
through the API only on the embedded one, and a live Creatio refuses that with 405."""

import uuid

import pytest

from tests.support.connector import error_of
from tests.support.creatio import STAND_IN_PASSWORD, both_creatio_sides, odata_side

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


@both_creatio_sides
def test_unknown_system_user(api, creatio_records):
    assert api.get(f"{USERS}/{uuid.uuid4()}").status_code == 404
    assert api.get(f"{USERS}/not-a-uuid").status_code == 404
    response = api.get(f"{USERS}/{creatio_records.org_unit('Sales')}")
    assert response.status_code == 404 and error_of(response)["code"] == "not_found"


@both_creatio_sides
def test_read_a_system_user_and_a_deactivated_one(api, creatio_records):
    user_id = creatio_records.system_user("jsmith", "John Smith", account="Acme")
    user = api.get(f"{USERS}/{user_id}").json
    assert (user["id"], user["name"], user["type"], user["active"]) == (str(user_id), creatio_records.name("jsmith"),
                                                                        "employee", True)
    assert user["contact"]["name"] == creatio_records.name("John Smith")
    assert user["account"]["name"] == creatio_records.name("Acme")
    creatio_records.deactivate(user_id)
    assert api.get(f"{USERS}/{user_id}").json["active"] is False


@both_creatio_sides
@pytest.mark.stand_in
def test_lists_page_search_and_filter(api, creatio_records):
    creatio_records.system_user("jsmith", "John Smith", account="Acme")
    creatio_records.system_user("mbrown", "Mary Brown", account="Acme")
    creatio_records.system_user("pclient", "Paul Client", type="portal", account="Contoso")
    creatio_records.org_unit("Sales")
    listed = api.get(f"{USERS}?size=2").json
    assert [u["name"] for u in listed["items"]] == ["jsmith", "mbrown"] and listed["total"] == 3
    assert (listed["page"], listed["size"]) == (1, 2)
    assert [u["name"] for u in api.get(f"{USERS}?q=brown").json["items"]] == ["mbrown"]
    assert [u["name"] for u in api.get(f"{USERS}?q=Mary").json["items"]] == ["mbrown"]  # the contact's name
    assert [u["name"] for u in api.get(f"{USERS}?type=portal").json["items"]] == ["pclient"]
    contacts = api.get("/api/v1/creatio/contacts?q=john").json
    assert [c["name"] for c in contacts["items"]] == ["John Smith"]
    assert contacts["items"][0]["account"]["name"] == "Acme"
    accounts = api.get("/api/v1/creatio/accounts").json
    assert [a["name"] for a in accounts["items"]] == ["Acme", "Contoso"]
    assert api.get("/api/v1/creatio/accounts?q=cont").json["total"] == 1


@both_creatio_sides
@pytest.mark.stand_in
def test_search_wildcards_are_literal(api, creatio_records):
    creatio_records.system_user("pct", "100% Sure")
    creatio_records.system_user("plain", "Plain Name")
    assert [u["name"] for u in api.get(f"{USERS}?q=%25").json["items"]] == ["pct"]
    assert api.get(f"{USERS}?q=_").json["total"] == 0


def test_the_embedded_search_is_nfkc_normalised(api):
    new_user(api, "zoe", "Ｚｏｅ Ｗｉｄｅ")  # full-width letters: NFKC makes them plain
    assert [u["name"] for u in api.get(f"{USERS}?q=zoe wide").json["items"]] == ["zoe"]


@both_creatio_sides
@pytest.mark.parametrize("query", ["page=0", "size=501", "type=admin", "q=" + "x" * 251, "colour=red"])
def test_bad_list_queries_are_refused(api, query):
    response = api.get(f"{USERS}?{query}")
    assert response.status_code == 422 and error_of(response)["code"] == "validation_error"


# -- a live Creatio ----------------------------------------------------------------------------------
@odata_side
def test_with_a_live_creatio_users_are_not_created_or_changed_here(api, creatio_records):
    user_id = creatio_records.system_user("jsmith", "John Smith")
    for response in (new_user(api, "newbie", "New Bie"), api.patch(f"{USERS}/{user_id}", json={"active": False})):
        assert response.status_code == 405
        assert response.headers["Allow"] == "GET, HEAD, OPTIONS"  # what the path still takes here
        error = error_of(response)
        assert error["code"] == "method_not_allowed" and "in Creatio itself" in error["message"]
    assert api.get(f"{USERS}/{user_id}").json["active"] is True
    assert api.get(f"{USERS}?q={creatio_records.name('newbie')}").json["total"] == 0


@odata_side
def test_a_bad_request_body_is_still_a_422_with_a_live_creatio(api):
    response = api.post(USERS, json={"name": "x"})
    assert response.status_code == 422 and error_of(response)["code"] == "validation_error"


@odata_side
@pytest.mark.parametrize("fault, status, code", [
    ({"status": 503}, 503, "creatio_unavailable"),
    ({"action": "timeout"}, 504, "creatio_timeout"),
    ({"status": 500}, 502, "creatio_error"),
    ({"status": 401}, 502, "creatio_auth_failed"),
])
@pytest.mark.parametrize("path", [USERS, f"{USERS}/00000000-0000-4000-a000-0000000000aa", "/api/v1/creatio/contacts",
                                  "/api/v1/creatio/accounts"])
def test_creatio_failures_are_the_contracts_errors(api, creatio_stand_in, path, fault, status, code):
    creatio_stand_in.fail("/0/odata/*", times=None, **fault)
    response = api.get(path)
    assert response.status_code == status and error_of(response)["code"] == code
    assert "Traceback" not in response.text


@pytest.mark.parametrize("config_overrides", [{"creatio_password": "wrong-pa55word-91b"}])
@odata_side
def test_bad_credentials_are_creatio_auth_failed_and_never_echoed(api, creatio_stand_in, config_overrides, caplog):
    response = api.get(USERS)
    assert response.status_code == 502 and error_of(response)["code"] == "creatio_auth_failed"
    assert "wrong-pa55word-91b" not in response.text and STAND_IN_PASSWORD not in response.text
    assert "wrong-pa55word-91b" not in caplog.text
