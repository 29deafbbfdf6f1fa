"""Liveness (``/health/live``: the process serves, nothing else is checked) and readiness
(``/health/ready``: the database and Webitel), both without a token; ``/health`` stays readiness."""

from __future__ import annotations

import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from tests.conftest import ApiClient


@pytest.fixture
def database_down(app):
    engine = app.extensions["connector"].engine

    def broken(conn, cursor, statement, *args):
        raise OperationalError(statement, None, Exception("database is down"))

    event.listen(engine, "before_cursor_execute", broken)
    yield
    event.remove(engine, "before_cursor_execute", broken)


def test_live_and_ready_answer_without_a_token(app):
    client = ApiClient(app, token=None)
    live = client.get("/api/v1/health/live")
    assert live.status_code == 200 and live.json == {"status": "ok"}
    ready = client.get("/api/v1/health/ready")
    assert ready.status_code == 200 and ready.json["status"] == "ok"
    assert ready.json["database"]["ok"] is True and ready.json["webitel"]["ok"] is True


def test_liveness_checks_no_dependency(app, emulator, database_down):
    emulator.add_fault(path="/api/*", action="error", status=503)
    client = ApiClient(app, token=None)
    assert client.get("/api/v1/health/live").status_code == 200
    ready = client.get("/api/v1/health/ready")
    assert ready.status_code == 503 and ready.json["database"]["ok"] is False and ready.json["webitel"]["ok"] is False
    before = len(emulator.requests())
    client.get("/api/v1/health/live")
    assert len(emulator.requests()) == before, "liveness must not call Webitel"


@pytest.mark.parametrize("path", ["/api/v1/health/ready", "/api/v1/health"])
def test_readiness_is_503_when_webitel_is_away(app, emulator, path):
    emulator.add_fault(path="/api/userinfo", action="error", status=503)
    response = ApiClient(app, token=None).get(path)
    assert response.status_code == 503 and response.json["status"] == "degraded"
    assert response.json["webitel"]["ok"] is False and response.json["database"]["ok"] is True


def test_the_probes_are_in_the_openapi_document(api):
    spec = api.get("/api/v1/openapi.json").json
    for path in ("/api/v1/health/live", "/api/v1/health/ready"):
        assert spec["paths"][path]["get"]["security"] == []
