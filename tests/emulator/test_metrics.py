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


def series(found: dict, name: str) -> set[tuple]:
    return {labels for (sample, labels) in found if sample == name}


def test_the_series_stay_as_many_as_the_operations_after_many_distinct_ids(webitel_emulator):
    """Ids, unknown paths and invented methods, on the API and the control plane, add no series:
    labels are Webitel's operations and Flask's route templates."""
    handle = webitel_emulator
    api = handle.client
    user = api.get("/users", params={"username": "jsmith"}).json()["items"][0]["id"]
    warm = [api.get("/users/999999"), api.get("/no/such/0"), api.request("BREW", "/users/0"),
            api.delete(f"/users/{user}/tokens/0"), handle.control("GET", "/calls/0"), handle.control("GET", "/x/0"),
            handle.control("BREW", "/calls/0")]
    assert all(r.status_code >= 400 for r in warm)
    before = samples(handle)
    for n in range(1, 40):
        token = api.post(f"/users/{user}/tokens", json={"usage": f"stun {n}"}).json()
        assert api.delete(f"/users/{user}/tokens/{token['id']}").status_code == 200
        api.get(f"/users/{10**6 + n}")
        api.get(f"/no/such/{n}")
        api.request(f"BREW{n}", f"/users/{n}")
        api.delete(f"/users/{user}/tokens/{n:016x}")
        handle.control("GET", f"/calls/{n}")
        handle.control("GET", f"/x/{n}")
        handle.control(f"BREW{n}", f"/calls/{n}")
    after = samples(handle)
    for name in ("webitel_emulator_requests_total", "webitel_emulator_control_requests_total"):
        grown = series(after, name) - series(before, name)
        assert grown <= {(("method", "DELETE"), ("operation", "DeleteUserAccessToken"), ("status", "200")),
                         (("method", "POST"), ("operation", "AddUserAccessToken"), ("status", "200"))}, grown
    control = "webitel_emulator_control_requests_total"
    assert count(after, control, route="/__emulator__/calls/<call_id>", method="GET", status="404") >= 40
    assert count(after, control, route="unmatched", method="GET", status="404") >= 40
    assert count(after, control, route="unmatched", method="other", status="405") >= 40  # no rule for the method
