"""Webitel's operations, from its published OpenAPI files (``emulator/openapi/``).

Each operation is known by its ``operationId``: its method and path, its service (the first tag),
its path and query parameters, its body and the schema of its answer, with the gateway's
documented differences from the files applied (``gateway.py``). The emulator routes, reads and
answers every request from these, so that a served operation takes its shapes from Webitel's
own description and not from a copy typed by hand.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from . import gateway

FILES = ("webitel-go.swagger.json", "engine.swagger.json")
METHODS = ("get", "post", "put", "patch", "delete")


@dataclass(frozen=True)
class Param:
    """A path or query parameter: its name as Webitel spells it (``role.id``) and its schema."""

    name: str
    where: str  # "path" or "query"
    schema: dict


@dataclass(frozen=True)
class Operation:
    op_id: str
    method: str  # upper case
    template: str  # OpenAPI path template under /api, e.g. /roles/{role.id}
    service: str  # the first tag, e.g. "Roles", "AgentService"
    document: str  # the file it comes from
    params: tuple[Param, ...]
    body_name: str | None  # the body parameter's name ("user", "body", "selection")
    body_schema: dict | None
    response: dict  # the answer's schema (gateway overrides applied)
    summary: str = ""
    raw: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def path_params(self) -> tuple[Param, ...]:
        return tuple(p for p in self.params if p.where == "path")

    @property
    def query_params(self) -> tuple[Param, ...]:
        return tuple(p for p in self.params if p.where == "query")


def _param_schema(param: dict) -> dict:
    return {k: v for k, v in param.items() if k in ("type", "format", "items", "enum", "collectionFormat")}


class Spec:
    """Every operation of Webitel's OpenAPI files, and their definitions."""

    def __init__(self) -> None:
        self.documents: dict[str, dict] = {}
        self.definitions: dict[str, dict] = {}
        self.operations: dict[str, Operation] = {}
        for name in FILES:
            doc = json.loads(resources.files("emulator.openapi").joinpath(name).read_text(encoding="utf-8"))
            self.documents[name] = doc
            self.definitions.update(doc["definitions"])
            for template, item in doc["paths"].items():
                for method, op in item.items():
                    if method in METHODS:
                        self._add(name, method, template, op)
        for op_id, (method, template, service, response, body) in gateway.EXTRA_OPERATIONS.items():
            self.operations[op_id] = Operation(
                op_id=op_id, method=method, template=template, service=service, document="gateway",
                params=(), body_name="body" if body else None, body_schema=body, response=response)

    def _add(self, document: str, method: str, template: str, op: dict) -> None:
        op_id = op["operationId"]
        params, body_name, body_schema = [], None, None
        for p in op.get("parameters", []):
            if p["in"] == "body":
                body_name, body_schema = p["name"], p["schema"]
            elif p["in"] in ("path", "query"):
                params.append(Param(p["name"], p["in"], _param_schema(p)))
        if body_schema is None and op_id in gateway.REQUEST_BODIES:
            body_name, body_schema = "body", gateway.REQUEST_BODIES[op_id]
        response = gateway.RESPONSE_OVERRIDES.get(op_id) or op["responses"].get("200", {}).get("schema") or {}
        self.operations[op_id] = Operation(
            op_id=op_id, method=method.upper(), template=template, service=(op.get("tags") or ["?"])[0],
            document=document, params=tuple(params), body_name=body_name, body_schema=body_schema,
            response=response, summary=op.get("summary", ""), raw=op)

    def resolve(self, schema: dict) -> dict:
        """The schema a ``$ref`` points at (other keys of the referring schema are Webitel's notes)."""
        while "$ref" in schema:
            schema = self.definitions[schema["$ref"].rsplit("/", 1)[1]]
        return schema

    def operation(self, op_id: str) -> Operation:
        try:
            return self.operations[op_id]
        except KeyError:
            raise KeyError(f"no operation {op_id!r} in Webitel's OpenAPI files") from None


@cache
def spec() -> Spec:
    return Spec()
