"""The Webitel users section through the HTTP API (Flask's client), on SQLite and PostgreSQL."""

import uuid

import pytest

from tests.support.connector import creatio_user, disagreements, error_of, webitel_state
from tests.support.creatio import both_creatio_sides

BASE = "/api/v1/webitel-users"


@pytest.fixture
def ana(session):
    return creatio_user(session, "agarcia", "Ana Garcia")


def create(api, user, extension="1010"):
    body = {"user_id": str(user.id)}
    if extension is not None:
        body["extension"] = extension
    return api.post(BASE, json=body)


def remote_user(emulator, username):
    return next(u for u in webitel_state(emulator)["users"] if u["username"] == username)


# -- create ----------------------------------------------------------------------------------------
def test_create_fills_the_record_from_webitel(api, ana, emulator, session):
    response = create(api, ana)
    assert response.status_code == 201, response.json
    record = response.json
    remote = remote_user(emulator, "agarcia")
    assert record["webitel_user_id"] == remote["id"]
    assert record["default_device"] == {"id": remote["device"]["id"], "name": remote["device"]["name"]}
    assert record["user"] == {"id": str(ana.id), "name": "agarcia"}
    assert record["contact"] == {"id": str(ana.contact.id), "name": "Ana Garcia"}
    assert record["webitel_username"] == "agarcia" and remote["name"] == "Ana Garcia"
    assert record["extension"] == "1010" == remote["extension"]
    assert record["warnings"] == [] and record["state"] == "active"
    assert record["stun_enabled"] is False and record["is_agent"] is False and record["team"] is None
    assert record["agent_status"] is None
    assert record["licenses"] == [] and record["roles"] == [] and record["skills"] == []
    assert api.get(f"{BASE}/{record['id']}").json == record
    assert disagreements(session, emulator) == []


def test_webitel_generates_the_sip_password_and_the_connector_never_sees_it(api, ana, emulator):
    create(api, ana)
    created = [r for r in emulator.requests() if r["method"] == "POST" and r["path"] == "/api/users"][-1]
    # (the journal masks the value of anything named like a password)
    assert "generate_device=true" in created["query"] and "device.generate_password=" in created["query"]
    assert "device.password" not in created["query"]
    device = next(d for d in webitel_state(emulator)["devices"] if d["account"] == "agarcia")
    assert device["has_password"] is True


def test_without_an_extension_the_record_warns(api, ana, emulator):
    response = create(api, ana, extension=None)
    assert response.status_code == 201
    assert response.json["extension"] is None and response.json["warnings"] == ["no_extension"]
    assert "extension" not in remote_user(emulator, "agarcia")


def test_an_empty_extension_means_none(api, ana):
    assert create(api, ana, extension="").json["warnings"] == ["no_extension"]


@pytest.mark.parametrize("extension", ["10a1", "+1001", "1001 ", "12345678901234567890123", 1001])
def test_the_extension_is_digits_only(api, ana, extension, emulator):
    response = api.post(BASE, json={"user_id": str(ana.id), "extension": extension})
    if extension == "1001 ":  # surrounding spaces are trimmed; the extension then belongs to jsmith in Webitel
        assert response.status_code == 409
        return
    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "validation_error" and "extension" in error["fields"]
    assert api.get(BASE).json["total"] == 0


def test_unknown_and_missing_fields_are_validation_errors(api, ana):
    error = error_of(api.post(BASE, json={"user_id": str(ana.id), "username": "x"}))
    assert error["code"] == "validation_error" and "username" in error["fields"]
    error = error_of(api.post(BASE, json={}))
    assert "user_id" in error["fields"]
    error = error_of(api.post(BASE, json={"user_id": "not-a-uuid"}))
    assert "user_id" in error["fields"]


def test_a_body_that_is_not_json_is_a_validation_error(api):
    response = api.post(BASE, data="{nope", headers={"Content-Type": "application/json"})
    assert response.status_code == 422 and error_of(response)["code"] == "validation_error"


def test_only_an_existing_creatio_user(api):
    response = api.post(BASE, json={"user_id": str(uuid.uuid4())})
    assert response.status_code == 400
    assert error_of(response)["code"] == "not_a_creatio_user"


def test_only_an_active_creatio_user(api, session, emulator):
    inactive = creatio_user(session, "oldtimer", active=False)
    response = create(api, inactive)
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "not_a_creatio_user" and "not active" in error["message"]
    assert not any(u["username"] == "oldtimer" for u in webitel_state(emulator)["users"])


def test_a_portal_user_is_a_system_user_too(api, session):
    portal = creatio_user(session, "pclient", "Paul Client", type="portal")
    assert create(api, portal, "1020").status_code == 201


def test_a_login_webitel_cannot_take_is_refused(api, session):
    user = creatio_user(session, "ana@acme.com", "Ana Email")
    response = create(api, user)
    assert response.status_code == 400 and error_of(response)["code"] == "username_not_allowed"


