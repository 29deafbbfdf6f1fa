"""API blueprints whose operations are described once: the decorator registers the Flask route,
parses the query and body with marshmallow, serialises the answer, and keeps the description that
the OpenAPI document is built from."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from flask import Blueprint, Response
from marshmallow import Schema

from . import idempotent, ids, inputs

PATH_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")
# The answers of an operation that calls Webitel or Creatio: their error, unavailable, timeout.
UPSTREAM = (502, 503, 504)


@dataclass(frozen=True)
class Operation:
    method: str
    rule: str
    endpoint: str
    summary: str
    description: str
    tag: str
    body: Schema | None
    query: Schema | None
    response: Schema | None
    status: int
    errors: tuple[int, ...]  # its other answers (below 400: another success, with the same body)
    public: bool

    @property
    def openapi_path(self) -> str:
        return PATH_PARAM.sub(lambda m: "{" + m.group(2) + "}", self.rule)

    def path_params(self) -> list[tuple[str, str]]:
        return [(m.group(2), m.group(1) or "string") for m in PATH_PARAM.finditer(self.rule)]


@dataclass(frozen=True)
class Answer:
    """A view's result with a status other than the operation's usual one."""

    body: Any
    status: int


class ApiBlueprint(Blueprint):
    def __init__(self, name: str, import_name: str, *, tag: str, **kwargs: Any) -> None:
        super().__init__(name, import_name, **kwargs)
        self.tag = tag
        self.operations: list[Operation] = []
        self.record_once(lambda state: state.app.url_map.converters.update(ids.CONVERTERS))

    def operation(self, method: str, rule: str, *, summary: str, body: type[Schema] | None = None,
                  query: type[Schema] | None = None, response: type[Schema] | None = None, status: int = 200,
                  errors: tuple[int, ...] = (), public: bool = False) -> Callable:
        def decorate(view: Callable) -> Callable:
            op = Operation(method=method, rule=(self.url_prefix or "") + rule, endpoint=f"{self.name}.{view.__name__}",
                           summary=summary, description=(view.__doc__ or "").strip(), tag=self.tag,
                           body=body() if body else None, query=query() if query else None,
                           response=response() if response else None, status=status, errors=errors, public=public)

            def respond(path: dict[str, Any]) -> Response:
                kwargs = dict(path)
                query = inputs.query(op.query)
                if op.query is not None:
                    kwargs["query"] = query
                if op.body is not None:
                    kwargs["body"] = op.body.load(inputs.json_body())
                result, status = view(**kwargs), op.status
                if isinstance(result, Answer):
                    result, status = result.body, result.status
                if op.response is None:
                    return Response(status=status)
                return Response(json.dumps(op.response.dump(result), ensure_ascii=False), status=status,
                                mimetype="application/json")

            @wraps(view)
            def handler(**path: Any) -> Response:
                ids.check(path)
                if op.method == "POST":  # every POST takes an Idempotency-Key
                    return idempotent.guard(lambda: respond(path))
                return respond(path)

            handler.public = public  # type: ignore[attr-defined]
            self.add_url_rule(rule, view.__name__, handler, methods=[method])
            self.operations.append(op)
            return view

        return decorate

