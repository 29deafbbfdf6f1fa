"""Webitel's own OpenAPI (Swagger 2.0) files as a strict validator of the bodies Webitel answers.

The files (``emulator/openapi/``) are webitel/protos' ``swagger/`` unchanged. They describe the
gRPC messages; the HTTP gateway in front of them differs in a few documented ways, listed once in
``emulator/api/gateway.py`` (each with its reason, from ``docs/emulator.md``) and applied here.
Validation is strict where the files are loose: an object may hold only the properties its
definition declares (a misnamed field fails), an int64 must be a string of digits (a number where
Webitel writes a string fails), and a zero value protojson leaves out (false, 0, "", an empty list
or object) must not be there.
"""

from __future__ import annotations

import copy
import json
import re
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft4Validator, FormatChecker

from emulator.api.gateway import ERROR_ENVELOPE, EXTRA_OPERATIONS, RESPONSE_OVERRIDES, USER_SETTING, WRAPPER_FIELDS

FILES = ("webitel-go.swagger.json", "engine.swagger.json")


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


# Values that are the client's own data (google.protobuf.Struct / Value, maps): protojson writes
# them as they are, zeros included (a Value is a message: written whenever it is set;
# engine.AggregateResult.data is one).
FREE_FORM = frozenset({"payload", "variables", "metadata", "profile", "provision", "value", "preset", "data"})
WRAPPERS = frozenset(field for _definition, field in WRAPPER_FIELDS)


def zero_values(body: Any, where: str = "") -> list[str]:
    """Fields written at their zero value, which grpc-gateway without EmitUnpopulated leaves out
    (false, 0, "", an empty list or object); wrappers (Int32Value) and free-form data excepted.
    (An enum at its first value is zero too: ``protojson.render`` leaves it out by the schema.)"""
    found: list[str] = []
    if isinstance(body, dict):
        for key, value in body.items():
            path = f"{where}/{key}" if where else str(key)
            if key in FREE_FORM:
                continue
            if (value is False or value == 0 or value == "" or value == [] or value == {}) \
                    and not (key in WRAPPERS and value == 0 and value is not False):
                found.append(f"{path}: zero value {value!r} is written (protojson leaves it out)")
            else:
                found += zero_values(value, path)
    elif isinstance(body, list):
        for i, item in enumerate(body):
            found += zero_values(item, f"{where}/{i}")
    return found


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
            text = resources.files("emulator.openapi").joinpath(name).read_text(encoding="utf-8")
            document = _strict(json.loads(text))
            for template, item in document["paths"].items():
                for method, op in item.items():
                    if method.lower() not in ("get", "post", "put", "patch", "delete"):
                        continue
                    answer = op["responses"].get("200", {}).get("schema")
                    schema = RESPONSE_OVERRIDES.get(op.get("operationId")) or answer
                    if schema is not None:
                        self.operations.append(Operation(method.upper(), template, copy.deepcopy(schema), document,
                                                         op.get("operationId", "")))
            if name == FILES[0]:
                for op_id, (method, template, _service, schema, _body) in EXTRA_OPERATIONS.items():
                    self.operations.append(Operation(method, template, _strict(schema), document, op_id))
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
        errors = [f"{where}: {'/'.join(map(str, e.absolute_path)) or '<body>'}: {e.message}"
                  for e in validator.iter_errors(body)]
        if status < 400 and RESPONSE_OVERRIDES.get(where) is not USER_SETTING:
            errors += [f"{where}: {e}" for e in zero_values(body)]
        return errors


@cache
def contract() -> Contract:
    return Contract()
