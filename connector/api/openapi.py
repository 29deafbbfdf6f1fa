"""The OpenAPI 3 document, built from the operations' own marshmallow schemas (apispec)."""

from __future__ import annotations

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask

from .ids import openapi_schema
from .links import links, operation_id
from .routing import ApiBlueprint, Operation
from .schemas import ErrorSchema

ERROR_TEXT = {
    400: "A business rule refuses it (not_a_creatio_user, username_not_allowed, not_an_agent, "
         "call_center_license_required, call_center_license_in_use, ...)",
    401: "unauthorized: missing or wrong bearer token",
    404: "not_found (also: an id in the path that is not one, named in the message)",
    405: "method_not_allowed: not with this configuration (e.g. system users of a live Creatio are managed there)",
    409: "A conflict (already_exists, extension_taken, username_taken, license_exhausted, license_expired, "
         "operation_in_progress)",
    413: "payload_too_large: the body is larger than CONNECTOR_MAX_BODY_BYTES (1 MB)",
    422: "validation_error, with the messages by field in error.fields (the body, the query, the path)",
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
    every = [op for blueprint in app.blueprints.values() if isinstance(blueprint, ApiBlueprint)
             for op in blueprint.operations]
    operations: dict[str, dict] = {}
    for op in every:
        operations.setdefault(op.openapi_path, {})[op.method.lower()] = _operation(op, links(op, every))
    for path in sorted(operations):
        spec.path(path=path, operations=operations[path])
    doc = spec.to_dict()
    doc["security"] = [{"bearer": []}]
    return doc


def _edge_errors(op: Operation) -> set[int]:
    """What the API's edge may answer before the operation runs: 401 (no token), 404 (a malformed
    id in the path), 413 (a body too large), 422 (a malformed query or body)."""
    return ({401} if not op.public else set()) | {422} | ({404} if op.path_params() else set()) | (
        {413} if op.body is not None else set())


def _operation(op: Operation, linked: dict[str, dict]) -> dict:
    parameters = [{"in": "path", "name": name, "required": True, "schema": openapi_schema(kind)}
                  for name, kind in op.path_params()]
    if op.query is not None:
        parameters.append({"in": "query", "schema": op.query})
    if op.method == "POST":
        parameters.append({"in": "header", "name": "Idempotency-Key", "required": False,
                           "schema": {"type": "string", "pattern": r"^[\x21-\x7e]{1,200}$"},
                           "description": "repeat the request with the same key to get the first answer again; the "
                                          "work is done once (409 request_in_progress while it runs, 422 "
                                          "idempotency_key_reused for another request)"})
    success: dict = {"description": "OK" if op.status != 204 else "Done (no body)"}
    if op.response is not None:
        success["content"] = {"application/json": {"schema": op.response}}
    if linked:
        success["links"] = linked
    responses = {str(op.status): success}
    for status in sorted({*op.errors, *_edge_errors(op)}):
        if status < 400:  # another success, with the same body (an import that finished at once: 200)
            responses[str(status)] = success
        elif str(status) not in responses:
            responses[str(status)] = {"description": ERROR_TEXT.get(status, "error"),
                                      "content": {"application/json": {"schema": "Error"}}}
    if op.public and op.response is not None and 503 in op.errors:
        responses["503"] = {"description": ERROR_TEXT[503], "content": {"application/json": {"schema": op.response}}}
    operation = {"summary": op.summary, "tags": [op.tag], "operationId": operation_id(op),
                 "parameters": parameters, "responses": responses}
    if op.description:
        operation["description"] = op.description
    if op.body is not None:  # an empty body is {}: it may be left out when no field is required
        required = any(field.required for field in op.body.fields.values())
        operation["requestBody"] = {"required": required, "content": {"application/json": {"schema": op.body}}}
    if op.public:
        operation["security"] = []
    return operation
