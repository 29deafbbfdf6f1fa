"""STUN tokens whose creation's answer was lost: the request lands in Webitel after the connector
stopped waiting, so nobody knows the token's id. The connector notes the user in its database, and
the first reconcile pass after the late-write horizon deletes the token, also where no later STUN
call for that user comes (the import and the drift report read STUN outside any record's change).
The emulator is served on a real port, so that a late request does land late."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from connector.app import create_app, dispose
from connector.models import StunTokenSweep
from connector.services.webitel_users.stun import TOKEN_USAGE
from tests.conftest import ApiClient, connector_config
from tests.support.connector import reconcile, webitel_state
from tests.support.databases import sqlite_copy

READ_TIMEOUT_S, LATE_MS, HORIZON_S = 0.3, 600, 1.0


@pytest.fixture
def world(_sqlite_template, tmp_path, webitel_emulator_server):
    webitel_emulator_server.fresh()
    app = create_app(connector_config(sqlite_copy(_sqlite_template, tmp_path), webitel_emulator_server,
                                      webitel_read_timeout_s=READ_TIMEOUT_S, webitel_retries=1,
                                      late_write_horizon_s=HORIZON_S))
    yield app, ApiClient(app), webitel_emulator_server
    webitel_emulator_server.clear_faults()
    dispose(app)


def _connector_tokens(emulator) -> list[dict]:
    return [token for token in webitel_state(emulator).get("tokens", [])
            if str(token.get("usage", "")).startswith(TOKEN_USAGE)]


def _noted(app) -> list[str]:
    with app.extensions["connector"].sessions() as session:
        return list(session.scalars(select(StunTokenSweep.webitel_user_id)))


def _late_token_creation(emulator) -> None:
    emulator.add_fault(method="POST", path="/api/users/*/tokens", action="delay", delay_ms=LATE_MS, times=1)


def test_a_token_landing_after_an_import_gave_up_on_it_is_swept_once_the_horizon_passed(world):
    app, api, emulator = world
    _late_token_creation(emulator)
    started = api.post("/api/v1/imports", json={})
    assert started.status_code in (200, 202), started.json
    deadline = time.monotonic() + 30
    while (job := api.get(f"/api/v1/imports/{started.json['id']}").json)["status"] == "running":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert job["status"] == "succeeded"
    emulator.wait_settled()  # the late creation has landed
    left = _connector_tokens(emulator)
    assert len(left) == 1, "the fault should leave exactly one token the import never saw"
    assert _noted(app) == [left[0]["user"]["id"]]

    reconcile(app, later_s=-60, due_only=True)  # before the horizon: a later request could still land
    assert len(_connector_tokens(emulator)) == 1 and len(_noted(app)) == 1

    reconcile(app, later_s=HORIZON_S + 1, due_only=True)
    assert _connector_tokens(emulator) == []
    assert _noted(app) == []


def test_a_token_landing_after_the_drift_report_gave_up_on_it_is_swept_too(world):
    app, api, emulator = world
    user = api.post("/api/v1/creatio/users", json={"name": "agarcia", "contact_name": "Ana Garcia",
                                                   "type": "employee"})
    assert user.status_code == 201, user.json
    created = api.post("/api/v1/webitel-users", json={"user_id": user.json["id"], "extension": "1010"})
    assert created.status_code == 201, created.json
    _late_token_creation(emulator)
    report = api.get("/api/v1/drift")
    assert report.status_code in (200, 502, 503, 504), report.json
    emulator.clear_faults()
    emulator.wait_settled()  # the late creation has landed
    assert [token["user"]["id"] for token in _connector_tokens(emulator)] == [created.json["webitel_user_id"]]
    assert _noted(app) == [created.json["webitel_user_id"]]

    reconcile(app, later_s=HORIZON_S + 1, due_only=True)
    assert _connector_tokens(emulator) == [] and _noted(app) == []


def test_a_sweep_that_fails_keeps_the_user_noted_for_the_next_pass(world):
    app, api, emulator = world
    _late_token_creation(emulator)
    started = api.post("/api/v1/imports", json={})
    deadline = time.monotonic() + 30
    while api.get(f"/api/v1/imports/{started.json['id']}").json["status"] == "running":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    emulator.wait_settled()  # the late creation has landed
    [uid] = _noted(app)

    emulator.add_fault(method="GET", path="/api/users/*/tokens", action="error", status=503)
    reconcile(app, later_s=HORIZON_S + 1, due_only=True)
    emulator.clear_faults()
    assert _noted(app) == [uid] and len(_connector_tokens(emulator)) == 1

    reconcile(app, later_s=10 * HORIZON_S, due_only=True)
    assert _noted(app) == [] and _connector_tokens(emulator) == []
