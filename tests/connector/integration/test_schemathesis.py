"""Schemathesis against the connector's own OpenAPI document (the in-process app, the in-process
emulator, SQLite and PostgreSQL): every operation, authenticated, with generated and malformed
requests, then stateful runs along the document's links (a Creatio user, its Webitel user, its
licenses, roles and skills, ...). No answer may be a 5xx, every answer must be documented and match
its schema, every malformed request must be refused.

Bounded for the test command (CONNECTOR_SCHEMATHESIS_EXAMPLES examples an operation,
CONNECTOR_SCHEMATHESIS_WALKS walks along the links, CONNECTOR_SCHEMATHESIS_SCENARIOS random stateful
scenarios of CONNECTOR_SCHEMATHESIS_STEPS steps); ``make fuzz`` runs it far longer. The same examples
every run (CONNECTOR_SCHEMATHESIS_RANDOM=1 draws new ones)."""

from __future__ import annotations

import os
import re
from collections import Counter
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from marshmallow import ValidationError
from openapi_schema_validator import OAS30Validator
from schemathesis.checks import not_a_server_error, positive_data_acceptance
from schemathesis.core.failures import AcceptedNegativeData
from schemathesis.core.parameters import ParameterLocation
from schemathesis.core.result import Ok

from connector.api.schemas import CreatioUserCreateSchema, LicenseGrantSchema, RoleGrantSchema, SkillGrantSchema
from connector.app import create_app, dispose
from connector.config import Config
from tests.conftest import API_TOKEN
from tests.support.connector import creatio_user
from tests.support.databases import truncate_all

EXAMPLES = int(os.environ.get("CONNECTOR_SCHEMATHESIS_EXAMPLES", "15"))
WALKS = int(os.environ.get("CONNECTOR_SCHEMATHESIS_WALKS", "5"))
SCENARIOS = int(os.environ.get("CONNECTOR_SCHEMATHESIS_SCENARIOS", "10"))
STEPS = int(os.environ.get("CONNECTOR_SCHEMATHESIS_STEPS", "10"))
RANDOM = os.environ.get("CONNECTOR_SCHEMATHESIS_RANDOM") == "1"
AUTH = {"Authorization": f"Bearer {API_TOKEN}"}
SETTINGS = settings(deadline=None, database=None, derandomize=not RANDOM, suppress_health_check=list(HealthCheck))
# Business rules refuse schema-valid requests (a random id is 404, Webitel refuses a license it
# does not have): acceptance of valid data is not a property of this API; the rest all are.
EXCLUDED = [not_a_server_error, positive_data_acceptance]


def no_server_error(ctx, response, case):
    """No 5xx at all (Schemathesis's own check would also pass a 5xx it expects)."""
    assert response.status_code < 500, f"{response.status_code}: {response.text[:500]}"


def served_document() -> dict:
    """The document the connector serves (it depends on the code only, not on any data)."""
    app = create_app(Config(api_token=API_TOKEN, database_url="sqlite://", reconcile_interval_s=0))
    try:
        document = app.test_client().get("/api/v1/openapi.json", headers=AUTH).json
        assert isinstance(document, dict), document
        return document
    finally:
        dispose(app)


class Served:
    """The WSGI app Schemathesis sends every request to: the running test's app (``served``)."""

    app = None

    def __call__(self, environ, start_response):
        return self.app(environ, start_response)


SERVED = Served()
schema = schemathesis.openapi.from_dict(served_document())
schema.app = SERVED  # no network: the requests go to the WSGI app


@schema.auth()
class ConnectorToken:
    """The bearer token, as Schemathesis's own auth: its ignored_auth check then also sends each
    operation without it and with a wrong one, and expects 401."""

    def get(self, case, ctx):
        return API_TOKEN

    def set(self, case, data, ctx):
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


@schema.hook
def filter_failure(ctx, failure, case, response):
    """Keeps every failure but one kind of false "schema-violating request accepted": Schemathesis
    draws a list or an object for a scalar query parameter, which goes over the wire as a string
    the document may well allow (``[""]`` as ``q=``, ``[["x"]]`` as ``q=['x']``). When only the
    query is negated and it is either drawn that way or valid as sent (checked against the
    document, not the connector's code), accepting it was right."""
    return not (isinstance(failure, AcceptedNegativeData) and query_only_seemingly_invalid(case, response))


def query_only_seemingly_invalid(case, response) -> bool:
    if case.meta is None or any(info.mode.is_negative for location, info in case.meta.components.items()
                                if location != ParameterLocation.QUERY):
        return False
    if any(isinstance(value, (list, dict)) for value in (case.query or {}).values()):
        return True
    declared = {p["name"]: p["schema"] for p in case.operation.definition.raw.get("parameters", [])
                if p["in"] == "query"}
    sent = parse_qs(urlsplit(response.request.url).query, keep_blank_values=True)
    for name, values in sent.items():
        if name not in declared or len(values) != 1:
            return False
        value: Any = values[0]
        kind = declared[name].get("type")
        if kind == "integer":
            if not re.fullmatch("[0-9]+", value):
                return False
            value = int(value)
        elif kind == "boolean":
            if value not in ("true", "false"):
                return False
            value = value == "true"
        if not OAS30Validator(declared[name]).is_valid(value):
            return False
    return True


SEEDED = {"license_id": "cc-serial-1", "role_id": "1", "skill_id": "1"}  # the emulator's demo seed has them
STEERED = {"POST /api/v1/creatio/users": CreatioUserCreateSchema, "POST /api/v1/webitel-users/{record_id}/licenses":
           LicenseGrantSchema, "POST /api/v1/webitel-users/{record_id}/roles": RoleGrantSchema,
           "POST /api/v1/webitel-users/{record_id}/skills": SkillGrantSchema}


