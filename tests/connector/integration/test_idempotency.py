"""Idempotency-Key on POST: a repeat gets the first answer and the work is done once, across processes
too; a running one is 409, a reused key 422; keys expire; an unfinished (5xx) answer is not kept."""

from __future__ import annotations

from datetime import timedelta

import pytest

from connector.app import create_app, dispose
from connector.models import IdempotencyKey, utcnow
from tests.conftest import ApiClient
from tests.support.connector import creatio_user, error_of, webitel_state

BASE = "/api/v1/webitel-users"


def key(value: str) -> dict:
    return {"headers": {"Idempotency-Key": value}}


def agarcias(emulator) -> int:
    return sum(1 for u in webitel_state(emulator)["users"] if u["username"] == "agarcia")


def test_a_repeat_gets_the_first_answer_and_the_work_is_done_once(api, session, emulator):
    body = {"user_id": str(creatio_user(session, "agarcia", "Ana Garcia").id), "extension": "1010"}
    first = api.post(BASE, json=body, **key("create-agarcia-1"))
    again = api.post(BASE, json=body, **key("create-agarcia-1"))
    assert first.status_code == again.status_code == 201
    assert again.json == first.json and again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert agarcias(emulator) == 1 and api.get(BASE).json["total"] == 1
    without = api.post(BASE, json=body)  # no key: the request runs, and the rule answers
    assert without.status_code == 409 and error_of(without)["code"] == "already_exists"


def test_an_error_answer_is_replayed_too(api, session):
    body = {"user_id": str(creatio_user(session, "oldtimer", active=False).id)}
    first = api.post(BASE, json=body, **key("k"))
    assert first.status_code == 400
    assert api.post(BASE, json=body, **key("k")).json == first.json


def test_the_same_key_for_another_request_is_refused(api, session):
    user = creatio_user(session, "agarcia", "Ana Garcia")
    api.post(BASE, json={"user_id": str(user.id), "extension": "1010"}, **key("k"))
    other = api.post(BASE, json={"user_id": str(user.id), "extension": "2020"}, **key("k"))
    assert other.status_code == 422 and error_of(other)["code"] == "idempotency_key_reused"
    elsewhere = api.post("/api/v1/creatio/users", json={"name": "x", "contact_name": "X", "type": "employee"},
                         **key("k"))
    assert error_of(elsewhere)["code"] == "idempotency_key_reused"


def test_a_repeat_while_the_first_runs_is_told_so(api, session):
    body = {"user_id": str(creatio_user(session, "agarcia", "Ana Garcia").id)}
    import hashlib
    import json

    raw = json.dumps(body).encode()
    session.add(IdempotencyKey(actor="default", key="k", method="POST", path=BASE,
                               body_hash=hashlib.sha256(raw).hexdigest(), state="running", created_at=utcnow(),
                               expires_at=utcnow() + timedelta(hours=1)))
    session.commit()
    running = api.post(BASE, data=raw, content_type="application/json", **key("k"))
    assert running.status_code == 409 and error_of(running)["code"] == "request_in_progress"


def test_another_connector_process_replays_the_answer(app, api, session, emulator):
    body = {"user_id": str(creatio_user(session, "agarcia", "Ana Garcia").id)}
    first = api.post(BASE, json=body, **key("k"))
    connector = app.extensions["connector"]
    other = create_app(connector.config, webitel_transport=emulator.transport)
    try:
        again = ApiClient(other).post(BASE, json=body, **key("k"))
    finally:
        dispose(other)
    assert again.status_code == 201 and again.json == first.json and agarcias(emulator) == 1


@pytest.mark.parametrize("config_overrides", [{"idempotency_ttl_s": 0.0}])
def test_an_expired_key_runs_the_request_again(api, session):
    user = creatio_user(session, "oldtimer", active=False)
    api.post(BASE, json={"user_id": str(user.id)}, **key("k"))
    user.active = True
    session.commit()
    assert api.post(BASE, json={"user_id": str(user.id)}, **key("k")).status_code == 201


def test_an_unfinished_answer_is_not_kept(api, session, emulator):
    body = {"user_id": str(creatio_user(session, "agarcia", "Ana Garcia").id)}
    emulator.add_fault(method="POST", path="/api/users", action="error", status=400, times=1)
    refused = api.post(BASE, json=body, **key("k"))
    assert refused.status_code == 502  # Webitel's refusal, 5xx: a repeat runs again
    assert api.post(BASE, json=body, **key("k")).status_code == 201


@pytest.mark.parametrize("value", ["", "has space", "x" * 201, "é"])
def test_a_malformed_key_is_refused(api, session, value):
    response = api.post(BASE, json={"user_id": str(creatio_user(session, "agarcia").id)}, **key(value))
    assert response.status_code == 422 and "Idempotency-Key" in error_of(response)["fields"]


def test_the_openapi_document_offers_the_header_on_every_post(api):
    spec = api.get("/api/v1/openapi.json").json
    for path, operations in spec["paths"].items():
        if "post" in operations:
            assert any(p.get("name") == "Idempotency-Key" for p in operations["post"]["parameters"]), path
