"""Hostile input at the API's edge, on SQLite and PostgreSQL: every bad body, query, path or header
is refused with a 4xx in the contract's shape (naming what is wrong), never a 5xx. The catalogue
below is what a hostile tester tried; the generic tests walk the OpenAPI document, so that a new
field or list is covered without being listed here."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from typing import Any

import pytest

from connector.api.ids import IdConverter
from connector.api.schemas import INT64_MAX, MAX_PAGE, decimal_up_to
from tests.support.connector import creatio_user, error_of
from tests.support.openapi import concrete, operations, query_parameters, string_fields

USERS = "/api/v1/webitel-users"
CREATIO_USERS = "/api/v1/creatio/users"
ABOVE_INT64 = str(INT64_MAX + 1)  # 19 digits, one past Webitel's ids


def raw(text: str | bytes, content_type: str = "application/json") -> dict[str, Any]:
    return {"data": text, "content_type": content_type}


@dataclass(frozen=True)
class Probe:
    label: str
    method: str
    path: str  # {record}: the test's Webitel user record, {user}: its Creatio user
    status: int
    code: str | None = None
    where: str | None = None  # the refusal names it in error.fields
    request: dict[str, Any] = field(default_factory=dict)


def new_user(**changes: Any) -> dict[str, Any]:
    return {"name": "zed", "contact_name": "Zed Zee", "type": "employee", **changes}


NEST = 100_000
CATALOGUE = [
    # -- bodies that are not a JSON object, or not JSON at all
    Probe("array nested 100k deep", "POST", USERS, 422, "validation_error", "_body", raw("[" * NEST + "]" * NEST)),
    Probe("object nested 5k deep", "POST", USERS, 422, "validation_error", "_body",
          raw('{"a":' * 5000 + "1" + "}" * 5000)),
    Probe("a list", "POST", USERS, 422, "validation_error", "_body", {"json": []}),
    Probe("null", "POST", USERS, 422, "validation_error", "_body", raw("null")),
    Probe("a string", "POST", USERS, 422, "validation_error", "_body", raw('"x"')),
    Probe("a number", "POST", USERS, 422, "validation_error", "_body", raw("1e999")),
    Probe("true", "PATCH", f"{USERS}/{{record}}", 422, "validation_error", "_body", raw("true")),
    Probe("not JSON", "POST", USERS, 422, "validation_error", "_body", raw("{user_id: 1}")),
    Probe("a form", "POST", USERS, 422, "validation_error", "_body", raw("a=b", "application/x-www-form-urlencoded")),
    Probe("empty body", "POST", USERS, 422, "validation_error", "user_id", raw("")),
    Probe("blank body", "POST", USERS, 422, "validation_error", "user_id", raw(" \r\n\t")),
    Probe("not UTF-8", "POST", USERS, 422, "validation_error", "_body", raw(b'{"user_id": "\xff"}')),
    Probe("UTF-8 encoded surrogate", "POST", CREATIO_USERS, 422, "validation_error", "_body",
          raw(b'{"name": "a\xed\xa0\x80", "contact_name": "x", "type": "employee"}')),
    Probe("UTF-16 with a BOM", "POST", USERS, 422, "validation_error", "_body",
          raw('{"user_id": "x"}'.encode("utf-16"))),
    Probe("UTF-8 BOM", "POST", USERS, 422, "validation_error", "_body", raw(b'\xef\xbb\xbf{"user_id": "x"}')),
    Probe("latin-1 declared", "POST", CREATIO_USERS, 422, "validation_error", "_body",
          raw('{"name": "jos\xe9"}'.encode("latin-1"), "application/json; charset=latin-1")),
    Probe("a key twice", "POST", USERS, 422, "validation_error", "_body",
          raw('{"user_id": "x", "user_id": "00000000-0000-4000-a000-000000000001"}')),
    Probe("NaN", "POST", f"{USERS}/{{record}}/skills", 422, "validation_error", "_body",
          raw('{"skill_id": "1", "capacity": NaN}')),
    Probe("Infinity", "POST", f"{USERS}/{{record}}/skills", 422, "validation_error", "_body",
          raw('{"skill_id": "1", "capacity": -Infinity}')),
    Probe("an integer of 5000 digits", "POST", f"{USERS}/{{record}}/skills", 422, "validation_error", "_body",
          raw('{"skill_id": "1", "capacity": ' + "9" * 5000 + "}")),
    Probe("an integer of 30 digits", "POST", f"{USERS}/{{record}}/skills", 422, "validation_error", "capacity",
          raw('{"skill_id": "1", "capacity": ' + "9" * 30 + "}")),
    Probe("a float for an integer", "POST", f"{USERS}/{{record}}/skills", 422, "validation_error", "capacity",
          {"json": {"skill_id": "1", "capacity": 5.0}}),
    Probe("1e999 for an integer", "POST", f"{USERS}/{{record}}/skills", 422, "validation_error", "capacity",
          raw('{"skill_id": "1", "capacity": 1e999}')),
    Probe("true for an integer", "POST", f"{USERS}/{{record}}/skills", 422, "validation_error", "capacity",
          {"json": {"skill_id": "1", "capacity": True}}),
    Probe("a string for an integer", "POST", f"{USERS}/{{record}}/skills", 422, "validation_error", "capacity",
          {"json": {"skill_id": "1", "capacity": "5"}}),
    Probe("1 for a boolean", "PATCH", f"{USERS}/{{record}}", 422, "validation_error", "stun_enabled",
          {"json": {"stun_enabled": 1}}),
    Probe('"yes" for a boolean', "PATCH", f"{USERS}/{{record}}", 422, "validation_error", "stun_enabled",
          {"json": {"stun_enabled": "yes"}}),
    Probe("0 for active", "PATCH", f"{CREATIO_USERS}/{{user}}", 422, "validation_error", "active",
          {"json": {"active": 0}}),
    Probe("a number for a UUID", "POST", USERS, 422, "validation_error", "user_id", {"json": {"user_id": 7}}),
    Probe("an unknown key", "POST", USERS, 422, "validation_error", "admin",
          {"json": {"user_id": str(uuid.uuid4()), "admin": True}}),
    Probe("an object for a string", "POST", f"{USERS}/{{record}}/licenses", 422, "validation_error", "license_id",
          {"json": {"license_id": {"$ne": ""}}}),
    # -- text: surrogates, control characters, lengths after normalising
    Probe("a lone surrogate in a name", "POST", CREATIO_USERS, 422, "validation_error", "name",
          raw('{"name": "a\\ud800b", "contact_name": "x", "type": "employee"}')),
    Probe("a lone surrogate in a key", "POST", USERS, 422, "validation_error", "_body", raw('{"\\udfff": 1}')),
    Probe("a lone surrogate in a list", "POST", "/api/v1/drift/repair", 422, "validation_error", "ids.0",
          raw('{"ids": ["\\ud800"], "direction": "to_webitel"}')),
    Probe("NUL in a login", "POST", CREATIO_USERS, 422, "validation_error", "name", {"json": new_user(name="a\0b")}),
    Probe("NUL in a contact name", "POST", CREATIO_USERS, 422, "validation_error", "contact_name",
          {"json": new_user(contact_name="Ana\0Garcia")}),
    Probe("a line break in a contact name", "POST", CREATIO_USERS, 422, "validation_error", "contact_name",
          {"json": new_user(contact_name="Ana\nGarcia")}),
    Probe("NUL in a license id", "POST", f"{USERS}/{{record}}/licenses", 422, "validation_error", "license_id",
          {"json": {"license_id": "cc\0"}}),
    Probe("NUL in a pause cause", "PUT", f"{USERS}/{{record}}/agent-status", 422, "validation_error", "pause_cause",
          {"json": {"status": "pause", "pause_cause": "Lunch\0"}}),
    Probe("14 x U+FDFA (252 once normalised)", "POST", CREATIO_USERS, 422, "validation_error", "contact_name",
          {"json": new_user(contact_name="\ufdfa" * 14)}),
    Probe('126 x "ß" login (252 once case-folded)', "POST", CREATIO_USERS, 422, "validation_error", "name",
          {"json": new_user(name="ß" * 126)}),
    Probe('126 x "ß" account', "POST", CREATIO_USERS, 422, "validation_error", "account_name",
          {"json": new_user(account_name="ß" * 126)}),
    Probe("251 characters", "POST", CREATIO_USERS, 422, "validation_error", "contact_name",
          {"json": new_user(contact_name="x" * 251)}),
    Probe("a login with a space", "POST", CREATIO_USERS, 422, "validation_error", "name",
          {"json": new_user(name="a b")}),
    Probe("an empty login", "POST", CREATIO_USERS, 422, "validation_error", "name", {"json": new_user(name="  ")}),
    Probe("101-character license id", "POST", f"{USERS}/{{record}}/licenses", 422, "validation_error", "license_id",
          {"json": {"license_id": "x" * 101}}),
    # -- ids and numbers
    Probe("a role id above int64", "POST", f"{USERS}/{{record}}/roles", 422, "validation_error", "role_id",
          {"json": {"role_id": ABOVE_INT64}}),
    Probe("a skill id of 20 digits", "POST", f"{USERS}/{{record}}/skills", 422, "validation_error", "skill_id",
          {"json": {"skill_id": "9" * 20, "capacity": 1}}),
    Probe("a team id above int64", "PATCH", f"{USERS}/{{record}}", 422, "validation_error", "team_id",
          {"json": {"is_agent": True, "team_id": ABOVE_INT64}}),
    Probe("a team id with a leading zero", "PATCH", f"{USERS}/{{record}}", 422, "validation_error", "team_id",
          {"json": {"team_id": "01"}}),
    Probe("team id 0", "PATCH", f"{USERS}/{{record}}", 422, "validation_error", "team_id", {"json": {"team_id": "0"}}),
    Probe("a role id as a number", "POST", f"{USERS}/{{record}}/roles", 422, "validation_error", "role_id",
          {"json": {"role_id": 1}}),
    Probe("the largest role id (Webitel has none)", "POST", f"{USERS}/{{record}}/roles", 422, "validation_error",
          "role_id", {"json": {"role_id": str(INT64_MAX)}}),
    Probe("an extension with a line break", "PATCH", f"{USERS}/{{record}}", 422, "validation_error", "extension",
          {"json": {"extension": "1011\n"}}),
    Probe("a team id in spaces (trimmed, then Webitel has none)", "PATCH", f"{USERS}/{{record}}", 422,
          "validation_error", "team_id", {"json": {"is_agent": True, "team_id": " 9223372036854775807 "}}),
    Probe("an extension of 21 digits", "PATCH", f"{USERS}/{{record}}", 422, "validation_error", "extension",
          {"json": {"extension": "1" * 21}}),
    Probe("Arabic-Indic digits", "PATCH", f"{USERS}/{{record}}", 422, "validation_error", "extension",
          {"json": {"extension": "١٢٣"}}),
    Probe("1001 ids", "POST", "/api/v1/drift/repair", 422, "validation_error", "ids",
          {"json": {"ids": [str(uuid.uuid4()) for _ in range(1001)], "direction": "to_webitel"}}),
    Probe("an id twice", "POST", "/api/v1/drift/repair", 422, "validation_error", "ids",
          {"json": {"ids": ["00000000-0000-4000-a000-000000000001"] * 2, "direction": "to_webitel"}}),
    # -- queries
    Probe("page 2^63-1", "GET", USERS + f"?page={INT64_MAX}", 422, "validation_error", "page"),
    Probe("page 0", "GET", USERS + "?page=0", 422, "validation_error", "page"),
    Probe("page 1.5", "GET", USERS + "?page=1.5", 422, "validation_error", "page"),
    Probe("page of 5000 digits", "GET", USERS + "?page=" + "9" * 5000, 422, "validation_error", "page"),
    Probe("page with a tab", "GET", USERS + "?page=%091", 422, "validation_error", "page"),
    Probe("page 1_0", "GET", USERS + "?page=1_0", 422, "validation_error", "page"),
    Probe("page in Arabic-Indic digits", "GET", USERS + "?page=%D9%A1", 422, "validation_error", "page"),
    Probe("size 0", "GET", USERS + "?size=0", 422, "validation_error", "size"),
    Probe("size 501", "GET", USERS + "?size=501", 422, "validation_error", "size"),
    Probe("NUL in q", "GET", USERS + "?q=a%00b", 422, "validation_error", "q"),
    Probe("NUL in a Creatio search", "GET", CREATIO_USERS + "?q=a%00b", 422, "validation_error", "q"),
    Probe("NUL in a lookup search", "GET", "/api/v1/lookups/licenses?q=%00&product=%00", 422, "validation_error", "q"),
    Probe("q of separators (whitespace to str.strip)", "GET", "/api/v1/lookups/teams?q=%1F%1EJ", 422,
          "validation_error", "q"),
    Probe("q of 251 characters", "GET", USERS + "?q=" + "x" * 251, 422, "validation_error", "q"),
    Probe("q of invalid UTF-8 escapes", "GET", USERS + "?q=%FF%FE", 200),
    Probe("q of LIKE wildcards", "GET", USERS + "?q=%25_%5C", 200),
    Probe("q of 200 x U+FDFA", "GET", USERS + "?q=" + "%EF%B7%BA" * 200, 200),
    Probe("an unknown query parameter", "GET", USERS + "?admin=1", 422, "validation_error", "admin"),
    Probe("a parameter twice", "GET", USERS + "?page=1&page=2", 422, "validation_error", "page"),
    Probe("a query where none is taken", "GET", f"{USERS}/{{record}}?expand=all", 422, "validation_error", "expand"),
    Probe("stun=yes", "GET", "/api/v1/drift?stun=yes", 422, "validation_error", "stun"),
    Probe("available=1", "GET", "/api/v1/lookups/licenses?available=1", 422, "validation_error", "available"),
    Probe("type=admin", "GET", CREATIO_USERS + "?type=admin", 422, "validation_error", "type"),
    # -- paths
    Probe("not a UUID", "GET", f"{USERS}/not-a-uuid", 404, "not_found"),
    Probe("a UUID in braces", "GET", f"{USERS}/{{{{{{record}}}}}}", 404, "not_found"),
    Probe("NUL in a path id", "DELETE", f"{USERS}/a%00b", 404, "not_found"),
    Probe("a path id of 10000 characters", "PATCH", f"{USERS}/{'a' * 10000}", 404, "not_found"),
    Probe("a role id above int64 in the path", "DELETE", f"{USERS}/{{record}}/roles/{ABOVE_INT64}", 404, "not_found"),
    Probe("a skill id of letters", "PATCH", f"{USERS}/{{record}}/skills/abc", 404, "not_found"),
    Probe("NUL in a license id in the path", "DELETE", f"{USERS}/{{record}}/licenses/cc%00", 404, "not_found"),
    Probe("an import id that is not a UUID", "GET", "/api/v1/imports/42", 404, "not_found"),
    Probe("a Creatio user id that is not a UUID", "GET", f"{CREATIO_USERS}/42", 404, "not_found"),
    Probe("no such endpoint", "GET", "/api/v1/nowhere", 404, "not_found"),
    Probe("a method the path does not take", "PUT", USERS, 405, "method_not_allowed"),
    # -- headers
    Probe("Content-Type text/plain with a JSON body", "PATCH", f"{USERS}/{{record}}", 200, None, None,
          raw('{"stun_enabled": true}', "text/plain")),
    Probe("no Content-Type", "PATCH", f"{USERS}/{{record}}", 200, None, None, {"data": '{"stun_enabled": true}'}),
    Probe("an odd X-Request-ID", "GET", USERS, 200, None, None, {"headers": {"X-Request-ID": "\xff\x00\x7f id"}}),
    Probe("a huge X-Request-ID", "GET", USERS, 200, None, None, {"headers": {"X-Request-ID": "r" * 20000}}),
    Probe("Accept: text/html", "GET", USERS, 200, None, None, {"headers": {"Accept": "text/html"}}),
    Probe("an odd Authorization", "GET", USERS, 401, "unauthorized", None,
          {"headers": {"Authorization": "Bearer \xff\x00"}}),
    Probe("a 10000-character token", "GET", USERS, 401, "unauthorized", None,
          {"headers": {"Authorization": "Bearer " + "x" * 10000}}),
    Probe("Authorization without a scheme", "GET", USERS, 401, "unauthorized", None,
          {"headers": {"Authorization": "test-api-token"}}),
]


@pytest.fixture
def world(api, session) -> dict[str, str]:
    user = creatio_user(session, "agarcia", "Ana Garcia")
    record = api.post(USERS, json={"user_id": str(user.id), "extension": "1010"}).json
    assert api.post(f"{USERS}/{record['id']}/licenses", json={"license_id": "cc-serial-1"}).status_code == 201
    return {"record": record["id"], "user": str(user.id)}


def test_every_hostile_request_is_refused_in_the_contracts_shape(api, world):
    wrong = []
    for probe in CATALOGUE:
        response = api.request(probe.method, probe.path.format(**world), **probe.request)
        body = response.get_json(silent=True)
        error = body.get("error") if isinstance(body, dict) and response.status_code >= 400 else None
        if (response.status_code != probe.status
                or (probe.code and (error or {}).get("code") != probe.code)
                or (probe.where and probe.where not in (error or {}).get("fields", {}))
                or (response.status_code >= 400 and not (error and error.get("message")))):
            wrong.append(f"{probe.label}: {response.status_code} {response.get_data(as_text=True)[:300]}")
    assert wrong == []


def test_a_malformed_path_id_is_not_found_naming_it(api, world):
    response = api.get(f"{USERS}/not-a-uuid")
    assert response.status_code == 404
    assert error_of(response) == {"code": "not_found",
                                  "message": "Nothing has the record_id 'not-a-uuid': it is not a UUID"}
    response = api.delete(f"{USERS}/{world['record']}/roles/{ABOVE_INT64}")
    assert ABOVE_INT64 in error_of(response)["message"] and "role_id" in error_of(response)["message"]


def _valid_ids(world: dict[str, str]) -> dict[str, str]:
    return {"record_id": world["record"], "user_id": world["user"], "job_id": str(uuid.uuid4()),
            "check_id": str(uuid.uuid4()), "role_id": "1",
            "skill_id": "1", "license_id": "cc-serial-1", "filename": "x"}


def _path(rule, values: dict[str, str]) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values[m.group(1)], rule.rule)


def test_every_path_id_is_checked(api, app, world):
    """Every route with an id in its path, with each method it takes: a malformed id is 404
    ``not_found`` naming it, never "no such endpoint" and never a 5xx."""
    checked = 0
    for rule in app.url_map.iter_rules():
        for name in rule.arguments:
            if not isinstance(rule._converters[name], IdConverter):  # any text is a license id
                continue
            path = _path(rule, {**_valid_ids(world), name: f"bad-{name}"})
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                response = api.request(method, path, json={})
                assert response.status_code == 404, (method, path, response.json)
                assert error_of(response)["message"].startswith(f"Nothing has the {name} 'bad-{name}'"), (method, path)
                checked += 1
    assert checked >= 17


def test_405_says_what_the_path_takes(api, app, world):
    """Every path, with a method it does not take: 405 with ``Allow`` listing exactly what it takes."""
    tried = 0
    for rule in app.url_map.iter_rules():
        taken = {method for other in app.url_map.iter_rules() if other.rule == rule.rule for method in other.methods}
        for method in sorted({"GET", "POST", "PUT", "PATCH", "DELETE"} - taken):
            response = api.request(method, _path(rule, _valid_ids(world)))
            assert response.status_code == 405, (method, rule.rule)
            assert error_of(response)["code"] == "method_not_allowed"
            assert set(response.headers["Allow"].split(", ")) == taken, (rule.rule, response.headers["Allow"])
            tried += 1
    assert tried >= 40


@pytest.mark.parametrize("field_name", ["name", "contact_name", "account_name"])
def test_a_name_of_exactly_250_once_normalised_is_taken(api, field_name):
    value = "ß" * 125  # "ss" x 125 once case-folded
    response = api.post(CREATIO_USERS, json=new_user(**{field_name: value}))
    assert response.status_code == 201, response.json
    shown = {"name": response.json["name"], "contact_name": response.json["contact"]["name"],
             "account_name": (response.json["account"] or {}).get("name")}
    assert shown[field_name] == value


def test_every_list_bounds_its_page_and_size(api, world):
    """Every GET operation that pages: the largest page and size are answered (an empty page, the row
    offset within int64 on either database), one past them is a 422 naming the parameter."""
    spec = api.get("/api/v1/openapi.json").json
    lists = 0
    for method, path, operation in operations(spec):
        params = query_parameters(operation)
        if method != "GET" or "page" not in params:
            continue
        lists += 1
        url = concrete(path, {"job_id": _import_job(api), "check_id": _drift_check(api)})
        page_max, size_max = params["page"]["schema"]["maximum"], params["size"]["schema"]["maximum"]
        assert page_max == MAX_PAGE and (page_max - 1) * size_max < 2**31
        last = api.get(f"{url}?page={page_max}&size={size_max}")
        assert last.status_code == 200, (path, last.json)
        assert last.json["items"] == [], path
        for name, too_big in (("page", page_max + 1), ("page", INT64_MAX), ("size", size_max + 1)):
            response = api.get(f"{url}?{name}={too_big}")
            assert response.status_code == 422, (path, name)
            assert name in error_of(response)["fields"]
    assert lists == 10  # Creatio users, contacts, accounts, Webitel users, drift, drift checks, a check's items,
    # imports, an import's items, audit


def _import_job(api) -> str:
    jobs = api.get("/api/v1/imports").json["items"]
    if jobs:
        return jobs[0]["id"]
    response = api.post("/api/v1/imports", json={"dry_run": True, "stun": False})
    assert response.status_code in (200, 202), response.json
    return response.json["id"]


def _drift_check(api) -> str:
    checks = api.get("/api/v1/drift/checks").json["items"]
    if checks:
        return checks[0]["id"]
    response = api.post("/api/v1/drift/checks", json={"stun": False})
    assert response.status_code in (200, 202), response.json
    return response.json["id"]


def test_a_lone_surrogate_in_any_body_string_is_refused_naming_it(api, world):
    spec = api.get("/api/v1/openapi.json").json
    tried = 0
    for method, path, operation in operations(spec):
        for name in string_fields(spec, operation):
            url = concrete(path, _valid_ids(world))
            response = api.request(method, url, **raw(f'{{"{name}": "a\\ud800b"}}'))
            assert response.status_code == 422, (method, path, name)
            assert list(error_of(response)["fields"]) == [name], (method, path, name)
            tried += 1
    assert tried >= 10


def test_nul_in_any_body_string_or_search_is_refused_naming_it(api, world):
    """PostgreSQL cannot store NUL; the refusal comes from the schema, on SQLite too."""
    spec = api.get("/api/v1/openapi.json").json
    tried = 0
    for method, path, operation in operations(spec):
        url = concrete(path, _valid_ids(world))
        for name in string_fields(spec, operation):
            response = api.request(method, url, json={name: "a\0b"})
            assert response.status_code == 422 and name in error_of(response)["fields"], (method, path, name)
            tried += 1
        for name, param in query_parameters(operation).items():
            if param["schema"].get("type") == "string" and "enum" not in param["schema"]:
                response = api.request(method, f"{url}?{name}=a%00b")
                assert response.status_code == 422 and name in error_of(response)["fields"], (method, path, name)
                tried += 1
    assert tried >= 15


def test_no_webitel_call_is_made_for_an_id_beyond_int64(api, world, emulator):
    before = len(emulator.requests())
    for path, body in ((f"{USERS}/{world['record']}/roles", {"role_id": ABOVE_INT64}),
                       (f"{USERS}/{world['record']}/skills", {"skill_id": ABOVE_INT64, "capacity": 1})):
        assert api.post(path, json=body).status_code == 422
    assert api.patch(f"{USERS}/{world['record']}", json={"team_id": ABOVE_INT64}).status_code == 422
    assert len(emulator.requests()) == before


def test_the_id_pattern_is_exactly_1_to_its_limit():
    for limit in (*range(1, 1200), 9999, 10**6, 2**31 - 1, 3_000_000_003):
        pattern = re.compile(decimal_up_to(limit))
        for number in {*range(0, min(limit + 3, 1300)), limit - 1, limit, limit + 1, limit * 10}:
            assert bool(pattern.fullmatch(str(number))) == (1 <= number <= limit), (limit, number)
        assert not pattern.fullmatch("0" + str(limit)) and not pattern.fullmatch(f" {limit}")


def test_the_webitel_id_pattern_is_int64():
    pattern = re.compile(decimal_up_to(INT64_MAX))
    for number in (1, 10**18, INT64_MAX - 1, INT64_MAX, 9_199_999_999_999_999_999, 9_223_372_036_854_775_799):
        assert pattern.fullmatch(str(number)), number
    for text in (ABOVE_INT64, "9300000000000000000", "9" * 19, "1" * 20, "0", "-1", "01", "1\n"):
        assert not pattern.fullmatch(text), text
