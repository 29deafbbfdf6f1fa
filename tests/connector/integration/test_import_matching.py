"""GetWebitelUsers links a Webitel user to the Creatio user whose login is its username (the demo's
jsmith is the user jsmith of the contact "John Smith"), before looking for a contact named like it;
and a record the import could not link is linked to a Creatio user by hand."""

from __future__ import annotations

import uuid

import pytest

from tests.support.connector import creatio_user, error_of
from tests.support.creatio import both_creatio_sides

from .test_imports import outcomes, records, run_import

BASE = "/api/v1/webitel-users"


@both_creatio_sides
@pytest.mark.stand_in  # the Webitel username is the login: a live Creatio's test users have prefixed logins
def test_a_webitel_user_is_linked_to_the_creatio_user_with_its_login(api, emulator, creatio, creatio_records):
    user = creatio.get_system_user(creatio_records.system_user("jsmith", "John Smith"))
    assert user is not None
    job = run_import(api)
    item = next(i for i in job["items"] if i["webitel_username"] == "jsmith")
    assert item["outcome"] == "linked_existing_contact" and item["detail"]["matched_by"] == "login", item
    jsmith = records(api)["jsmith"]
    assert jsmith["user"] == {"id": str(user.id), "name": user.name}
    assert jsmith["contact"] == {"id": str(user.contact.id), "name": user.contact.name}
    assert "no_creatio_user" not in jsmith["warnings"]
    assert job["summary"]["linked_existing_contacts"] == 1 and job["summary"]["created_contacts"] == 2


def test_the_login_is_matched_on_the_normalised_key_and_a_near_login_is_not(api, emulator, session):
    creatio_user(session, " JSmith ", "John Smith")
    creatio_user(session, "mbrown2", "Mary Brown")
    job = run_import(api)
    assert outcomes(job)["jsmith"] == "linked_existing_contact"
    assert outcomes(job)["mbrown"] == "created" and records(api)["mbrown"]["user"] is None


def test_a_login_wins_over_a_contact_named_like_the_username(api, emulator, session):
    login = creatio_user(session, "jsmith", "John Smith")
    creatio_user(session, "other", "jsmith")  # a contact named "jsmith", of another user
    job = run_import(api)
    assert outcomes(job)["jsmith"] == "linked_existing_contact"
    assert records(api)["jsmith"]["user"]["id"] == str(login.id)


def test_a_login_whose_user_has_a_record_already_fails_that_user_only(api, emulator, session):
    user = creatio_user(session, "jsmith", "John Smith")
    other = creatio_user(session, "agarcia", "Ana Garcia")
    record = api.post(BASE, json={"user_id": str(other.id)}).json
    linked = api.put(f"{BASE}/{record['id']}/user", json={"user_id": str(user.id)})
    assert linked.status_code == 200, linked.json
    job = run_import(api)
    item = next(i for i in job["items"] if i["webitel_username"] == "jsmith")
    assert item["outcome"] == "failed" and "already has the Webitel user record" in item["detail"]["error"]
    assert outcomes(job)["mbrown"] == "created" and job["status"] == "succeeded"


def test_an_imported_record_is_linked_to_a_creatio_user_by_hand(api, emulator, session):
    run_import(api)
    jsmith = records(api)["jsmith"]
    assert jsmith["user"] is None and "no_creatio_user" in jsmith["warnings"]
    user = creatio_user(session, "john.smith", "John Smith")
    linked = api.put(f"{BASE}/{jsmith['id']}/user", json={"user_id": str(user.id)})
    assert linked.status_code == 200, linked.json
    shown = api.get(f"{BASE}/{jsmith['id']}").json
    assert shown["user"] == {"id": str(user.id), "name": "john.smith"}
    assert shown["contact"] == {"id": str(user.contact.id), "name": "John Smith"}
    assert shown["webitel_username"] == "jsmith" and "no_creatio_user" not in shown["warnings"]
    assert shown["sync"]["state"] == "in_sync"  # Webitel is not touched
    again = run_import(api)
    assert outcomes(again)["jsmith"] == "unchanged" and records(api)["jsmith"]["user"]["id"] == str(user.id)
    audit = api.get(f"/api/v1/audit?record_id={jsmith['id']}").json["items"]
    assert any("to the Creatio user john.smith" in event["action"] for event in audit)


def test_linking_the_user_it_has_changes_nothing(api, emulator, session):
    user = creatio_user(session, "agarcia", "Ana Garcia")
    record = api.post(BASE, json={"user_id": str(user.id)}).json
    again = api.put(f"{BASE}/{record['id']}/user", json={"user_id": str(user.id)})
    assert again.status_code == 200 and again.json["user"]["id"] == str(user.id)


def test_link_refusals(api, emulator, session):
    user = creatio_user(session, "agarcia", "Ana Garcia")
    taken = creatio_user(session, "lnguyen", "Linh Nguyen")
    inactive = creatio_user(session, "oldtimer", "Otto Oldtimer", active=False)
    record = api.post(BASE, json={"user_id": str(user.id)}).json
    holder = api.post(BASE, json={"user_id": str(taken.id)}).json
    url = f"{BASE}/{record['id']}/user"
    conflict = api.put(url, json={"user_id": str(taken.id)})
    assert conflict.status_code == 409 and error_of(conflict)["code"] == "already_exists"
    assert error_of(conflict)["existing"] == {"id": holder["id"]}
    for refused in (str(inactive.id), str(uuid.uuid4())):
        response = api.put(url, json={"user_id": refused})
        assert response.status_code == 400 and error_of(response)["code"] == "not_a_creatio_user"
        assert list(error_of(response)["fields"]) == ["user_id"]
    for body in ({}, {"user_id": "not-a-uuid"}, {"user_id": str(taken.id), "extra": 1}):
        response = api.put(url, json=body)
        assert response.status_code == 422 and error_of(response)["code"] == "validation_error", body
    missing = api.put(f"{BASE}/{uuid.uuid4()}/user", json={"user_id": str(user.id)})
    assert missing.status_code == 404 and error_of(missing)["code"] == "not_found"
    assert api.get(f"{BASE}/{record['id']}").json["user"]["id"] == str(user.id)  # unchanged by the refusals
