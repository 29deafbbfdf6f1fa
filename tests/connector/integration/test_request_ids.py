"""The request id: taken from ``X-Request-ID`` when sane, else made; returned in the answer; sent
on to Webitel with every call made for the request."""

from __future__ import annotations

import re

import httpx
import pytest

from connector.app import create_app, dispose
from tests.conftest import ApiClient, connector_config


class Recording(httpx.BaseTransport):
    """The emulator's in-process transport, keeping the headers of every request sent through it."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.sent: list[tuple[str, str, dict[str, str]]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append((request.method, request.url.path, dict(request.headers)))
        return self.inner.handle_request(request)


@pytest.fixture
def recorded(sqlite_url, emulator):
    transport = Recording(emulator.transport)
    app = create_app(connector_config(sqlite_url, emulator), webitel_transport=transport)
    yield app, transport
    dispose(app)


def test_the_callers_id_is_returned(api):
    response = api.get("/api/v1/webitel-users", headers={"X-Request-ID": "creatio-7f3a:1"})
    assert response.headers["X-Request-ID"] == "creatio-7f3a:1"


@pytest.mark.parametrize("sent", [None, "", "a" * 129, "two words", "line\\nbreak", "ünïcode"])
def test_a_missing_or_unfit_id_is_replaced_by_a_new_one(api, sent):
    headers = {"X-Request-ID": sent} if sent is not None else {}
    answered = api.get("/api/v1/webitel-users", headers=headers).headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", answered)


def test_every_answer_carries_it_refusals_too(app):
    client = ApiClient(app, token=None)
    for path in ("/api/v1/webitel-users", "/api/v1/nowhere", "/api/v1/health/live"):
        assert client.get(path, headers={"X-Request-ID": "r-1"}).headers["X-Request-ID"] == "r-1"


def test_it_is_sent_on_to_webitel_with_every_call_of_the_request(recorded):
    app, transport = recorded
    api = ApiClient(app)
    user = api.post("/api/v1/creatio/users", json={"name": "agarcia", "contact_name": "Ana Garcia",
                                                         "type": "employee"}).json
    created = api.post("/api/v1/webitel-users", json={"user_id": user["id"], "extension": "1010"},
                       headers={"X-Request-ID": "create-1"})
    assert created.status_code == 201
    calls = [(method, path, headers.get("x-request-id")) for method, path, headers in transport.sent]
    assert calls and all(request_id == "create-1" for _m, _p, request_id in calls), calls
    assert ("POST", "/api/users", "create-1") in calls
    transport.sent.clear()
    api.get("/api/v1/lookups/roles")  # an id made by the connector goes on too
    made = {headers.get("x-request-id") for _m, _p, headers in transport.sent}
    assert len(made) == 1 and re.fullmatch(r"[0-9a-f]{32}", made.pop())


def test_calls_outside_a_request_carry_no_id(recorded):
    app, transport = recorded
    app.extensions["connector"].webitel.userinfo()
    assert "x-request-id" not in transport.sent[-1][2]


def test_a_creatio_page_may_send_it_and_read_it_across_origins(sqlite_url, emulator):
    origin = "https://acme.creatio.com"
    app = create_app(connector_config(sqlite_url, emulator, cors_origins=(origin,)),
                     webitel_transport=emulator.transport)
    try:
        preflight = app.test_client().options("/api/v1/webitel-users", headers={
            "Origin": origin, "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization, x-request-id"})
        assert "x-request-id" in preflight.headers["Access-Control-Allow-Headers"].lower()
        answer = ApiClient(app).get("/api/v1/webitel-users", headers={"Origin": origin, "X-Request-ID": "page-1"})
        assert answer.headers["X-Request-ID"] == "page-1"
        assert "x-request-id" in answer.headers["Access-Control-Expose-Headers"].lower()
    finally:
        dispose(app)
