"""GET /__emulator__/openapi.json: the document of what the emulator serves, readable by tools."""

from __future__ import annotations

import schemathesis

from emulator.api.document import ERROR_DEFINITION
from emulator.api.service import load_services


def test_the_document_lists_exactly_the_served_operations(webitel_emulator):
    response = webitel_emulator.control("GET", "/openapi.json")
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    doc = response.json()
    listed = {op["operationId"] for item in doc["paths"].values() for op in item.values()}
    assert listed == set(load_services())
    assert doc["swagger"] == "2.0" and doc["basePath"] == "/api"
    assert doc["paths"]["/users/{id}"]["get"]["responses"]["200"]["schema"] == {"$ref": "#/definitions/apiUser"}
    assert doc["paths"]["/devices/{id}"]["delete"]["responses"]["200"]["schema"]["type"] == "array"
    [role_id] = doc["paths"]["/roles/{role_id}"]["put"]["parameters"][:1]  # {role.id}, renamed for tools
    assert (role_id["name"], role_id["in"], role_id["pattern"]) == ("role_id", "path", r"^-?[0-9]{1,18}$")
    assert doc["paths"]["/login"]["post"]["security"] == []
    assert doc["definitions"][ERROR_DEFINITION]["required"] == ["id", "code", "status"]


def test_schemathesis_reads_the_document(webitel_emulator):
    schema = schemathesis.openapi.from_dict(webitel_emulator.control("GET", "/openapi.json").json())
    assert len(list(schema.get_all_operations())) == len(load_services())
