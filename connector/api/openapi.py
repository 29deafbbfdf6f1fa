"""The OpenAPI 3 document, built from the operations' own marshmallow schemas (apispec)."""

from __future__ import annotations

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask

from .ids import openapi_schema
from .routing import ApiBlueprint, Operation
from .schemas import ErrorSchema

ERROR_TEXT = {
    400: "A business rule refuses it (not_a_creatio_user, username_not_allowed, ...)",
    401: "unauthorized: missing or wrong bearer token",
    404: "not_found",
    405: "method_not_allowed: not with this configuration (e.g. system users of a live Creatio are managed there)",
    409: "A conflict (already_exists, extension_taken, username_taken, license_exhausted, license_expired, "
         "operation_in_progress)",
    422: "validation_error, with the messages by field in error.fields",
    502: "webitel_error: Webitel refused or failed; creatio_error, creatio_auth_failed: a live Creatio did",
    503: "webitel_unavailable, creatio_unavailable, database_error, or (health) a check failed",
    504: "webitel_timeout, creatio_timeout",
}


def build_spec(app: Flask) -> dict:
    spec = APISpec(title="Webitel connector for Creatio", version="1", openapi_version="3.0.3",
                   plugins=[MarshmallowPlugin()],
                   info={"description": "The API Creatio pages and processes call. Errors are always "
                                        "{\"error\": {\"code\", \"message\", \"fields\"?, \"webitel\"?}}."})
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    spec.components.schema("Error", schema=ErrorSchema)
    operations: dict[str, dict] = {}
    for blueprint in app.blueprints.values():
        if isinstance(blueprint, ApiBlueprint):
            for op in blueprint.operations:
                operations.setdefault(op.openapi_path, {})[op.method.lower()] = _operation(op)
    for path in sorted(operations):
        spec.path(path=path, operations=operations[path])
    doc = spec.to_dict()
    doc["security"] = [{"bearer": []}]
    return doc


def _operation(op: Operation) -> dict:
    parameters = [{"in": "path", "name": name, "required": True, "schema": openapi_schema(kind)}
                  for name, kind in op.path_params()]
    if op.query is not None:
        parameters.append({"in": "query", "schema": op.query})
    success: dict = {"description": "OK" if op.status != 204 else "Done (no body)"}
    if op.response is not None:
        success["content"] = {"application/json": {"schema": op.response}}
    responses = {str(op.status): success}
    for status in (*op.errors, *(() if op.public else (401,))):
        if str(status) in responses:  # health: 503 carries the same body as 200
            continue
        responses[str(status)] = {"description": ERROR_TEXT.get(status, "error"),
                                  "content": {"application/json": {"schema": "Error"}}}
    if op.public and op.response is not None and 503 in op.errors:
        responses["503"] = {"description": ERROR_TEXT[503], "content": {"application/json": {"schema": op.response}}}
    operation = {"summary": op.summary, "tags": [op.tag], "operationId": op.endpoint.replace(".", "_"),
                 "parameters": parameters, "responses": responses}
    if op.description:
        operation["description"] = op.description
    if op.body is not None:
        operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": op.body}}}
    if op.public:
        operation["security"] = []
    return operation
