"""Routing a request under ``/api`` to one of Webitel's operations, by method and path.

Literal paths win over templated ones (``/roles/metadata`` is never ``/roles/{id}``), and among
templated ones the path with fewer parameters wins, as grpc-gateway's patterns do. Built once per
process from the OpenAPI files (compiling a few hundred Werkzeug rules per app would cost more
than the rest of an emulator's start-up)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from .spec import Operation, spec

_PARAM = re.compile(r"\{([^}]+)\}")


class Router:
    def __init__(self, operations: Iterable[Operation]) -> None:
        self.literal: dict[str, dict[str, Operation]] = {}
        templates: dict[str, dict[str, Operation]] = {}
        for op in operations:
            target = templates if "{" in op.template else self.literal
            target.setdefault(op.template, {})[op.method] = op
        # by number of segments: (regex, parameter names, operations by method), most specific first
        self.templated: dict[int, list[tuple[re.Pattern[str], tuple[str, ...], dict[str, Operation]]]] = {}
        for template in sorted(templates, key=lambda t: (t.count("{"), t)):
            names = tuple(_PARAM.findall(template))
            regex = re.compile("^" + _PARAM.sub("([^/]+)", re.escape(template).replace(r"\{", "{").replace(r"\}", "}"))
                               + "$")
            self.templated.setdefault(template.count("/"), []).append((regex, names, templates[template]))

    def match(self, method: str, path: str) -> tuple[Operation | None, dict[str, str]]:
        """The operation for ``method path`` (path under /api) and its path parameters by name;
        None when no operation of Webitel's files has that method and path."""
        ops = self.literal.get(path)
        if ops is not None and method in ops:
            return ops[method], {}
        for regex, names, by_method in self.templated.get(path.count("/"), ()):
            if method in by_method:
                found = regex.match(path)
                if found is not None:
                    return by_method[method], dict(zip(names, found.groups(), strict=True))
        return None, {}


@cache
def router() -> Router:
    return Router(spec().operations.values())
