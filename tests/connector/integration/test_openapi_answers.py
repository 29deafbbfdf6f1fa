"""The served OpenAPI document is the truth about the answers: every GET operation's 200 answer,
with records of every kind behind it, validates against the schema the document publishes for it
($refs resolved, OpenAPI 3.0's nullable and formats checked)."""

from __future__ import annotations

import time

from openapi_schema_validator import OAS30Validator, oas30_format_checker

from tests.support.connector import creatio_user
from tests.support.openapi import concrete, operations

USERS = "/api/v1/webitel-users"


def populate(api, session, emulator) -> dict[str, str]:
    """A Webitel user with a license, a role, an agent in a team and a skill; a plain one; a Creatio
    user without one; a finished import (its items, its records without a Creatio user); a finished
    drift check (a Webitel user made after the import has no record)."""
    ana = creatio_user(session, "agarcia", "Ana Garcia", account="Acme")
    creatio_user(session, "lnguyen", "Linh Nguyen", account=None)
    creatio_user(session, "pclient", "Pat Client", type="portal")
    record = api.post(USERS, json={"user_id": str(ana.id), "extension": "1010"}).json
    rid = record["id"]
    for path, body in ((f"{USERS}/{rid}/licenses", {"license_id": "cc-serial-1"}),
                       (f"{USERS}/{rid}/roles", {"role_id": "1"}),
                       (f"{USERS}/{rid}/skills", {"skill_id": "1", "capacity": 50})):
        assert api.post(path, json=body).status_code == 201, (path, api.post(path, json=body).json)
    assert api.patch(f"{USERS}/{rid}", json={"is_agent": True, "team_id": "1", "stun_enabled": True}).status_code == 200
    other = creatio_user(session, "mgreen", "Mia Green")
    assert api.post(USERS, json={"user_id": str(other.id)}).status_code == 201
    job = api.post("/api/v1/imports", json={}).json  # Webitel's own users become records, some without a user
    deadline = time.monotonic() + 30
    while api.get(f"/api/v1/imports/{job['id']}").json["status"] == "running":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert emulator.client.post("/users", json={"username": "latecomer", "name": "Latecomer"}).status_code == 200
    check = api.post("/api/v1/drift/checks", json={}).json
    while api.get(f"/api/v1/drift/checks/{check['id']}").json["status"] == "running":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    return {"record_id": rid, "user_id": str(ana.id), "job_id": job["id"], "check_id": check["id"]}


def test_every_get_answer_matches_the_published_schema(api, session, emulator):
    spec = api.get("/api/v1/openapi.json").json
    ids = populate(api, session, emulator)
    checked = []
    for method, path, operation in operations(spec):
        if method != "GET":
            continue
        response = api.get(concrete(path, ids))
        assert response.status_code == 200, (path, response.json)
        schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
        validator = OAS30Validator({**schema, "components": spec["components"]}, format_checker=oas30_format_checker)
        errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(response.json)]
        assert errors == [], (path, errors)
        assert response.json, path
        checked.append(path)
    assert len(checked) == 20, checked
    # Not vacuous: the lists hold items of every kind.
    records = api.get(USERS).json["items"]
    assert any(record["skills"] for record in records) and api.get("/api/v1/lookups/teams").json["items"]
    assert api.get(f"/api/v1/imports/{ids['job_id']}").json["items"]
    assert api.get(f"/api/v1/drift/checks/{ids['check_id']}").json["items"]
    assert any(record["user"] is None for record in records)


def test_no_schema_of_the_document_is_its_own_item(api):
    """A list wrapper named like its item made LicenseLookup and TeamLookup refer to themselves."""
    schemas = api.get("/api/v1/openapi.json").json["components"]["schemas"]
    for name, schema in schemas.items():
        for prop in schema.get("properties", {}).values():
            refs = {prop.get("$ref"), prop.get("items", {}).get("$ref")}
            assert f"#/components/schemas/{name}" not in refs, name
    listed = schemas["LicenseLookupList"]["properties"]["items"]["items"]
    assert listed == {"$ref": "#/components/schemas/LicenseLookup"}