def test_one_webitel_user_per_creatio_user(api, ana, emulator):
    first = create(api, ana)
    response = create(api, ana, "1011")
    assert response.status_code == 409
    error = error_of(response)
    assert error["code"] == "already_exists" and error["existing"] == {"id": first.json["id"]}
    assert sum(u["username"] == "agarcia" for u in webitel_state(emulator)["users"]) == 1


def test_an_extension_held_by_another_record_is_taken(api, ana, session):
    create(api, ana, "1010")
    linh = creatio_user(session, "lnguyen", "Linh Nguyen")
    response = create(api, linh, "1010")
    assert response.status_code == 409
    error = error_of(response)
    assert error["code"] == "extension_taken"
    assert error["message"] == "Extension 1010 already belongs to agarcia"
    assert error["fields"] == {"extension": ["Extension 1010 already belongs to agarcia"]}


def test_an_extension_held_in_webitel_only_is_taken_with_webitels_error(api, ana, emulator, session):
    response = create(api, ana, "1001")  # jsmith's, in Webitel, unknown to Creatio
    assert response.status_code == 409
    error = error_of(response)
    assert error["code"] == "extension_taken" and "jsmith" in error["message"]
    assert error["webitel"]["id"] == "app.user.extension.conflict.error"
    assert api.get(BASE).json["total"] == 0
    assert disagreements(session, emulator) == []


def test_an_existing_webitel_username_points_at_the_import(api, session, emulator):
    john = creatio_user(session, "jsmith", "John Smith")
    response = create(api, john, "1050")
    assert response.status_code == 409
    error = error_of(response)
    assert error["code"] == "username_taken"
    assert error["webitel"]["id"] == "app.user.conflict.error"
    assert error["existing"] == {"webitel_user_id": remote_user(emulator, "jsmith")["id"]}
    assert "import" in error["message"]
    assert api.get(BASE).json["total"] == 0  # never adopted silently
    assert remote_user(emulator, "jsmith").get("profile") is None


# -- read and list ---------------------------------------------------------------------------------
def test_list_pages_and_searches(api, session):
    for i, (login, name) in enumerate([("agarcia", "Ana Garcia"), ("lnguyen", "Linh Nguyen"),
                                       ("pclient", "Paul Client")]):
        create(api, creatio_user(session, login, name), f"10{i}0")
    page = api.get(f"{BASE}?page=1&size=2").json
    assert [r["webitel_username"] for r in page["items"]] == ["agarcia", "lnguyen"]
    assert (page["page"], page["size"], page["total"]) == (1, 2, 3)
    assert [r["webitel_username"] for r in api.get(f"{BASE}?page=2&size=2").json["items"]] == ["pclient"]
    assert [r["webitel_username"] for r in api.get(f"{BASE}?q=NGUY").json["items"]] == ["lnguyen"]
    assert [r["webitel_username"] for r in api.get(f"{BASE}?q=1020").json["items"]] == ["pclient"]


@pytest.mark.parametrize("query", ["page=0", "size=0", "size=501", "page=x", "sort=name"])
def test_bad_list_parameters_are_refused(api, query):
    response = api.get(f"{BASE}?{query}")
    assert response.status_code == 422 and error_of(response)["code"] == "validation_error"


def test_an_unknown_record_is_not_found(api):
    for response in (api.get(f"{BASE}/{uuid.uuid4()}"), api.patch(f"{BASE}/{uuid.uuid4()}", json={}),
                     api.delete(f"{BASE}/{uuid.uuid4()}"),
                     api.post(f"{BASE}/{uuid.uuid4()}/licenses", json={"license_id": "cc-serial-1"})):
        assert response.status_code == 404 and error_of(response)["code"] == "not_found"


# -- change ----------------------------------------------------------------------------------------
def test_change_the_extension(api, ana, emulator, session):
    record = create(api, ana).json
    response = api.patch(f"{BASE}/{record['id']}", json={"extension": "2020"})
    assert response.status_code == 200 and response.json["extension"] == "2020"
    assert remote_user(emulator, "agarcia")["extension"] == "2020"
    removed = api.patch(f"{BASE}/{record['id']}", json={"extension": None}).json
    assert removed["extension"] is None and removed["warnings"] == ["no_extension"]
    assert "extension" not in remote_user(emulator, "agarcia")
    assert disagreements(session, emulator) == []


def test_change_to_a_taken_extension(api, ana, session, emulator):
    record = create(api, ana, "1010").json
    create(api, creatio_user(session, "lnguyen", "Linh Nguyen"), "1011")
    response = api.patch(f"{BASE}/{record['id']}", json={"extension": "1011"})
    assert response.status_code == 409 and error_of(response)["message"] == "Extension 1011 already belongs to lnguyen"
    response = api.patch(f"{BASE}/{record['id']}", json={"extension": "1002"})  # mbrown's, in Webitel only
    assert response.status_code == 409
    assert error_of(response)["webitel"]["id"] == "app.user.extension.conflict.error"
    assert api.get(f"{BASE}/{record['id']}").json["extension"] == "1010"
    assert disagreements(session, emulator) == []


