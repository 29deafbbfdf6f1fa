"""The API page works offline, says where the token is configured, and renders each operation's
request and answer schemas with examples from the served OpenAPI document (its own script, run
by Node.js on the real document)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest

from tests.conftest import ApiClient

RUN_PAGE_SCRIPT = r"""
const vm = require("vm");
const fs = require("fs");
const [script, spec, path, method] = [fs.readFileSync(0, "utf8"), ...process.argv.slice(1)];
const stub = {value: "", addEventListener() {}, set onclick(f) {}, set textContent(t) {}};
const context = vm.createContext({document: {querySelector: () => stub}, location: {pathname: "/api/v1/docs"},
                                  sessionStorage: {getItem: () => "", setItem() {}}, console});
vm.runInContext(script, context);
vm.runInContext(`spec = ${fs.readFileSync(spec, "utf8")};`, context);
const op = vm.runInContext(`spec.paths[${JSON.stringify(path)}][${JSON.stringify(method)}]`, context);
context.op = op;
const out = vm.runInContext(`({
  request: op.requestBody ? fieldRows(op.requestBody.content["application/json"].schema) : null,
  requestExample: op.requestBody ? example(op.requestBody.content["application/json"].schema) : null,
  answers: Object.fromEntries(Object.entries(op.responses).map(([status, a]) =>
    [status, a.content ? fieldRows(a.content["application/json"].schema) : []])),
})`, context);
process.stdout.write(JSON.stringify(out));
"""


@pytest.fixture
def page(app) -> str:
    response = ApiClient(app, token=None).get("/api/v1/docs")
    assert response.status_code == 200 and response.mimetype == "text/html"
    return response.text


def test_it_loads_nothing_from_elsewhere_and_says_where_the_token_comes_from(page):
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "http://" not in page and "https://" not in page
    assert "CONNECTOR_API_TOKEN" in page and "Authorization: Bearer" in page


def test_it_renders_request_and_answer_schemas_with_examples(page, api, tmp_path):
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is not installed: the page's script cannot be run here")
    script = re.search(r"<script>(.*)</script>", page, re.S).group(1)
    spec = tmp_path / "openapi.json"
    spec.write_text(json.dumps(api.get("/api/v1/openapi.json").json))
    result = subprocess.run([node, "-e", RUN_PAGE_SCRIPT, str(spec), "/api/v1/webitel-users", "post"],
                            input=script, capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    request = {row[0]: row for row in shown["request"]}
    assert request["user_id"][1:3] == ["string (uuid)", "yes"]
    assert "extension" in request and request["extension"][2] == ""
    assert shown["requestExample"]["user_id"] and shown["requestExample"]["extension"] == "1001"
    created = {row[0] for row in shown["answers"]["201"]}
    assert {"id", "webitel_user_id", "extension", "default_device"} <= created
    assert {"error", "error.code", "error.message"} <= {row[0] for row in shown["answers"]["409"]}
