"""Ids in paths: a converter matches any segment where an id belongs, so that a malformed one
reaches the operation and is answered 404 ``not_found`` naming it (werkzeug's own converters would
not match, and the answer would be "no such endpoint")."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

from werkzeug.routing import BaseConverter

from ..errors import NotFound
from .schemas import WEBITEL_ID


@dataclass(frozen=True)
class MalformedId:
    """A path segment where an id belongs that is not one."""

    text: str
    kind: str


class IdConverter(BaseConverter):
    kind = "an id"
    pattern = "[^/]+"
    openapi: dict[str, Any] = {"type": "string"}

    def to_python(self, value: str) -> Any:
        return self.parse(value) if re.fullmatch(self.pattern, value) else MalformedId(value, self.kind)

    def parse(self, value: str) -> Any:
        return value

    def to_url(self, value: Any) -> str:
        return super().to_url(str(value))


class UuidConverter(IdConverter):
    kind = "a UUID"
    pattern = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
    openapi = {"type": "string", "format": "uuid"}

    def parse(self, value: str) -> uuid.UUID:
        return uuid.UUID(value)


class WebitelIdConverter(IdConverter):
    kind = "a Webitel id (digits within int64)"
    pattern = WEBITEL_ID
    openapi = {"type": "string", "pattern": f"^{WEBITEL_ID}$"}


# "uuid" replaces werkzeug's own, so that the rules keep their usual spelling.
CONVERTERS: dict[str, type[IdConverter]] = {"uuid": UuidConverter, "webitel_id": WebitelIdConverter}


def openapi_schema(kind: str) -> dict[str, Any]:
    """The OpenAPI schema of a path parameter of the converter ``kind`` (plain ``<name>``: a string)."""
    return dict(CONVERTERS.get(kind, IdConverter).openapi)


def check(path: dict[str, Any]) -> None:
    """404 ``not_found`` naming the first malformed id of a request's path (its first 100 characters)."""
    for name, value in path.items():
        if isinstance(value, MalformedId):
            shown = value.text if len(value.text) <= 100 else value.text[:100] + "…"
            raise NotFound(f"Nothing has the {name} {shown!r}: it is not {value.kind}")