def test_change_refuses_what_it_does_not_know(api, ana):
    record = create(api, ana).json
    for body in ({"extension": "12a"}, {"stun_enabled": "maybe"}, {"webitel_username": "x"}):
        response = api.patch(f"{BASE}/{record['id']}", json=body)
        assert response.status_code == 422, body


def test_an_empty_change_changes_nothing(api, ana):
    record = create(api, ana).json
    response = api.patch(f"{BASE}/{record['id']}", json={})
    assert response.status_code == 200 and response.json["extension"] == record["extension"]


def test_stun_is_the_users_own_phone_setting(api, ana, emulator, session):
    record = create(api, ana).json
    response = api.patch(f"{BASE}/{record['id']}", json={"stun_enabled": True})
    assert response.status_code == 200 and response.json["stun_enabled"] is True
    settings = webitel_state(emulator)["settings"]
    assert settings == [{"user_id": record["webitel_user_id"], "key": "phone", "value": {"webrtc": True, "stun": True}}]
    assert webitel_state(emulator)["tokens"] == []  # the short-lived token is gone again
    assert api.patch(f"{BASE}/{record['id']}", json={"stun_enabled": False}).json["stun_enabled"] is False
    assert webitel_state(emulator)["settings"][0]["value"] == {"webrtc": True, "stun": False}
    assert disagreements(session, emulator) == []


# -- delete ----------------------------------------------------------------------------------------
def test_delete_removes_the_webitel_user_for_good(api, ana, emulator, session):
    record = create(api, ana).json
    response = api.delete(f"{BASE}/{record['id']}")
    assert response.status_code == 204 and response.data == b""
    assert not any(u["username"] == "agarcia" for u in webitel_state(emulator)["users"])
    assert api.get(f"{BASE}/{record['id']}").status_code == 404
    # The username and extension are free again: a new Webitel user can be made.
    assert create(api, ana).status_code == 201


def test_delete_of_a_user_already_gone_from_webitel_still_removes_the_record(api, ana, emulator):
    record = create(api, ana).json
    emulator.client.delete(f"/users/{record['webitel_user_id']}", params={"permanent": "true"})
    assert api.delete(f"{BASE}/{record['id']}").status_code == 204
    assert api.get(BASE).json["total"] == 0


def test_a_sip_account_already_taken_in_webitel_is_a_conflict_with_webitels_reason(api, ana, emulator, session):
    """The default device's SIP account is the username; a stray device holding it makes Webitel refuse."""
    emulator.client.post("/devices", json={"name": "desk phone", "account": "agarcia"})
    response = create(api, ana)
    assert response.status_code == 409
    error = error_of(response)
    assert error["code"] == "conflict" and error["webitel"]["id"] == "app.device.conflict.error"
    assert "agarcia" in error["message"]
    assert api.get(BASE).json["total"] == 0
    assert disagreements(session, emulator) == []


def test_an_unexpected_webitel_refusal_is_a_webitel_error_and_nothing_is_kept(api, ana, emulator, session):
    emulator.add_fault(method="POST", path="/api/users", action="error", status=400, error_id="api.process.bad_args",
                       detail="user: name is too long")
    response = create(api, ana)
    assert response.status_code == 502
    error = error_of(response)
    assert error["code"] == "webitel_error" and error["webitel"] == {"id": "api.process.bad_args",
                                                                     "detail": "user: name is too long"}
    assert error["outcome"] == "not_created"
    assert api.get(BASE).json["total"] == 0
    assert disagreements(session, emulator) == []


@both_creatio_sides
def test_a_webitel_user_for_a_creatio_user_of_either_side(api, creatio_records, emulator):
    """With a live Creatio (the OData side), the system user exists only there: the record takes its
    login and contact from it."""
    user_id = creatio_records.system_user("agarcia", "Ana Garcia")
    created = api.post(BASE, json={"user_id": str(user_id), "extension": "1010"})
    assert created.status_code == 201, created.json
    record = created.json
    assert record["webitel_username"] == creatio_records.name("agarcia")
    assert record["user"] == {"id": str(user_id), "name": creatio_records.name("agarcia")}
    assert record["contact"]["name"] == creatio_records.name("Ana Garcia")
    user = next(u for u in webitel_state(emulator)["users"] if u["id"] == record["webitel_user_id"])
    assert user["name"] == creatio_records.name("Ana Garcia")


@both_creatio_sides
def test_only_active_system_users_of_either_side_get_a_webitel_user(api, creatio_records):
    inactive = creatio_records.system_user("oldtimer", "Otto Oldtimer")
    creatio_records.deactivate(inactive)
    for user_id in (inactive, creatio_records.org_unit("Sales"), uuid.uuid4()):
        response = api.post(BASE, json={"user_id": str(user_id)})
        assert response.status_code == 400 and error_of(response)["code"] == "not_a_creatio_user", response.json
