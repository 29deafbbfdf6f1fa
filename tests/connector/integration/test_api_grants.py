"""Licenses and roles of a Webitel user through the API: whole-set updates, one item at a time."""

import pytest

from tests.support.connector import creatio_user, disagreements, error_of, webitel_state

BASE = "/api/v1/webitel-users"


@pytest.fixture
def record(api, session):
    ana = creatio_user(session, "agarcia", "Ana Garcia")
    return api.post(BASE, json={"user_id": str(ana.id), "extension": "1010"}).json


def remote(emulator, record):
    return next(u for u in webitel_state(emulator)["users"] if u["id"] == record["webitel_user_id"])


def test_grant_and_revoke_licenses_one_at_a_time(api, record, emulator, session):
    response = api.post(f"{BASE}/{record['id']}/licenses", json={"license_id": "cc-serial-1"})
    assert response.status_code == 201
    assert response.json["licenses"] == [{"id": "cc-serial-1", "product": "CALL_CENTER"}]
    response = api.post(f"{BASE}/{record['id']}/licenses", json={"license_id": "cm-serial-1"})
    assert [lic["id"] for lic in response.json["licenses"]] == ["cc-serial-1", "cm-serial-1"]
    assert sorted(g["id"] for g in remote(emulator, record)["license"]) == ["cc-serial-1", "cm-serial-1"]
    assert api.delete(f"{BASE}/{record['id']}/licenses/cc-serial-1").status_code == 204
    assert [g["id"] for g in remote(emulator, record)["license"]] == ["cm-serial-1"]
    assert [lic["id"] for lic in api.get(f"{BASE}/{record['id']}").json["licenses"]] == ["cm-serial-1"]
    assert disagreements(session, emulator) == []


def test_a_grant_keeps_licenses_given_in_webitel_directly(api, record, emulator, session):
    """Read-modify-write: the set is read from Webitel, so a license granted there is not lost; it is
    someone else's change, so the record does not take it silently: the drift report shows it."""
    emulator.client.patch(f"/users/{record['webitel_user_id']}", json={"license": [{"id": "chat-serial-1"}]})
    response = api.post(f"{BASE}/{record['id']}/licenses", json={"license_id": "cc-serial-1"})
    assert [lic["id"] for lic in response.json["licenses"]] == ["cc-serial-1"]
    assert sorted(g["id"] for g in remote(emulator, record)["license"]) == ["cc-serial-1", "chat-serial-1"]
    drift = [item for item in api.get("/api/v1/drift").json["items"] if item.get("record_id") == record["id"]]
    assert drift == [{"kind": "differs", "record_id": record["id"], "webitel_user_id": record["webitel_user_id"],
                      "webitel_username": "agarcia", "sync": drift[0]["sync"],
                      "fields": {"licenses": {"record": ["cc-serial-1"],
                                              "webitel": ["cc-serial-1", "chat-serial-1"]}}}]


def test_a_license_without_seats_is_refused(api, record, session, emulator):
    for login in ("lnguyen", "pclient"):  # CHAT has 2 seats
        other = api.post(BASE, json={"user_id": str(creatio_user(session, login).id)}).json
        assert api.post(f"{BASE}/{other['id']}/licenses", json={"license_id": "chat-serial-1"}).status_code == 201
    response = api.post(f"{BASE}/{record['id']}/licenses", json={"license_id": "chat-serial-1"})
    assert response.status_code == 409
    error = error_of(response)
    assert error["code"] == "license_exhausted" and error["fields"] == {"license_id": ["no seats left"]}
    assert "chat-serial-1" in error["message"]
    assert "license" not in remote(emulator, record)
    assert disagreements(session, emulator) == []


def test_webitels_own_seat_refusal_is_license_exhausted(api, record, emulator, monkeypatch):
    """The seat check passed, but another system took the last seats before the grant."""
    from connector.services.webitel_users import grants

    monkeypatch.setattr(grants, "_check_grantable", lambda license: None)
    for name in ("other1", "other2"):  # CHAT has 2 seats
        emulator.client.post("/users", json={"username": name, "license": [{"id": "chat-serial-1"}]})
    response = api.post(f"{BASE}/{record['id']}/licenses", json={"license_id": "chat-serial-1"})
    assert response.status_code == 409
    error = error_of(response)
    assert error["code"] == "license_exhausted" and error["webitel"]["id"] == "app.user.license.product_exhausted"


def test_an_expired_license_is_refused(api, record, emulator):
    emulator.control("POST", "/clock", json={"advance_s": 10 * 365 * 86400})  # past cm-serial-1's not_after
    response = api.post(f"{BASE}/{record['id']}/licenses", json={"license_id": "cm-serial-1"})
    assert response.status_code == 409 and error_of(response)["code"] == "license_expired"


def test_an_unknown_license_is_a_field_error(api, record):
    response = api.post(f"{BASE}/{record['id']}/licenses", json={"license_id": "no-such-serial"})
    assert response.status_code == 422
    assert error_of(response)["fields"] == {"license_id": ["Webitel has no license no-such-serial"]}


def test_a_license_granted_twice_is_already_there(api, record):
    api.post(f"{BASE}/{record['id']}/licenses", json={"license_id": "cc-serial-1"})
    response = api.post(f"{BASE}/{record['id']}/licenses", json={"license_id": "cc-serial-1"})
    assert response.status_code == 409 and error_of(response)["code"] == "already_exists"


def test_revoking_a_license_the_user_lacks_is_not_found(api, record):
    response = api.delete(f"{BASE}/{record['id']}/licenses/cc-serial-1")
    assert response.status_code == 404 and error_of(response)["code"] == "not_found"


@pytest.mark.parametrize("body", [{}, {"license_id": ""}, {"license_id": 5}, {"license_id": "x", "product": "y"}])
def test_bad_license_bodies(api, record, body):
    assert api.post(f"{BASE}/{record['id']}/licenses", json=body).status_code == 422


def test_add_and_remove_roles(api, record, emulator, session):
    roles = {r["name"]: r["id"] for r in webitel_state(emulator)["roles"]}
    response = api.post(f"{BASE}/{record['id']}/roles", json={"role_id": roles["Agents"]})
    assert response.status_code == 201 and response.json["roles"] == [{"id": roles["Agents"], "name": "Agents"}]
    api.post(f"{BASE}/{record['id']}/roles", json={"role_id": roles["Supervisors"]})
    assert sorted(r["name"] for r in remote(emulator, record)["roles"]) == ["Agents", "Supervisors"]
    assert api.delete(f"{BASE}/{record['id']}/roles/{roles['Agents']}").status_code == 204
    assert [r["name"] for r in remote(emulator, record)["roles"]] == ["Supervisors"]
    assert disagreements(session, emulator) == []


def test_role_refusals(api, record, emulator):
    agents = next(r["id"] for r in webitel_state(emulator)["roles"] if r["name"] == "Agents")
    response = api.post(f"{BASE}/{record['id']}/roles", json={"role_id": "999"})
    assert response.status_code == 422 and error_of(response)["fields"] == {"role_id": ["Webitel has no role 999"]}
    assert api.post(f"{BASE}/{record['id']}/roles", json={"role_id": "Agents"}).status_code == 422
    api.post(f"{BASE}/{record['id']}/roles", json={"role_id": agents})
    assert error_of(api.post(f"{BASE}/{record['id']}/roles", json={"role_id": agents}))["code"] == "already_exists"
    assert api.delete(f"{BASE}/{record['id']}/roles/999").status_code == 404
