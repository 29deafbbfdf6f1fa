"""The emulator's own OpenAPI document (``GET /__emulator__/openapi.json``): Webitel's files,
narrowed to the operations the emulator serves, with the gateway's documented differences applied
(``gateway.py``: flat answers, extra paths, the error envelope). Swagger 2.0, as Webitel's files
are; Schemathesis and Prism read it."""

from __future__ import annotations

import copy
import re
from typing import Any

from . import gateway
from .service import Route
from .spec import spec

ERROR_DEFINITION = "emulator.Error"
DESCRIPTION = """Webitel's contact-center core as the emulator serves it: Webitel's published OpenAPI
files (webitel/protos swagger/), only the operations the emulator serves, with the HTTP gateway's
documented differences from the files applied:

- single objects of webitel.go are answered flat, not in the proto's wrapper (ReadUser, CreateRole, ...);
- DELETE /devices answers a bare array of the deleted devices;
- /user/settings/{key} takes and answers the bare value;
- POST /login is served (an OAuth 2.0 token);
- errors are Webitel's envelope {"id", "code", "status", "detail"}, not google.rpc.Status;
- fields at their zero value are left out of answers (grpc-gateway without EmitUnpopulated);
- int64 values written as strings hold digits (a pattern), as the gateway requires;
- path parameters are named with "_" for Webitel's "." ({role_id} for {role.id}), which URI
  template tools read as attribute access; the URLs are the same.

Any other path under /api answers 501 emulator.not_implemented."""


INT64_PATTERN = r"^-?[0-9]{1,18}$"  # digits, and within int64 whatever the digits


def _digits(node: Any) -> Any:
    """Every int64 written as a string gets the pattern of its digits."""
    if isinstance(node, dict):
        node = {k: _digits(v) for k, v in node.items()}
        if node.get("type") == "string" and node.get("format") in ("int64", "uint64"):
            node.setdefault("pattern", INT64_PATTERN)
        return node
    if isinstance(node, list):
        return [_digits(v) for v in node]
    return node


def template(path: str) -> str:
    """``/roles/{role.id}`` -> ``/roles/{role_id}``."""
    return re.sub(r"\{([^}]+)\}", lambda m: "{" + m.group(1).replace(".", "_") + "}", path)


def _operation(route: Route) -> dict[str, Any]:
    op = route.op
    if op.raw:
        out = copy.deepcopy(op.raw)
        for param in out.get("parameters", []):
            if param.get("in") == "path":
                param["name"] = param["name"].replace(".", "_")
    else:  # a path the gateway serves that the files do not describe
        out = {"operationId": op.op_id, "tags": [op.service], "summary": op.op_id,
               "parameters": [{"name": "body", "in": "body", "required": True, "schema": op.body_schema}]
               if op.body_schema is not None else []}
    out["responses"] = {"200": {"description": "A successful response.", "schema": copy.deepcopy(op.response)},
                        "default": {"description": "Webitel's error envelope.",
                                    "schema": {"$ref": f"#/definitions/{ERROR_DEFINITION}"}}}
    if not route.auth:
        out["security"] = []
    return out


def document(routes: dict[str, Route]) -> dict[str, Any]:
    """The served document (a new dict: callers may cache or change it)."""
    paths: dict[str, dict[str, Any]] = {}
    for op_id in sorted(routes):
        route = routes[op_id]
        paths.setdefault(template(route.op.template), {})[route.op.method.lower()] = _digits(_operation(route))
    definitions = _digits(copy.deepcopy(spec().definitions))
    definitions[ERROR_DEFINITION] = copy.deepcopy(gateway.ERROR_ENVELOPE)
    return {
        "swagger": "2.0",
        "info": {"title": "Webitel API (emulator)", "version": "emulator", "description": DESCRIPTION},
        "basePath": "/api",
        "schemes": ["http"],
        "consumes": ["application/json"],
        "produces": ["application/json"],
        "securityDefinitions": {"AccessToken": {"type": "apiKey", "name": "X-Webitel-Access", "in": "header"}},
        "security": [{"AccessToken": []}],
        "paths": paths,
        "definitions": definitions,
    }
