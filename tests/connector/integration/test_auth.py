"""Authentication: every route needs one of the named API tokens but the documented public ones;
several tokens at once, rotated through a file without a restart; the caller's token name is who
acts; the secrets stay out of every log line (CORS: test_api_service.py)."""

from __future__ import annotations

import hmac
import logging
import os
import re
from urllib.parse import unquote

import pytest
from sqlalchemy.exc import OperationalError

from connector import tokens as tokens_module
from connector.api.context import services
from connector.app import create_app, dispose
from connector.tokens import ApiToken, TokenSet
from tests.conftest import API_TOKEN, ApiClient, connector_config
from tests.support.connector import error_of
from tests.support.openapi import concrete, operations

PUBLIC = {"service.health", "service.live", "service.ready", "service.docs", "metrics"}
CREATIO_TOKEN = "creatio-token-0123456789abcdef"
OPS_TOKEN = "ops-token-0123456789abcdef"
NAMED = (ApiToken("creatio", CREATIO_TOKEN), ApiToken("ops", OPS_TOKEN))


def _path(rule) -> str:
    values = {"record_id": "00000000-0000-4000-a000-000000000001", "user_id": "00000000-0000-4000-a000-000000000002",
              "job_id": "00000000-0000-4000-a000-000000000003",
              "check_id": "00000000-0000-4000-a000-000000000004", "role_id": "1", "skill_id": "1",
              "license_id": "cc-serial-1", "filename": "x"}
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values[m.group(1)], rule.rule)


@pytest.mark.parametrize("header", [None, "Bearer wrong", f"Basic {API_TOKEN}", f"bearer{API_TOKEN}", "Bearer",
                                    f"Token {API_TOKEN}", f"Bearer {API_TOKEN}x"])
def test_every_route_needs_a_token_but_the_documented_public_ones(app, header):
    """Walks the url_map: each route and method without a valid token is 401 (with
    WWW-Authenticate), unless it is one of the public ones, and those are exactly PUBLIC."""
    client = ApiClient(app, token=None)
    public, checked = set(), 0
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.request(method, _path(rule), headers={"Authorization": header} if header else {},
                                      json={})
            checked += 1
            if response.status_code != 401:
                public.add(rule.endpoint)
                continue
            assert error_of(response)["code"] == "unauthorized"
            assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert public == PUBLIC and checked > 30


def test_every_openapi_operation_documents_its_auth_and_keeps_it(api, app):
    spec = api.get("/api/v1/openapi.json").json
    assert spec["security"] == [{"bearer": []}]
    assert spec["components"]["securitySchemes"]["bearer"] == {"type": "http", "scheme": "bearer"}
    anonymous = ApiClient(app, token=None)
    ids = {"record_id": "00000000-0000-4000-a000-000000000001", "user_id": "00000000-0000-4000-a000-000000000002",
           "job_id": "00000000-0000-4000-a000-000000000003", "check_id": "00000000-0000-4000-a000-000000000004",
           "role_id": "1", "skill_id": "1", "license_id": "x"}
    public = []
    for method, path, operation in operations(spec):
        response = anonymous.request(method, concrete(path, ids), json={})
        if operation.get("security") == []:
            public.append(path)
            assert response.status_code != 401, path
            assert "401" not in operation["responses"]
        else:
            assert response.status_code == 401, (method, path)
            assert "401" in operation["responses"], (method, path)
            assert api.request(method, concrete(path, ids), json={}).status_code != 401, (method, path)
    assert sorted(public) == ["/api/v1/health", "/api/v1/health/live", "/api/v1/health/ready"]


@pytest.mark.parametrize("config_overrides", [{"api_tokens": NAMED}])
def test_several_named_tokens_work_at_once_and_the_name_is_who_acts(app, config_overrides):
    for token, name in ((API_TOKEN, "default"), (CREATIO_TOKEN, "creatio"), (OPS_TOKEN, "ops")):
        client = ApiClient(app, token=token)
        assert client.get("/api/v1/webitel-users").status_code == 200
        with app.test_request_context("/api/v1/webitel-users", headers={"Authorization": f"Bearer {token}"}):
            assert app.preprocess_request() is None
            assert services().actor == name
    job = ApiClient(app, token=OPS_TOKEN).post("/api/v1/imports", json={"dry_run": True}).json
    assert job["actor"] == "ops"


def test_a_token_file_is_read_again_when_it_changes_so_a_token_rotates_without_a_restart(
        database_url, emulator, tmp_path, caplog):
    tokens_file = tmp_path / "tokens"
    tokens_file.write_text("# name=token, one a line\ncreatio-2024=old-token-0123456789\nops=ops-token-0123456789\n")
    app = create_app(connector_config(database_url, emulator, api_token="", api_tokens_file=str(tokens_file)),
                     webitel_transport=emulator.transport)
    try:
        def status(token: str) -> int:
            return ApiClient(app, token=token).get("/api/v1/webitel-users").status_code

        assert status("old-token-0123456789") == 200 and status("new-token-0123456789") == 401
        # 1. the new token beside the old one: both work, at once, without a restart
        replace(tokens_file, "creatio-2024=old-token-0123456789\ncreatio-2025=new-token-0123456789\n"
                             "ops=ops-token-0123456789\n")
        assert status("old-token-0123456789") == 200 and status("new-token-0123456789") == 200
        # 2. the callers moved: the old one goes
        replace(tokens_file, "creatio-2025=new-token-0123456789\nops=ops-token-0123456789\n")
        assert status("old-token-0123456789") == 401 and status("new-token-0123456789") == 200
        # A mistaken edit (or a missing file) keeps the tokens in force, and says so without a secret.
        with caplog.at_level(logging.INFO, logger="connector.tokens"):
            replace(tokens_file, "creatio-2025 new-token-0123456789\n")
            assert status("new-token-0123456789") == 200 and status("ops-token-0123456789") == 200
            tokens_file.unlink()
            assert status("new-token-0123456789") == 200
        assert "previous tokens stay in force" in caplog.text and "new-token" not in caplog.text
        replace(tokens_file, "ops=ops-token-0123456789\n")
        assert status("new-token-0123456789") == 401 and status("ops-token-0123456789") == 200
    finally:
        dispose(app)


