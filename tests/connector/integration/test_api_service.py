"""Service endpoints, auth, CORS, the error shape, the OpenAPI document and the docs page."""

import re

import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from connector.app import create_app, dispose
from tests.conftest import API_TOKEN, ApiClient, connector_config
from tests.support.connector import error_of
from tests.support.openapi import body_schema


def test_health_needs_no_token_and_reports_both_sides(app):
    response = ApiClient(app, token=None).get("/api/v1/health")
    assert response.status_code == 200
    assert response.json["status"] == "ok"
    assert response.json["database"]["ok"] is True and response.json["webitel"]["ok"] is True


def test_health_reports_webitel_down(app, emulator):
    emulator.add_fault(path="/api/userinfo", action="error", status=503)
    response = ApiClient(app, token=None).get("/api/v1/health")
    assert response.status_code == 503
    assert response.json["status"] == "degraded" and response.json["webitel"]["ok"] is False
    assert response.json["database"]["ok"] is True


def test_health_reports_the_database_down(app):
    engine = app.extensions["connector"].engine

    def broken(conn, cursor, statement, *args):
        raise OperationalError(statement, None, Exception("database is down"))

    event.listen(engine, "before_cursor_execute", broken)
    try:
        response = ApiClient(app, token=None).get("/api/v1/health")
    finally:
        event.remove(engine, "before_cursor_execute", broken)
    assert response.status_code == 503 and response.json["database"] == {
        "ok": False, "error": "OperationalError", "latency_ms": response.json["database"]["latency_ms"]}


@pytest.mark.parametrize("path", ["/api/v1/webitel-users", "/api/v1/creatio/users", "/api/v1/lookups/roles",
                                  "/api/v1/openapi.json", "/api/v1/nowhere"])
@pytest.mark.parametrize("header", [None, "Bearer wrong", f"Basic {API_TOKEN}", "Bearer"])
def test_everything_but_health_needs_the_token(app, path, header):
    client = ApiClient(app, token=None)
    response = client.get(path, headers={"Authorization": header} if header else {})
    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_an_unknown_path_with_the_token_is_not_found(api):
    response = api.get("/api/v1/nowhere")
    assert response.status_code == 404 and error_of(response)["code"] == "not_found"


def test_a_wrong_method_is_refused_in_the_error_shape(api):
    response = api.request("PUT", "/api/v1/webitel-users")
    assert response.status_code == 405 and error_of(response)["code"] == "method_not_allowed"


def test_an_unexpected_failure_is_a_500_without_a_traceback(app, monkeypatch, caplog):
    def boom(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(app.extensions["connector"].creatio, "list_accounts", boom)
    response = ApiClient(app).get("/api/v1/creatio/accounts")
    assert response.status_code == 500
    error = error_of(response)
    assert error["code"] == "internal_error" and "secret internals" not in response.text
    assert "Traceback" not in response.text
    assert "secret internals" in caplog.text  # the log has it, for the operator


def test_cors_allows_the_configured_creatio_origin_only(database_url, emulator):
    origin = "https://acme.creatio.com"
    app = create_app(connector_config(database_url, emulator, cors_origins=(origin,)),
                     webitel_transport=emulator.transport)
    try:
        client = app.test_client()

        def preflight(from_origin: str):
            return client.options("/api/v1/webitel-users", headers={
                "Origin": from_origin, "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization, content-type, idempotency-key"})

        allowed = preflight(origin)
        assert allowed.status_code == 200
        assert allowed.headers["Access-Control-Allow-Origin"] == origin
        assert {"authorization", "content-type", "idempotency-key"} <= {
            h.strip().lower() for h in allowed.headers["Access-Control-Allow-Headers"].split(",")}
        answer = ApiClient(app).get("/api/v1/webitel-users", headers={"Origin": origin})
        assert answer.headers["Access-Control-Allow-Origin"] == origin
        exposed = {h.strip().lower() for h in answer.headers["Access-Control-Expose-Headers"].split(",")}
        assert exposed == {"x-request-id", "idempotent-replayed"}  # what a Creatio page may read
        for other in ("https://evil.example", "https://acme.creatio.com.evil.example", "http://acme.creatio.com",
                      "null"):
            refused = preflight(other)
            assert "Access-Control-Allow-Origin" not in refused.headers, other
            assert "Access-Control-Allow-Headers" not in refused.headers, other
            answer = ApiClient(app).get("/api/v1/webitel-users", headers={"Origin": other})
            assert "Access-Control-Allow-Origin" not in answer.headers, other
    finally:
        dispose(app)


def test_without_configured_origins_there_is_no_cors(api):
    response = api.get("/api/v1/webitel-users", headers={"Origin": "https://acme.creatio.com"})
    assert "Access-Control-Allow-Origin" not in response.headers


def test_openapi_describes_every_route_from_the_validating_schemas(api, app):
    spec = api.get("/api/v1/openapi.json").json
    assert spec["openapi"].startswith("3.")
    documented = {(method.upper(), path) for path, ops in spec["paths"].items() for method in ops}
    routed = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint in ("static", "service.openapi", "service.docs", "metrics"):  # /metrics: not the API
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        routed |= {(m, path) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert documented == routed
    create = spec["paths"]["/api/v1/webitel-users"]["post"]
    schema = body_schema(spec, create)
    assert schema["required"] == ["user_id"] and schema["additionalProperties"] is False
    assert set(create["responses"]) >= {"201", "400", "401", "409", "422", "502", "503", "504"}
    assert spec["paths"]["/api/v1/health"]["get"]["security"] == []
    params = {p["name"] for p in spec["paths"]["/api/v1/webitel-users"]["get"]["parameters"]}
    assert params == {"page", "size", "q"}


def test_the_docs_page_is_self_contained(app):
    response = ApiClient(app, token=None).get("/api/v1/docs")
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.text
    assert "openapi.json" in page
    assert "http://" not in page and "https://" not in page  # nothing from a CDN: it works offline
