"""What a request brings: its query string and its JSON body, read strictly. Anything ambiguous or
malformed is a 422 ``validation_error`` naming what is wrong, never a half-read value or a 5xx."""

from __future__ import annotations

import json
import re
from typing import Any

from flask import request
from marshmallow import Schema
from werkzeug.exceptions import RequestEntityTooLarge

from ..errors import ValidationFailed

SURROGATE = re.compile("[\ud800-\udfff]")


def query(schema: Schema | None) -> dict[str, Any]:
    """The query string loaded by ``schema``. A parameter given twice, or any parameter of an
    operation that takes none, is refused."""
    twice = {name: ["given more than once"] for name, values in request.args.lists() if len(values) > 1}
    if twice:
        raise ValidationFailed("A query parameter is given more than once", fields=twice)
    if schema is None:
        if request.args:
            raise ValidationFailed("This operation takes no query parameters",
                                   fields={name: ["Unknown field."] for name in request.args})
        return {}
    return schema.load(request.args.to_dict())


def json_body() -> Any:
    """The body as JSON: UTF-8, strict (no NaN or Infinity, no key twice, no lone UTF-16 surrogate),
    nested no deeper than the parser goes; an empty body is ``{}``."""
    raw = _body_bytes()
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw.decode("utf-8"), object_pairs_hook=_object, parse_constant=_not_a_number)
    except UnicodeDecodeError:
        raise _body_error("The request body is not UTF-8 text", "not UTF-8") from None
    except _DuplicateKey as exc:
        raise _body_error(f"The request body has the key {exc} more than once", f"{exc}: given more than once") \
            from None
    except RecursionError:
        raise _body_error("The request body is nested too deeply", "nested too deeply") from None
    except ValueError as exc:
        raise _body_error("The request body is not valid JSON", f"not valid JSON: {exc}") from None
    where = _lone_surrogate(body)
    if where is not None:
        raise ValidationFailed("The request body holds a lone UTF-16 surrogate, which is not text",
                               fields={where: ["a lone UTF-16 surrogate (\\ud800 to \\udfff) is not text"]})
    return body


def _body_bytes() -> bytes:
    """The body, at most ``MAX_CONTENT_LENGTH`` bytes. werkzeug refuses a larger declared length (413),
    but reads a body without one (chunked, which gunicorn passes on) only up to the limit and stops
    there: a byte beyond it means the body is larger, refused the same way, never acted on cut."""
    raw = request.get_data(cache=True)
    limit = request.max_content_length
    if request.content_length is None and limit is not None and len(raw) >= limit \
            and request.environ["wsgi.input"].read(1):
        raise RequestEntityTooLarge()
    return raw


class _DuplicateKey(ValueError):
    pass


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    for key, value in pairs:
        if key in obj:
            raise _DuplicateKey(json.dumps(key))
        obj[key] = value
    return obj


def _not_a_number(constant: str) -> Any:
    raise ValueError(f"{constant} is not a JSON number")


def _body_error(message: str, detail: str) -> ValidationFailed:
    return ValidationFailed(message, fields={"_body": [detail]})


def _lone_surrogate(body: Any) -> str | None:
    """The path of the first string (or key) holding a lone surrogate, else None. Iterative: a body
    may be nested nearly as deep as the parser allows."""
    stack: list[tuple[str, Any]] = [("_body", body)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            if SURROGATE.search(value):
                return path
        elif isinstance(value, dict):
            for key, item in value.items():
                if SURROGATE.search(key):
                    return path
                stack.append((key if path == "_body" else f"{path}.{key}", item))
        elif isinstance(value, list):
            stack.extend((f"{path}.{index}", item) for index, item in enumerate(value))
    return None
