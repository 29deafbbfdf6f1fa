"""GetWebitelUsers through the API: every Webitel user becomes a record linked to the contact whose
name is its username; the matching rules, repeatability, the dry run, a run that fails part-way, and
one import at a time."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from connector.models import ImportJob, utcnow
from tests.support.connector import creatio_user, disagreements, error_of, finished_job
from tests.support.creatio import both_creatio_sides

IMPORTS = "/api/v1/imports"
BASE = "/api/v1/webitel-users"


def run_import(api, **body) -> dict:
    job = finished_job(api, IMPORTS, api.post(IMPORTS, json=body))
    return api.get(f"{IMPORTS}/{job['id']}?size=1000").json


def outcomes(job) -> dict[str, str]:
    return {item["webitel_username"]: item["outcome"] for item in job["items"]}


def records(api) -> dict[str, dict]:
    return {r["webitel_username"]: r for r in api.get(f"{BASE}?size=500").json["items"]}


def seed_user(emulator, username, **fields):
    created = emulator.client.post("/users", json={"username": username, "name": username.title(), **fields})
    assert created.status_code == 200, created.text
    return created.json()


@both_creatio_sides
def test_every_webitel_user_becomes_a_record_in_sync(api, emulator, creatio_records, session):
    job = run_import(api)
    assert job["status"] == "succeeded" and job["progress"] == {"done": 3, "total": 3}
    assert outcomes(job) == {"admin": "created", "jsmith": "created", "mbrown": "created"}
    summary = job["summary"]
    assert (summary["created"], summary["created_contacts"], summary["created_accounts"]) == (3, 3, 1)
    found = records(api)
    jsmith = found["jsmith"]
    assert jsmith["extension"] == "1001" and jsmith["webitel_user_id"] and jsmith["default_device"]
    assert sorted(lic["id"] for lic in jsmith["licenses"]) == ["cc-serial-1", "cm-serial-1"]
    assert [r["name"] for r in jsmith["roles"]] == ["Agents"]
    assert jsmith["is_agent"] and jsmith["team"]["name"] == "Support" and jsmith["agent_status"] == "offline"
    assert jsmith["skills"] == [{"skill": {"id": "1", "name": "English"}, "capacity": 50, "active": True}]
    assert jsmith["contact"]["name"] == "jsmith" and jsmith["user"] is None
    assert "no_creatio_user" in jsmith["warnings"] and jsmith["sync"]["state"] == "in_sync"
    drift = api.get("/api/v1/drift").json
    assert drift["items"] == []  # in sync by construction
    account = api.get("/api/v1/creatio/accounts?q=demo").json["items"]
    assert [a["name"] for a in account] == ["demo"]  # the Webitel domain's name


def test_an_existing_contact_and_its_system_user_are_linked(api, emulator, session):
    user = creatio_user(session, "JSmith", "JSMITH")  # the login and the contact name differ only in case
    job = run_import(api)
    assert outcomes(job)["jsmith"] == "linked_existing_contact"
    jsmith = records(api)["jsmith"]
    assert jsmith["user"] == {"id": str(user.id), "name": "JSmith"}
    assert jsmith["contact"] == {"id": str(user.contact.id), "name": "JSMITH"}
    assert "no_creatio_user" not in jsmith["warnings"]
    assert job["summary"]["linked_existing_contacts"] == 1 and job["summary"]["created_contacts"] == 2


def test_names_differing_only_in_case_or_spacing_match_and_near_names_do_not(api, emulator, session):
    seed_user(emulator, "ana.garcia")
    creatio_user(session, "agarcia", "  ANA.GARCIA  ")  # spacing and case
    creatio_user(session, "mbrown2", "mbrown 2")  # almost "mbrown": not it
    job = run_import(api)
    assert outcomes(job)["ana.garcia"] == "linked_existing_contact"
    assert outcomes(job)["mbrown"] == "created"


def test_more_than_one_candidate_is_skipped_and_reported_never_guessed(api, emulator, session):
    first = creatio_user(session, "js1", "jsmith")
    second = creatio_user(session, "js2", "JSmith")
    job = run_import(api)
    item = next(i for i in job["items"] if i["webitel_username"] == "jsmith")
    assert item["outcome"] == "skipped_ambiguous" and item["record_id"] is None
    assert sorted(c["id"] for c in item["detail"]["candidates"]) == sorted([str(first.contact.id),
                                                                          str(second.contact.id)])
    assert "jsmith" not in records(api) and job["summary"]["skipped_ambiguous"] == 1


def test_a_record_holding_the_webitel_id_is_relinked_and_updated(api, emulator, session):
    user = creatio_user(session, "agarcia", "Ana Garcia")
    record = api.post(BASE, json={"user_id": str(user.id), "extension": "1010"}).json
    emulator.client.patch(f"/users/{record['webitel_user_id']}", json={"extension": "4040",
                                                                      "license": [{"id": "cm-serial-1"}]})
    job = run_import(api)
    item = next(i for i in job["items"] if i["webitel_username"] == "agarcia")
    assert item["outcome"] == "updated" and item["record_id"] == record["id"]
    assert set(item["detail"]["fields"]) == {"extension", "licenses"}
    shown = api.get(f"{BASE}/{record['id']}").json
    assert shown["extension"] == "4040" and [lic["id"] for lic in shown["licenses"]] == ["cm-serial-1"]
    assert shown["user"]["id"] == str(user.id)  # the link to the Creatio user is kept
    assert disagreements(session, emulator) == []
    assert api.get("/api/v1/drift").json["items"] == []


def test_a_record_with_the_username_but_another_webitel_user_fails_that_user_only(api, emulator, session):
    user = creatio_user(session, "agarcia", "Ana Garcia")
    record = api.post(BASE, json={"user_id": str(user.id)}).json
    emulator.client.delete(f"/users/{record['webitel_user_id']}?permanent=true")
    seed_user(emulator, "agarcia")  # someone made it again in Webitel: another id
    job = run_import(api)
    assert outcomes(job)["agarcia"] == "failed" and job["status"] == "succeeded"
    assert "repair or delete" in next(i for i in job["items"] if i["webitel_username"] == "agarcia")["detail"]["error"]


def test_a_second_run_with_nothing_changed_changes_nothing(api, emulator, session):
    run_import(api)
    before = records(api)
    again = run_import(api)
    assert set(outcomes(again).values()) == {"unchanged"}
    assert again["summary"]["unchanged"] == 3 and again["summary"]["created_contacts"] == 0
    assert records(api) == before


def test_a_run_after_changes_updates_exactly_what_changed(api, emulator):
    run_import(api)
    jsmith = records(api)["jsmith"]
    agent = emulator.client.get("/call_center/agents", params={"user_id": jsmith["webitel_user_id"]}).json()["items"][0]
    row = emulator.client.get(f"/call_center/agents/{agent['id']}/skills").json()["items"][0]
    emulator.client.patch(f"/call_center/agents/{agent['id']}/skills/{row['id']}", json={"enabled": False})
    seed_user(emulator, "newbie", extension="3030")
    job = run_import(api)
    assert outcomes(job) == {"admin": "unchanged", "jsmith": "updated", "mbrown": "unchanged", "newbie": "created"}
    item = next(i for i in job["items"] if i["webitel_username"] == "jsmith")
    assert list(item["detail"]["fields"]) == ["skills"]
    assert records(api)["jsmith"]["skills"][0]["active"] is False


def test_a_dry_run_plans_the_same_and_writes_nothing(api, emulator):
    accounts_before = api.get("/api/v1/creatio/accounts").json["total"]
    dry = run_import(api, dry_run=True)
    assert dry["dry_run"] is True and dry["status"] == "succeeded"
    assert outcomes(dry) == {"admin": "created", "jsmith": "created", "mbrown": "created"}
    assert records(api) == {}
    assert api.get("/api/v1/creatio/contacts").json["total"] == 0
    assert api.get("/api/v1/creatio/accounts").json["total"] == accounts_before
    real = run_import(api)
    assert outcomes(real) == outcomes(dry)


@pytest.mark.parametrize("config_overrides", [{"import_page_size": 2}])
def test_a_run_that_fails_part_way_reports_it_and_the_next_one_completes_it(api, emulator, session):
    for n in range(3):
        seed_user(emulator, f"user{n}")
    # The count and the first two pages pass (the first rule that matches acts), then Webitel fails.
    emulator.add_fault(method="GET", path="/api/users", action="delay", delay_ms=1, times=3)
    emulator.add_fault(method="GET", path="/api/users", action="error", status=503, times=100)
    failed = run_import(api)
    emulator.clear_faults()
    assert failed["status"] == "failed" and failed["error"]
    assert failed["progress"] == {"done": 4, "total": 6} and len(failed["items"]) == 4
    done_first = {r["webitel_username"] for r in records(api).values()}
    assert done_first == {i["webitel_username"] for i in failed["items"]}  # no half-written user
    completed = run_import(api)
    assert completed["status"] == "succeeded"
    assert {o for name, o in outcomes(completed).items() if name in done_first} == {"unchanged"}
    assert len(records(api)) == 6 and api.get("/api/v1/drift").json["items"] == []


def test_one_import_at_a_time_and_a_dead_ones_job_is_marked_failed(api, session):
    running = ImportJob(id=uuid.uuid4(), status="running", owner="elsewhere:1", summary={}, done=0)
    session.add(running)
    session.commit()
    refused = api.post(IMPORTS, json={})
    assert refused.status_code == 409 and error_of(refused)["code"] == "import_running"
    assert error_of(refused)["existing"] == {"id": str(running.id)}
    running.heartbeat_at = utcnow() - timedelta(minutes=10)  # its process died
    session.commit()
    shown = api.get(f"{IMPORTS}/{running.id}").json
    assert shown["status"] == "failed" and "run the import again" in shown["error"]
    assert api.post(IMPORTS, json={}).status_code in (200, 202)
    assert [job["id"] for job in api.get(IMPORTS).json["items"]][1] == str(running.id)  # newest first


def test_a_record_being_changed_is_left_alone(api, emulator, session):
    user = creatio_user(session, "agarcia", "Ana Garcia")
    record = api.post(BASE, json={"user_id": str(user.id)}).json
    emulator.client.patch(f"/users/{record['webitel_user_id']}", json={"extension": "4040"})
    from connector.models import WebitelUser

    session.get(WebitelUser, uuid.UUID(record["id"])).sync_state = "pending"  # a change of its own is unconfirmed
    session.commit()
    job = run_import(api)
    item = next(i for i in job["items"] if i["webitel_username"] == "agarcia")
    assert item["outcome"] == "skipped_busy" and "pending" in item["detail"]["reason"]
    assert api.get(f"{BASE}/{record['id']}").json["extension"] is None


@pytest.mark.parametrize("body", [{"dry_run": "yes"}, {"dry_run": 1}, {"x": 1}, []])
def test_import_refusals(api, body):
    assert api.post(IMPORTS, json=body).status_code == 422


def test_unknown_jobs_and_bad_queries(api):
    assert api.get(f"{IMPORTS}/{uuid.uuid4()}").status_code == 404
    assert api.get(f"{IMPORTS}?page=0").status_code == 422
