"""Webitel's own OpenAPI (Swagger 2.0) files as a strict validator of the bodies Webitel answers.

The files in ``openapi/`` are webitel/protos' ``swagger/`` unchanged. They describe the gRPC
messages; the HTTP gateway in front of them differs in a few documented ways, applied here as
``OVERRIDES`` (each with its reason, from ``webitel-api.md``). Validation is strict where the
files are loose: an object may hold only the properties its definition declares (a misnamed
field fails), and an int64 must be a string of digits (a number where Webitel writes a string fails).
"""

from __future__ import annotations

import copy
import json
import re
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft4Validator, FormatChecker

FILES = ("webitel-go.swagger.json", "engine.swagger.json")

# Webitel's error envelope (webitel/engine: pkg/werror/error.go ApplicationError; api_error.proto),
# not the rpcStatus the files name as the default answer.
ERROR_ENVELOPE = {
    "type": "object",
    "required": ["id", "code", "status"],
    "properties": {"id": {"type": "string", "minLength": 1}, "code": {"type": "integer"},
                   "status": {"type": "string"}, "detail": {"type": "string"}, "request_id": {"type": "string"}},
    "additionalProperties": False,
}

# The phone settings' value as it travels (webitel-api.md §2.5: the body is the bare value).
PHONE_SETTINGS = {"type": "object", "properties": {"webrtc": {"type": "boolean"}, "stun": {"type": "boolean"}},
                  "additionalProperties": False}

# operationId -> the schema the gateway really answers with, and why.
OVERRIDES: dict[str, dict] = {
    # webitel.go answers single objects flat, not in the proto's wrapper (webitel-api.md §1,
    # "Single-object responses from webitel.go are flat").
    "ReadUser": {"$ref": "#/definitions/apiUser"},
    "ReadUser2": {"$ref": "#/definitions/apiUser"},  # GET /user, the caller's own user
    "CreateDevice": {"$ref": "#/definitions/apiDevice"},
    "ReadDevice": {"$ref": "#/definitions/apiDevice"},
    "UpdateDevice": {"$ref": "#/definitions/apiDevice"},
    "UpdateDevice2": {"$ref": "#/definitions/apiDevice"},
    "CreateRole": {"$ref": "#/definitions/apiRole"},
    "ReadRole": {"$ref": "#/definitions/apiRole"},
    "UpdateRole": {"$ref": "#/definitions/apiRole"},
    "UpdateRole2": {"$ref": "#/definitions/apiRole"},
    # /user/settings/{key} answers the bare value (webitel-api.md §2.5), here the phone settings.
    "GetUserSettings": PHONE_SETTINGS,
    "SetUserSettings": PHONE_SETTINGS,
}

# Paths the gateway serves that the files do not describe: (method, path template) -> schema.
EXTRA_OPERATIONS: dict[tuple[str, str], dict] = {
    # POST /login answers an OAuth 2.0 token (webitel-api.md §1, "Login").
    ("POST", "/login"): {"$ref": "#/definitions/apiAccessToken"},
    # GET /user is the caller's own user (webitel-api.md §2.1).
    ("GET", "/user"): {"$ref": "#/definitions/apiUser"},
}


def _strict(node: Any) -> Any:
    """Close every object that declares properties, and make int64 strings digits only."""
    if isinstance(node, dict):
        node = {k: _strict(v) for k, v in node.items()}
        if node.get("type") == "object" and "properties" in node and "additionalProperties" not in node:
            node["additionalProperties"] = False
        if node.get("type") == "string" and node.get("format") in ("int64", "uint64"):
            node["pattern"] = r"^-?[0-9]+$"
        return node
    if isinstance(node, list):
        return [_strict(v) for v in node]
    return node


class Operation:
    def __init__(self, method: str, template: str, schema: dict, document: dict, op_id: str) -> None:
        self.method, self.template, self.op_id = method, template, op_id
        self.regex = re.compile("^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template)) + "$")
        self.validator = Draft4Validator({**schema, "definitions": document["definitions"]},
                                         format_checker=FormatChecker())


class Contract:
    def __init__(self) -> None:
        self.operations: list[Operation] = []
        self.error_validator = Draft4Validator(ERROR_ENVELOPE)
        for name in FILES:
            text = resources.files("contract_tests.openapi").joinpath(name).read_text(encoding="utf-8")
            document = _strict(json.loads(text))
            for template, item in document["paths"].items():
                for method, op in item.items():
                    if method.lower() not in ("get", "post", "put", "patch", "delete"):
                        continue
                    schema = OVERRIDES.get(op.get("operationId")) or op["responses"].get("200", {}).get("schema")
                    if schema is not None:
                        self.operations.append(Operation(method.upper(), template, copy.deepcopy(schema), document,
                                                         op.get("operationId", "")))
            if name == FILES[0]:
                for (method, template), schema in EXTRA_OPERATIONS.items():
                    self.operations.append(Operation(method, template, _strict(schema), document, template))
        # Literal paths win over templated ones (/users/search before /users/{id}).
        self.operations.sort(key=lambda op: (op.template.count("{"), -len(op.template)))

    def operation(self, method: str, path: str) -> Operation | None:
        return next((op for op in self.operations if op.method == method and op.regex.match(path)), None)

    def errors(self, method: str, path: str, status: int, body: Any) -> list[str]:
        """What is wrong with ``body`` as Webitel's answer to ``method path`` (empty: nothing)."""
        if status >= 400:
            validator = self.error_validator
            where = "error envelope"
        else:
            op = self.operation(method, path)
            if op is None:
                return [f"{method} {path}: no operation in Webitel's OpenAPI files describes this path"]
            validator, where = op.validator, op.op_id
        return [f"{where}: {'/'.join(map(str, e.absolute_path)) or '<body>'}: {e.message}"
                for e in validator.iter_errors(body)]


@cache
def contract() -> Contract:
    return Contract()
