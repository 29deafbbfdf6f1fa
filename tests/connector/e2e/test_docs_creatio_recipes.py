"""docs/creatio.md's recipes, run: every HTTP exchange the document shows is sent, in order, to the
connector served under gunicorn with the settings the document asks for (the emulator as Webitel),
and its answer is checked against what the document shows; the business process's web service
settings are checked against the exchanges they name; and every connector call the recipes' code
makes is one of the exchanges run. A block the test cannot run fails the test, so the document
cannot go stale. Each recipe (a section with exchanges) starts from the demo Webitel, an empty
connector database and two Creatio users."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from tests.conftest import API_TOKEN
from tests.support import doc_exchanges
from tests.support.doc_exchanges import DocError, Exchange
from tests.support.servers import ConnectorServer, connector_env, run_cli

pytestmark = pytest.mark.e2e

DOC = Path(__file__).resolve().parents[3] / "docs" / "creatio.md"
# The connector calls in the recipes' code: connector.call("PATCH", `/webitel-users/${id}`, ...) in
# the Freedom UI module, this.callConnector("POST", "/webitel-users", ...) on the Classic UI page.
CODE_CALL = re.compile(r"\b(?:call|callConnector)\(\s*\"(GET|POST|PUT|PATCH|DELETE)\",\s*[`\"']([^`\"']+)[`\"']")
API_PREFIX = "/api/v1"


def read_document() -> doc_exchanges.Document:
    return doc_exchanges.read(DOC.read_text(encoding="utf-8"))


def _recipes() -> list[str]:
    try:
        return [section.title for section in read_document().sections if section.exchanges]
    except DocError:
        return ["(the document cannot be read: see test_the_document_reads)"]


# -- what the test sets up around the document's exchanges -----------------------------------------
def webitel_hangs_on_create(emulator) -> None:
    """Webitel takes longer than the connector waits (its read timeout is 2 s here), once."""
    emulator.add_fault(method="POST", path="/api/users", action="timeout", delay_ms=2500, times=1)


def webitel_reads_users_slowly(emulator) -> None:
    """An import of the demo's three users would finish within the second the start waits for: with
    Webitel slow, the start answers 202 with the running job and the polling loop really polls."""
    emulator.clear_faults()
    emulator.add_fault(method="GET", path="/api/users", action="delay", delay_ms=1200)


HOOKS_BY_NAME: dict[str, Callable] = {"save-when-webitel-hangs": webitel_hangs_on_create}
HOOKS_BY_ROUTE: dict[tuple[str, str], Callable] = {("POST", "/api/v1/imports"): webitel_reads_users_slowly}


@pytest.fixture(scope="module")
def connector_server(e2e_database, _served_emulator):
    """conftest's server, with the connector settings the document asks for (CORS)."""
    settings = read_document().connector_env
    assert settings, "docs/creatio.md shows no connector settings (a dotenv kind=connector-env block)"
    env = connector_env(database_url=e2e_database, webitel_url=_served_emulator.base_url,
                        webitel_token=_served_emulator.token, api_token=API_TOKEN, **settings,
                        CONNECTOR_WEBITEL_READ_TIMEOUT_S="2", CONNECTOR_WEBITEL_BACKOFF_S="0.05",
                        # No background reconciler: the answers are those of the requests alone.
                        CONNECTOR_RECONCILE_INTERVAL_S="0")
    migrated = run_cli("migrate", env=env)
    assert migrated.returncode == 0, migrated.stderr
    server = ConnectorServer(env)
    yield server
    server.stop()


def given(api) -> dict[str, str]:
    """The values the document takes as given: the API token and two Creatio system users."""
    users = {}
    for key, login, contact in (("creatio_user_id", "agarcia", "Ana Garcia"),
                                ("other_creatio_user_id", "lnguyen", "Linh Nguyen")):
        created = api.post("/creatio/users", json={"name": login, "contact_name": contact, "type": "employee",
                                                   "account_name": "Acme"})
        assert created.status_code == 201, created.text
        users[key] = created.json()["id"]
    return {"token": API_TOKEN, **users}


def prepare(exchange: Exchange, emulator) -> None:
    hook = HOOKS_BY_NAME.get(exchange.name or "") or HOOKS_BY_ROUTE.get((exchange.method, exchange.target))
    if hook is not None:
        hook(emulator)


# -- the tests ----------------------------------------------------------------------------------------
def test_the_document_reads():
    document = read_document()
    exchanges = list(document.exchanges())
    assert len(exchanges) >= 30, f"docs/creatio.md shows only {len(exchanges)} exchanges"
    names = [e.name for e in exchanges if e.name]
    assert len(names) == len(set(names)), f"exchange names used twice: {sorted(names)}"
    for name in HOOKS_BY_NAME:
        assert name in names, f"the test refers to an exchange {name!r} the document no longer has"
    assert any(section.web_services for section in document.sections), "no web service settings to check"


@pytest.mark.parametrize("title", _recipes())
def test_recipe(title, api, emulator, connector_server):
    document = read_document()
    section = next(s for s in document.sections if s.title == title)
    bindings: dict = given(api)
    seen: dict = {}
    root = str(httpx.URL(connector_server.url).copy_with(path="/"))
    try:
        with httpx.Client(base_url=root, timeout=60) as client:
            for exchange in section.exchanges:
                prepare(exchange, emulator)
                response, sent = doc_exchanges.send(client, exchange, bindings)
                doc_exchanges.check(exchange, response, bindings)
                if exchange.name:
                    seen[exchange.name] = (exchange, sent, response)
    finally:
        emulator.clear_faults()
    for line, spec in section.web_services:
        doc_exchanges.check_web_service(spec, line, seen)


