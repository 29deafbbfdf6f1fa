"""``GET /metrics``: Prometheus's text format without a token, with every declared series;
requests counted by route template and status, Webitel calls by operation and outcome."""

from __future__ import annotations

import uuid

import pytest
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import ApiClient
from tests.support.connector import creatio_user

# The series issue 13 lists, by the names dashboards will use.
LISTED = [
    "connector_http_requests", "connector_http_request_duration_seconds", "connector_webitel_calls",
    "connector_webitel_call_duration_seconds", "connector_creatio_calls", "connector_creatio_call_duration_seconds",
    "connector_webitel_user_records", "connector_drift_found", "connector_drift_repaired",
    "connector_reconciler_runs", "connector_reconciler_run_duration_seconds", "connector_import_jobs",
    "connector_users_imported",
]


def value(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.fixture
def scrape(app):
    def read() -> dict:
        response = ApiClient(app, token=None).get("/metrics")
        assert response.status_code == 200 and response.content_type.startswith("text/plain; version=")
        return {family.name: family for family in text_string_to_metric_families(response.get_data(as_text=True))}
    return read


def test_every_listed_series_is_served_without_a_token(scrape):
    families = scrape()
    missing = [name for name in LISTED if name not in families]
    assert not missing, f"not in /metrics: {missing}"
    assert all(families[name].documentation for name in LISTED)


def test_requests_are_counted_by_route_template_and_status(api, scrape):
    route = "/api/v1/webitel-users/<uuid:record_id>"
    before = value("connector_http_requests_total", method="GET", route=route, status="404")
    for _ in range(3):
        api.get("/api/v1/webitel-users/0b6f3c1e-9a51-4e6a-8a43-6f4d0e2a9b11")
    api.get("/api/v1/nowhere")
    assert value("connector_http_requests_total", method="GET", route=route, status="404") == before + 3
    assert value("connector_http_requests_total", method="GET", route="unmatched", status="404") >= 1
    assert value("connector_http_request_duration_seconds_count", method="GET", route=route) >= 3
    assert "connector_http_requests" in scrape()


def test_webitel_calls_are_counted_by_operation_and_outcome(api, emulator):
    ok = value("connector_webitel_calls_total", operation="GET /roles", outcome="ok")
    failed = value("connector_webitel_calls_total", operation="GET /roles", outcome="server_error")
    assert api.get("/api/v1/lookups/roles").status_code == 200
    emulator.add_fault(method="GET", path="/api/roles", action="error", status=500, times=1)
    assert api.get("/api/v1/lookups/roles").status_code == 502
    assert value("connector_webitel_calls_total", operation="GET /roles", outcome="ok") == ok + 1
    assert value("connector_webitel_calls_total", operation="GET /roles", outcome="server_error") == failed + 1
    assert value("connector_webitel_call_duration_seconds_count", operation="GET /roles") >= 2


def series(name: str) -> set[tuple]:
    """The label sets of a counter's ``_total`` samples in this process's registry."""
    return {tuple(sorted(s.labels.items())) for family in REGISTRY.collect() if family.name == name
            for s in family.samples if s.name == f"{name}_total"}


def test_the_series_stay_as_many_as_the_routes_after_many_distinct_ids(api, session):
    """Each STUN change mints and revokes a Webitel token with a new id; hostile clients invent
    paths and methods. None of it may add a series per id: labels are route templates."""
    user = creatio_user(session, "agarcia", "Ana Garcia")
    record = api.post("/api/v1/webitel-users", json={"user_id": str(user.id), "extension": "1010"}).json
    api.patch(f"/api/v1/webitel-users/{record['id']}", json={"stun_enabled": True})  # every route once
    api.get("/api/v1/nowhere/warm-up")
    calls, requests = series("connector_webitel_calls"), series("connector_http_requests")
    for n in range(12):
        assert api.patch(f"/api/v1/webitel-users/{record['id']}", json={"stun_enabled": n % 2 == 0}).status_code == 200
        api.get(f"/api/v1/nowhere/{uuid.uuid4().hex}")
        api.get(f"/api/v1/webitel-users/{uuid.uuid4()}")
        api.request(f"BREW{n}", f"/api/v1/webitel-users/{n}")
    tokens = [c for c in series("connector_webitel_calls") if "tokens" in dict(c)["operation"]]
    assert {dict(c)["operation"] for c in tokens} >= {"POST /users/{id}/tokens", "DELETE /users/{id}/tokens/{id}"}
    assert all("{id}/tokens/{id}" in dict(c)["operation"] or dict(c)["operation"].endswith("/tokens")
               for c in tokens)
    assert series("connector_webitel_calls") == calls
    new_requests = series("connector_http_requests") - requests
    assert len(new_requests) <= 4, new_requests  # at most a new status or "other" method per route
    assert all(dict(r)["method"] in ("GET", "PATCH", "other") for r in new_requests)
