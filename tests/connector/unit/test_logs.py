"""The JSON log line and the names of Webitel calls."""

from __future__ import annotations

import json
import logging

import pytest

from connector import logs
from connector.core.call_policy import operation, outcome_of


def format_line(message: str, **extra) -> dict:
    record = logging.LogRecord("connector.test", logging.INFO, __file__, 1, message, (), None)
    record.__dict__.update(extra)
    logs.RequestIdFilter().filter(record)
    return json.loads(logs.json_formatter().format(record))


def test_a_line_is_one_json_object_with_the_request_id():
    request_id, token = logs.begin_request("abc-1")
    try:
        line = format_line("créé", status=201)
    finally:
        logs.end_request(token)
    assert request_id == "abc-1"
    assert line["message"] == "créé" and line["level"] == "INFO" and line["logger"] == "connector.test"
    assert line["request_id"] == "abc-1" and line["status"] == 201 and "time" in line
    assert format_line("outside")["request_id"] is None


@pytest.mark.parametrize(("method", "path", "name"), [
    ("GET", "/users/42", "GET /users/{id}"),
    ("PATCH", "/users/42/tokens/7", "PATCH /users/{id}/tokens/{id}"),
    ("DELETE", "/users/42/tokens/8b4245442e107893", "DELETE /users/{id}/tokens/{id}"),  # a token's key
    ("GET", "/users/42/tokens", "GET /users/{id}/tokens"),
    ("GET", "/call_center/agents", "GET /call_center/agents"),
    ("DELETE", "/users/0b6f3c1e-9a51-4e6a-8a43-6f4d0e2a9b11", "DELETE /users/{id}"),
    ("GET", "/user/settings/phone", "GET /user/settings/phone"),
    ("DELETE", "/users/42/tokens/9f86d081884c7d65", "DELETE /users/{id}/tokens/{id}"),  # a Webitel token's key
    ("DELETE", "/users/42/tokens/deadbeefcafebabe", "DELETE /users/{id}/tokens/{id}"),  # hex without a digit
    ("GET", "/0/odata/SysAdminUnit", "GET /{id}/odata/SysAdminUnit"),
    ("POST", "/ServiceModel/AuthService.svc/Login", "POST /ServiceModel/AuthService.svc/Login"),
])
def test_operation_names_hide_ids(method, path, name):
    assert operation(method, path) == name


def test_outcomes():
    assert [outcome_of(200), outcome_of(404), outcome_of(503), outcome_of(None, "timeout"), outcome_of(None)] == [
        "ok", "client_error", "server_error", "timeout", "unreachable"]
