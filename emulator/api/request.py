"""Reading a request to one of Webitel's operations: path, query and body, typed by the OpenAPI
parameters, into a :class:`Call` that the service's view receives.

- path parameters: int64 ids from digits (``GET /users/abc`` is a 400 naming ``id``);
- query parameters by their declared types; repeated ones in every form Webitel's clients send
  (``id=1&id=2``, ``id[]=1``, ``id[0]=1``, ``id=1,2``); booleans in Go's ``ParseBool`` forms;
  unknown ones ignored, as grpc-gateway does;
- the body decoded by its schema (``protojson.decode``); an operation that names an ``entity``
  (``role`` in ``{"role": {...}, "copy_id": "1"}``) takes it wrapped or flat, the wrapper's
  siblings (``copy_id``, ``fields``) read beside it either way;
- the update mask: ``fields`` when sent (query or body), else, on PATCH, the top-level keys of
  the entity sent (what Webitel's gateway derives for clients that send none).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar, cast

from ..errors import bad_args
from ..store import ListQuery
from . import protojson
from .spec import Operation, Param, spec

if TYPE_CHECKING:
    from ..state import Domain, Session, World
    from ..store import Store

S = TypeVar("S", bound="Store")
MAX_PAGE_SIZE = 20000  # the engine's limit (model/search_list.go)


def multi(args: Mapping[str, Any], name: str, *, split: bool = True) -> list[str]:
    """A repeated query parameter in any of the forms Webitel's clients send:
    ``name=a&name=b``, ``name[]=a``, ``name[0]=a`` and (``split``) ``name=a,b``."""
    values: list[str] = []
    getlist = getattr(args, "getlist", None)
    indexed = sorted((k for k in args if k.startswith(f"{name}[") and k.endswith("]")
                      and k[len(name) + 1:-1].isdigit()), key=lambda k: int(k[len(name) + 1:-1]))
    for key in (name, f"{name}[]", *indexed):
        raw = getlist(key) if getlist else ([args[key]] if key in args else [])
        for value in raw:
            if split:
                values.extend(v for v in str(value).split(",") if v != "")
            elif value != "":
                values.append(str(value))
    return values


def _scalar(param_schema: dict, text: str, where: str) -> Any:
    kind, fmt = param_schema.get("type"), param_schema.get("format")
    if kind == "boolean":
        return protojson.read_bool_text(text, where)
    if kind == "integer" or (kind == "string" and fmt in ("int64", "uint64")):
        return protojson.read_int(text, where, fmt if fmt in ("int32", "uint32", "uint64") else "int64")
    if kind == "number":
        return protojson.read_number(text, where)
    enum = param_schema.get("enum")
    return protojson.read_enum(text, enum, where) if enum else text


def read_query(args: Mapping[str, Any], params: tuple[Param, ...]) -> dict[str, Any]:
    """The declared query parameters that were sent, typed."""
    out: dict[str, Any] = {}
    for param in params:
        schema = param.schema
        if schema.get("type") == "array":
            values = multi(args, param.name)
            if values:
                item = schema.get("items") or {}
                out[param.name] = [_scalar(item, v, param.name) for v in values]
        else:
            values = multi(args, param.name, split=False)
            if values:
                out[param.name] = _scalar(schema, values[0], param.name)
    return out


def list_query(source: Mapping[str, Any], default_size: int) -> ListQuery:
    """Paging, search and projection from typed parameters (query or a search body)."""
    page, size = source.get("page") or 1, source.get("size") or 0
    sort = []
    raw_sort = source.get("sort") or ()
    for item in raw_sort.split(",") if isinstance(raw_sort, str) else raw_sort:
        item = item.strip()
        sort.append((item.lstrip("+-! "), item[:1] in ("-", "!")))
    return ListQuery(page=max(page, 1), size=min(size if size > 0 else default_size, MAX_PAGE_SIZE),
                     q=source.get("q") or None, sort=tuple(sort), fields=tuple(source.get("fields") or ()))


@dataclass
class Call:
    """One request to a served operation, read and typed: what a view works with.

    ``body`` is the entity (unwrapped), ``extra`` the body's other keys (``copy_id``, ``fields``),
    ``fields`` the update mask (None: replace every attribute, as PUT does)."""

    op: Operation
    world: World
    session: Session | None
    domain: Domain  # the caller's domain (unset only for operations served without a token)
    path: dict[str, Any] = field(default_factory=dict)
    query: dict[str, Any] = field(default_factory=dict)
    body: Any = None
    extra: dict[str, Any] = field(default_factory=dict)
    fields: tuple[str, ...] | None = None

    @property
    def user_id(self) -> int | None:
        return self.session.user_id if self.session is not None else None

    def store(self, kind: type[S]) -> S:
        return self.domain.store(kind)

    def ids(self, name: str, source: dict[str, Any] | None = None) -> list[int]:
        """Ids filter ``name`` as integers (some of Webitel's messages declare ids as strings)."""
        values = (self.query if source is None else source).get(name) or []
        return [protojson.read_int(v, name) for v in (values if isinstance(values, list) else [values])]

    def list_query(self, default_size: int) -> ListQuery:
        return list_query({**self.query, **self.extra}, default_size)

    def changed(self, name: str) -> bool:
        """``name`` is in the update mask (always on PUT without ``fields``)."""
        return self.fields is None or name in self.fields


def _entity_schemas(op: Operation, entity: str | None) -> tuple[dict | None, dict | None, tuple[str, ...]]:
    """(schema of the entity, schema of the whole body, names of the entity's siblings)."""
    body = op.body_schema
    if body is None:
        return None, None, ()
    if entity is None:
        return body, body, ()
    resolved = spec().resolve(body)
    properties = resolved.get("properties", {})
    if entity in properties and spec().resolve(properties[entity]).get("properties") is not None:
        return properties[entity], body, tuple(k for k in properties if k != entity)
    return body, None, ()


def read_body(raw: bytes) -> Any:
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except (ValueError, RecursionError) as exc:  # RecursionError: nested deeper than the parser goes
        raise bad_args(f"invalid JSON body: {str(exc)[:200]}") from exc


def read_call(op: Operation, entity: str | None, path_args: Mapping[str, str],
              args: Mapping[str, Any], raw_body: bytes, world: World, session: Session | None,
              domain: Domain | None) -> Call:
    call = Call(op=op, world=world, session=session, domain=cast("Domain", domain))
    for param in op.path_params:
        text = path_args[param.name]
        call.path[param.name] = _scalar(param.schema, text, param.name)
    if args:
        call.query = read_query(args, op.query_params)
    explicit: list[str] = list(call.query.get("fields") or ()) if op.method in ("PUT", "PATCH") else []
    schema = op.body_schema
    if schema is not None:
        sent = read_body(raw_body)
        entity_schema, whole, siblings = _entity_schemas(op, entity)
        resolved = spec().resolve(schema)
        if sent is None:
            sent = [] if resolved.get("type") == "array" else {}
        keys: tuple[str, ...] = ()
        if isinstance(sent, dict) and entity is not None:
            inner = sent.get(entity)
            entity_props = spec().resolve(entity_schema or {}).get("properties", {})
            # An object under the entity's key is the wrapper, unless the entity itself has an
            # object field of that name ({"domain": {"domain": "x.org"}}: the field is a string).
            same_name = spec().resolve(entity_props[entity]) if entity in entity_props else None
            wrapped = isinstance(inner, dict) and (same_name is None or not (
                same_name.get("type") == "object" or "properties" in same_name))
            flat: dict[str, Any] = inner if wrapped and isinstance(inner, dict) else {
                k: v for k, v in sent.items() if k not in siblings}
            assert entity_schema is not None
            call.body = protojson.decode(entity_schema, flat, entity if wrapped else "")
            keys = tuple(flat)
            if whole is not None and siblings:
                call.extra = protojson.decode(whole, {k: v for k, v in sent.items() if k in siblings})
        else:
            call.body = protojson.decode(schema, sent)
            keys = tuple(sent) if isinstance(sent, dict) else ()
        if isinstance(call.body, dict) and "fields" in call.body and not call.extra.get("fields"):
            call.extra["fields"] = call.body.pop("fields")
        explicit = explicit or list(call.extra.get("fields") or ())
        if op.method == "PATCH" and not explicit:
            explicit = [k for k in keys if k != "fields"]
    if explicit or op.method == "PATCH":
        call.fields = tuple(dict.fromkeys(f.split(".", 1)[0] for f in explicit))
    return call
