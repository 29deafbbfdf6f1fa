"""The connector's OpenAPI document in tests: its operations, their schemas ($refs resolved), and a
concrete path for each."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

METHODS = ("get", "post", "put", "patch", "delete")


def operations(spec: dict) -> Iterator[tuple[str, str, dict]]:
    """(METHOD, path template, operation) for every operation of the document."""
    for path, item in spec["paths"].items():
        for method in METHODS:
            if method in item:
                yield method.upper(), path, item[method]


def resolve(spec: dict, schema: dict) -> dict:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def body_schema(spec: dict, operation: dict) -> dict | None:
    body = operation.get("requestBody")
    return resolve(spec, body["content"]["application/json"]["schema"]) if body else None


def string_fields(spec: dict, operation: dict) -> list[str]:
    """The body's properties that take a string (ids and names, not enums or formats)."""
    schema = body_schema(spec, operation) or {"properties": {}}
    return [name for name, prop in schema["properties"].items()
            if prop.get("type") == "string" and "enum" not in prop]


def query_parameters(operation: dict, where: str = "query") -> dict[str, dict]:
    return {p["name"]: p for p in operation.get("parameters", []) if p["in"] == where}


def concrete(path: str, values: Mapping[str, Any]) -> str:
    """The path with each ``{name}`` replaced by ``values[name]``."""
    return re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]), path)