def replace(path, text: str) -> None:
    """As an operator should: write a new file and rename it over the old one (atomic)."""
    temporary = path.with_suffix(".new")
    temporary.write_text(text)
    os.replace(temporary, path)


def test_every_token_is_compared_in_constant_time(monkeypatch):
    """Every token in force is compared, each time, on SHA-256 digests of equal length, with
    hmac.compare_digest: neither the match's position nor the presented length changes the work."""
    calls: list[tuple[int, int]] = []
    real = hmac.compare_digest

    def spy(a, b):
        calls.append((len(a), len(b)))
        return real(a, b)

    monkeypatch.setattr(tokens_module.hmac, "compare_digest", spy)
    tokens = TokenSet([ApiToken(f"t{i}", f"secret-{i:04d}-abcdefgh") for i in range(5)])
    for presented in ("secret-0000-abcdefgh", "secret-0004-abcdefgh", "x", "y" * 5000, ""):
        calls.clear()
        tokens.check(presented)
        assert calls == [(32, 32)] * 5
    assert tokens.check("secret-0003-abcdefgh") == "t3" and tokens.check("secret-0003-abcdefg") is None


def test_a_token_percent_encoded_in_a_line_is_masked_too():
    """A client may percent-encode any character of a path or query: the token is found in the
    decoded line, which is then shown decoded with the token masked."""
    secret = "secret-0000-abcdefgh"
    tokens = TokenSet([ApiToken("pages", secret)])
    every_character = "".join(f"%{ord(c):02X}" for c in secret)
    some_characters = secret.replace("00", "%30%30", 1)
    for line in (f"GET /api/v1/{every_character} HTTP/1.1", f"GET /api/v1/x?token={some_characters.lower()}",
                 f"GET /api/v1/{secret}/{every_character}"):
        masked = tokens.redact(line)
        assert "[api token]" in masked and secret not in unquote(masked), masked
    # A line without a token keeps its own encoding; an invalid escape is no failure.
    for line in ("GET /api/v1/webitel-users?q=a%20b HTTP/1.1", "GET /%zz%ff%C3 HTTP/1.1"):
        assert tokens.redact(line) == line


@pytest.mark.parametrize("config_overrides", [{"api_tokens": NAMED}])
def test_no_token_reaches_a_log_line(app, caplog, monkeypatch, config_overrides):
    """A client that puts a token where it does not belong (Basic auth, the query, the request id,
    the path, a body a failure quotes): the access line, the error handler's lines and every other
    line of the request leave it out."""
    caplog.set_level(logging.DEBUG)
    client = app.test_client()
    secrets = (API_TOKEN, CREATIO_TOKEN, OPS_TOKEN)

    def boom(*args, **kwargs):
        raise RuntimeError(f"the caller sent {CREATIO_TOKEN} and {API_TOKEN}")

    def database_down(*args, **kwargs):
        raise OperationalError("SELECT 1 WHERE x = %(x)s", {"x": OPS_TOKEN}, Exception(f"no {OPS_TOKEN}"))

    monkeypatch.setattr(app.extensions["connector"].creatio, "list_accounts", boom)
    monkeypatch.setattr(app.extensions["connector"].creatio, "list_contacts", database_down)
    bearer = {"Authorization": f"Bearer {CREATIO_TOKEN}"}
    answers = [
        client.get("/api/v1/webitel-users", headers=bearer),
        client.get("/api/v1/webitel-users", headers={"Authorization": f"Basic {OPS_TOKEN}"}),
        client.get(f"/api/v1/webitel-users?token={OPS_TOKEN}", headers=bearer),
        client.get("/api/v1/webitel-users", headers={**bearer, "X-Request-ID": CREATIO_TOKEN}),
        client.get("/api/v1/webitel-users", headers={**bearer, "X-Request-ID": f"id-{OPS_TOKEN}"}),
        client.get(f"/api/v1/webitel-users/{API_TOKEN}", headers=bearer),
        client.get(f"/api/v1/nowhere/{OPS_TOKEN}", headers=bearer),
        client.get("/api/v1/creatio/accounts", headers=bearer),
        client.get("/api/v1/creatio/contacts", headers=bearer),
    ]
    assert [a.status_code for a in answers] == [200, 401, 422, 200, 200, 404, 404, 500, 503]
    assert all(a.headers["X-Request-ID"] not in secrets and OPS_TOKEN not in a.headers["X-Request-ID"]
               for a in answers)
    lines = [f"{record.getMessage()} {record.__dict__}" for record in caplog.records]
    assert any("unexpected error" in line and "[api token]" in line for line in lines)
    assert any("database failure" in line for line in lines)
    for secret in secrets:
        assert not [line for line in lines if secret in line], secret