def steer(case) -> None:
    """Keeps a scenario going where random data would end it: a generated login is seldom one Webitel
    takes (400 username_not_allowed), a generated license, role or skill id seldom one it has (422).
    Only a valid body is changed, and into another valid one (so a malformed request stays one)."""
    kind = STEERED.get(case.operation.label)
    if kind is None or not isinstance(case.body, dict):
        return
    try:
        kind().load(case.body)
    except ValidationError:
        return
    if "name" in case.body:  # a login Webitel takes, of an active user (an inactive one is refused: 400)
        case.body = {**case.body, "name": "u" + re.sub(r"[^A-Za-z0-9._-]", "", case.body["name"])[:40]
                     + str(len(case.body["name"])), "active": True}
    case.body = {**case.body, **{field: SEEDED[field] for field in SEEDED if field in case.body}}


@pytest.fixture
def served(app, database_url, emulator):
    """The app under test, with a fresh start (an empty database but one Creatio user, the emulator
    at its seed) for each test and, called again, for each stateful scenario."""

    def fresh_start() -> None:
        truncate_all(database_url)
        emulator.fresh()
        with app.extensions["connector"].sessions() as session:
            creatio_user(session, "agarcia", "Ana Garcia")

    fresh_start()
    SERVED.app = app
    yield fresh_start
    SERVED.app = None


@schema.parametrize()
@settings(SETTINGS, max_examples=EXAMPLES)
def test_every_operation_holds_to_the_document(case, served):
    case.call_and_validate(excluded_checks=EXCLUDED, additional_checks=[no_server_error])


def test_the_documents_links_chain_the_operations(served):
    """Along the document's own links, from a new Creatio user: its Webitel user, every operation on
    that (grants, then their revocations and changes), the record's delete last. Each request is
    drawn by Schemathesis with the linked ids filled in, and each answer checked as above."""
    answered: Counter[tuple[str, int]] = Counter()

    @given(data=st.data())
    @settings(SETTINGS, max_examples=WALKS)
    def walk(data):
        served()
        pending = [(schema["/api/v1/creatio/users"]["POST"], {}, {})]
        deletes, seen = [], set()
        while pending or deletes:
            operation, path, body = pending.pop() if pending else deletes.pop()
            case = data.draw(operation.as_strategy(path_parameters=path or None))
            if body:
                case.body = {**(case.body if isinstance(case.body, dict) else {}), **body}
            steer(case)
            response = case.call_and_validate(excluded_checks=EXCLUDED, additional_checks=[no_server_error])
            answered[(operation.label, response.status_code)] += 1
            for target, target_path, target_body in followed(operation, case, response):
                if target.label not in seen:
                    seen.add(target.label)
                    (deletes if target.method == "delete" else pending).append((target, target_path, target_body))

    walk()
    record = "/api/v1/webitel-users/{record_id}"
    for label in ("POST /api/v1/creatio/users", "POST /api/v1/webitel-users", f"POST {record}/licenses",
                  f"POST {record}/roles", f"POST {record}/skills", f"PATCH {record}/skills/{{skill_id}}",
                  f"DELETE {record}/licenses/{{license_id}}", f"DELETE {record}/roles/{{role_id}}", f"DELETE {record}"):
        assert any(status < 300 for (done, status) in answered if done == label), (label, answered)


def followed(operation, case, response) -> list[tuple[Any, dict, dict]]:
    """The links of the answer's status, as (target operation, its path parameters, body fields)."""
    links = operation.definition.raw["responses"].get(str(response.status_code), {}).get("links", {})
    answer = response.json() if response.content else None
    found = []
    for link in links.values():
        target = next(op for op in (result.ok() for result in schema.get_all_operations() if isinstance(result, Ok))
                      if op.definition.raw.get("operationId") == link["operationId"])
        path = {name: evaluate(expression, case, answer) for name, expression in link.get("parameters", {}).items()}
        body = {name: evaluate(expression, case, answer) for name, expression in link.get("requestBody", {}).items()}
        found.append((target, path, body))
    return found


def evaluate(expression: str, case, answer: Any) -> Any:
    """The runtime expressions the document uses: $response.body#/x, $request.path.x, $request.body#/x."""
    if expression.startswith("$response.body#/"):
        return answer[expression.removeprefix("$response.body#/")]
    if expression.startswith("$request.path."):
        return case.path_parameters[expression.removeprefix("$request.path.")]
    if expression.startswith("$request.body#/"):
        return case.body[expression.removeprefix("$request.body#/")].strip(" ")
    raise AssertionError(f"an expression this test does not know: {expression}")


def test_random_sequences_along_the_links_hold_to_the_document(served):
    """Schemathesis's own stateful run: random sequences of the chained operations, following the
    links where its draws lead."""
    answered: Counter[tuple[str, int]] = Counter()
    chained = schema.include(path_regex=r"^/api/v1/(creatio/users|webitel-users)").exclude(
        method="GET", path_regex=r"^/api/v1/(creatio/users|webitel-users)$")  # link-less: covered above

    class Workflow(chained.as_state_machine()):
        def setup(self):
            served()  # each scenario from the same start: what it generates depends on the answers

        def before_call(self, case):
            steer(case)

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            answered[(case.operation.label, response.status_code)] += 1
            case.validate_response(response, excluded_checks=EXCLUDED, additional_checks=[no_server_error],
                                   transport_kwargs=kwargs)

    Workflow.run(settings=settings(SETTINGS, max_examples=SCENARIOS, stateful_step_count=STEPS))
    # Not vacuous: a link was followed (an id in a path that only an earlier answer gave).
    assert any(status < 300 and "{" in label for (label, status) in answered), answered
