"""OpenAPI links: where an answer's id goes next (a created Webitel user's id into every operation
on it, a grant's id into its revocation), so that a reader — and a stateful test — can chain the
operations. Derived from the operations themselves, so a new one is linked without a list."""

from __future__ import annotations

from marshmallow import Schema

from .routing import Operation
from .schemas import CreatioUserSchema, ImportJobSchema, WebitelUserSchema

# An answer of these schemas is the resource that the operations with this path parameter act on.
RESOURCE_IDS: dict[type[Schema], str] = {WebitelUserSchema: "record_id", CreatioUserSchema: "user_id",
                                         ImportJobSchema: "job_id"}
# ... and whose id these operations take in their body.
BODY_IDS: dict[type[Schema], tuple[str, str]] = {CreatioUserSchema: ("webitel_users.create_webitel_user", "user_id")}


def operation_id(op: Operation) -> str:
    return op.endpoint.replace(".", "_")


def links(op: Operation, operations: list[Operation]) -> dict[str, dict]:
    """The links of ``op``'s success answer: to every operation whose path takes the answer's id, its
    other path parameters from ``op``'s own path or body (a grant's license_id into the revocation)."""
    if op.response is None or op.status >= 300:
        return {}
    kind = type(op.response)
    found: dict[str, dict] = {}
    if kind in RESOURCE_IDS:
        own_path = {name for name, _ in op.path_params()}
        own_body = set(op.body.fields) if op.body is not None else set()
        for target in operations:
            names = [name for name, _ in target.path_params()]
            if RESOURCE_IDS[kind] not in names:
                continue
            parameters = {}
            for name in names:
                if name == RESOURCE_IDS[kind]:
                    parameters[name] = "$response.body#/id"
                elif name in own_path:
                    parameters[name] = f"$request.path.{name}"
                elif name in own_body:
                    parameters[name] = f"$request.body#/{name}"
            if len(parameters) == len(names):
                found[operation_id(target)] = {"operationId": operation_id(target), "parameters": parameters}
    if kind in BODY_IDS:
        endpoint, field = BODY_IDS[kind]
        target = next(o for o in operations if o.endpoint == endpoint)
        # An object with an expression in it: Schemathesis merges it into the body it generates.
        found[operation_id(target)] = {"operationId": operation_id(target),
                                       "requestBody": {field: "$response.body#/id"},
                                       "description": f"{field}: this answer's id"}
    return found
