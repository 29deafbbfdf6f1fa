"""GET /metrics (Prometheus text format): Webitel API requests by operation and status, and the
faults injected; and the journal's request ids."""

from __future__ import annotations

import httpx
from prometheus_client.parser import text_string_to_metric_families


def samples(handle) -> dict[tuple[str, tuple], float]:
    with httpx.Client(transport=handle.transport, base_url=handle.root_url) as client:
        response = client.get("/metrics")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(response.text) for s in family.samples}


def count(found: dict, name: str, **labels: str) -> float:
    return found.get((name, tuple(sorted(labels.items()))), 0.0)


def test_requests_are_counted_by_operation_and_status(webitel_emulator):
    api = webitel_emulator.client
    before = samples(webitel_emulator)
    api.get("/users/2")
    api.get("/users/999999")
    api.get("/permissions")  # an operation the emulator does not serve (outside the contact-center core)
    api.get("/no/such/path")
    after = samples(webitel_emulator)
    total = "webitel_emulator_requests_total"
    for labels in ({"operation": "ReadUser", "method": "GET", "status": "200"},
                   {"operation": "ReadUser", "method": "GET", "status": "404"},
                   {"operation": "GetPermissions", "method": "GET", "status": "501"},
                   {"operation": "unknown", "method": "GET", "status": "501"}):
        assert count(after, total, **labels) - count(before, total, **labels) == 1, labels


def test_injected_faults_are_counted(webitel_emulator):
    handle = webitel_emulator
    before = samples(handle)
    handle.add_fault(method="GET", path="/api/users/*", action="error", status=503, times=1)
    handle.add_fault(method="POST", path="/api/roles", action="error", status=500, when="after", times=1)
    assert handle.client.get("/users/2").status_code == 503
    assert handle.client.post("/roles", json={"name": "Faulted"}).status_code == 500
    after = samples(handle)
    faults = "webitel_emulator_faults_total"
    assert count(after, faults, operation="ReadUser", action="error", when="before") - \
        count(before, faults, operation="ReadUser", action="error", when="before") == 1
    assert count(after, faults, operation="CreateRole", action="error", when="after") - \
        count(before, faults, operation="CreateRole", action="error", when="after") == 1
    requests = "webitel_emulator_requests_total"
    assert count(after, requests, operation="ReadUser", method="GET", status="503") - \
        count(before, requests, operation="ReadUser", method="GET", status="503") == 1


def test_the_journal_records_the_request_id_and_no_header_else(webitel_emulator):
    handle = webitel_emulator
    handle.client.get("/users/2", headers={"X-Request-ID": "req-42"})
    handle.client.get("/users/2")
    with_id, without = handle.requests(2)
    assert with_id["request_id"] == "req-42" and "request_id" not in without
    assert handle.token not in str(handle.requests())