def test_every_connector_call_in_the_recipes_code_is_an_exchange_the_document_runs(api):
    document = read_document()
    templates = [path for path in api.get("/openapi.json").json()["paths"]]

    def template_of(path: str) -> str | None:
        path = path.split("?", 1)[0]
        return next((t for t in templates if re.fullmatch(re.sub(r"\{[^}]+\}", "[^/]+", t), path)), None)

    calls = set()
    for line, _language, text in document.code_blocks:
        for method, path in CODE_CALL.findall(text):
            template = template_of(API_PREFIX + re.sub(r"\$\{[^}]+\}", "x", path))
            assert template is not None, f"line {line}: {method} {path} is not a path of the connector's contract"
            calls.add((method, template))
    run = {(e.method, template_of(e.target)) for e in document.exchanges() if e.method != "OPTIONS"}
    assert None not in {t for _, t in run}, f"an exchange is not on a path of the contract: {sorted(run, key=str)}"
    assert len(calls) >= 10, f"found only {len(calls)} connector calls in the recipes' code: {sorted(calls)}"
    assert calls <= run, f"calls the document shows in code but never runs: {sorted(calls - run)}"


# -- the reader and the checks themselves ----------------------------------------------------------
def test_the_reader_refuses_what_it_cannot_run():
    request = "```http\nPOST /api/v1/x\nContent-Type: application/json\n\n{}\n```\n"
    answer = "```http\nHTTP/1.1 200 OK\n```\n"
    assert len(list(doc_exchanges.read(f"## A\n{request}{answer}").exchanges())) == 1
    for broken, why in ((f"## A\n{request}", "without its answer"),
                        (f"## A\n{answer}", "without a request"),
                        ("## A\n```http\nFETCH /x\n```\n", "must start with"),
                        (f"## A\n```http nmae=x\nGET /x\n```\n{answer}", "unknown option"),
                        ("## A\n```yaml kind=creatio-webservice\na: 1\n```\n", "unknown block kind"),
                        (f"## A\n```http while=status=running\nGET /x\n```\n{answer}", "while= takes")):
        with pytest.raises(DocError, match=why):
            doc_exchanges.read(broken)


@pytest.mark.parametrize(("expected", "actual", "ok"), [
    ({"a": 1}, {"a": 1, "b": 2}, True),
    ({"a": 1}, {"a": True}, False),
    ({"a": [1]}, {"a": [1, 2]}, False),
    ({"a": "…"}, {"a": {"deep": 1}}, True),
    ({"a": "…"}, {}, False),
    ({"a": "{{x}}"}, {"a": 5}, True),
    ({"a": "{{bound}}"}, {"a": "other"}, False),
    ({"a": "{{x}}"}, {"a": None}, False),
])
def test_an_answer_matches_only_what_the_document_shows(expected, actual, ok):
    def attempt():
        doc_exchanges.match(expected, actual, {"bound": "value"}, {}, "$")
    if ok:
        attempt()
    else:
        with pytest.raises(AssertionError):
            attempt()


def test_a_header_and_a_placeholder_mismatch_fail_the_check():
    document = doc_exchanges.read("## A\n```http\nGET /x\n```\n```http\nHTTP/1.1 200 OK\n"
                                  "Access-Control-Allow-Methods: GET, POST\n\n{\"id\": \"{{id}}\"}\n```\n")
    exchange = next(document.exchanges())
    good = httpx.Response(200, json={"id": "7"}, headers={"Access-Control-Allow-Methods": "post, get"})
    bindings: dict = {}
    doc_exchanges.check(exchange, good, bindings)
    assert bindings == {"id": "7"}
    with pytest.raises(AssertionError, match="is '7'"):
        doc_exchanges.check(exchange, httpx.Response(200, json={"id": "8"}, headers=good.headers), bindings)
    with pytest.raises(AssertionError, match="Allow-Methods"):
        doc_exchanges.check(exchange, httpx.Response(200, json={"id": "7"},
                                                     headers={"Access-Control-Allow-Methods": "GET"}), bindings)


def test_a_web_service_setting_must_fit_the_exchange_it_names():
    document = doc_exchanges.read("## A\n```http name=read\nGET /api/v1/imports/1\nAuthorization: Bearer t\n```\n"
                                  "```http\nHTTP/1.1 200 OK\n```\n")
    exchange = next(document.exchanges())
    response = httpx.Response(200, json={"status": "succeeded", "summary": {"created": 3}},
                              request=httpx.Request("GET", "http://connector/api/v1/imports/1"))
    seen = {"read": (exchange, None, response)}
    method = {"code": "UsrRead", "request_type": "GET", "address": "imports/{id}", "exercised_by": ["read"],
              "request_parameters": [{"name": "id", "location": "URL"},
                                     {"name": "Authorization", "location": "Header"}],
              "response_parameters": [{"path": "$.summary.created", "type": "Integer"}]}
    spec = {"uri": "https://connector.example/api/v1", "methods": [method]}
    doc_exchanges.check_web_service(spec, 1, seen)
    for change, why in (({"response_parameters": [{"path": "$.summary.updated", "type": "Integer"}]}, "finds 0"),
                        ({"response_parameters": [{"path": "$.status", "type": "Integer"}]}, "not of Creatio type"),
                        ({"request_type": "POST"}, "request type"),
                        ({"address": "jobs/{id}"}, "does not give"),
                        ({"request_parameters": [{"name": "X-Key", "location": "Header"}]}, "no header")):
        with pytest.raises(AssertionError, match=why):
            doc_exchanges.check_web_service({**spec, "methods": [{**method, **change}]}, 1, seen)
    with pytest.raises(DocError, match="no exchange named"):
        doc_exchanges.check_web_service({**spec, "methods": [{**method, "exercised_by": ["other"]}]}, 1, seen)
