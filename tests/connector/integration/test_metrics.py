"""``GET /metrics``: Prometheus's text format without a token, with every declared series;
requests counted by route template and status, Webitel calls by operation and outcome."""

from __future__ import annotations

import pytest
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import ApiClient

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
