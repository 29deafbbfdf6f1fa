"""protojson as Webitel's gateway speaks it, driven by the OpenAPI schemas: the one place that
shapes every answer and reads every body.

Answers (:func:`render`): grpc-gateway without ``EmitUnpopulated`` leaves out every field at its
zero value (``false``, ``0``, ``""``, null, an empty list, an empty object); int64 fields are
written as strings, int32 as numbers; ``google.protobuf.Int32Value`` wrappers (``gateway.py``) are
written even when 0. A key a definition does not declare is an emulator bug and raises.

Bodies (:func:`decode`): every value is checked against its field's type (a string where an int64
is expected must hold digits, a bool must be a JSON boolean, a repeated field a list, a message an
object); null means absent; keys a definition does not declare are dropped (protojson's
``DiscardUnknown``, which grpc-gateway sets). A mistyped value is a 400 ``api.process.bad_args``
naming the field (``roles[1].id: invalid value for int64 type: 'x'``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import bad_args
from . import gateway
from .spec import spec

INT64_RANGE = (-(2**63), 2**63 - 1)
INT32_RANGE = (-(2**31), 2**31 - 1)
UINT32_RANGE = (0, 2**32 - 1)
UINT64_RANGE = (0, 2**64 - 1)


class RenderError(Exception):
    """The emulator built an answer its own schema does not allow (a bug, never the client's fault)."""


# -- scalar readers (shared with query parameters) ------------------------------------------------
def read_int(value: Any, where: str, kind: str = "int64") -> int:
    """An integer as protojson reads it: a JSON number without a fraction, or a string of digits."""
    lo, hi = {"int32": INT32_RANGE, "uint32": UINT32_RANGE, "uint64": UINT64_RANGE}.get(kind, INT64_RANGE)
    if isinstance(value, bool):
        raise bad_args(f"{where}: invalid value for {kind} type: {value!r}")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and value.strip().lstrip("-").isdigit() and value.strip().isascii():
        number = int(value.strip())
    elif value == "":
        number = 0  # an empty id is "no reference" (the contract tests' reading of protojson)
    else:
        raise bad_args(f"{where}: invalid value for {kind} type: {value!r}")
    if not lo <= number <= hi:
        raise bad_args(f"{where}: value out of range for {kind}: {value!r}")
    return number


def read_bool_text(value: str, where: str) -> bool:
    """A boolean query parameter (Go's ``strconv.ParseBool`` forms)."""
    text = value.strip()
    if text in ("1", "t", "T", "true", "TRUE", "True"):
        return True
    if text in ("0", "f", "F", "false", "FALSE", "False"):
        return False
    raise bad_args(f"{where}: invalid value for bool type: {value!r}")


def read_enum(value: Any, names: tuple[str, ...] | list[str], where: str) -> str:
    """An enum by its name or its number (protojson reads both), as its name."""
    if isinstance(value, str) and value in names:
        return value
    number = value if isinstance(value, int) and not isinstance(value, bool) else (
        int(value) if isinstance(value, str) and value.isdigit() else None)
    if number is not None and 0 <= number < len(names):
        return names[number]
    raise bad_args(f"{where}: invalid value for enum type: {value!r} (one of {', '.join(names)})")


def read_number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise bad_args(f"{where}: invalid value for number type: {value!r}")
    try:
        return float(value)
    except ValueError:
        raise bad_args(f"{where}: invalid value for number type: {value!r}") from None


SCALARS = frozenset({"str", "int", "bool", "num", "any", "struct"})
SCALAR, INT64, MESSAGE, MESSAGES, OTHER, ENUM = range(6)  # how a message's field is written (Shape.plan)


# -- compiled schemas --------------------------------------------------------------------------------
class Shape:
    """One schema, compiled: ``kind`` is one of str, i64s (int64 as a string), int, bool, num, list,
    msg (declared properties), map (additionalProperties), struct (any JSON object), any (any JSON)."""

    __slots__ = ("kind", "name", "fields", "item", "keep_zero", "int_kind", "enum", "open", "_plan")

    def __init__(self, kind: str, name: str = "") -> None:
        self.kind = kind
        self.name = name
        self.fields: dict[str, Shape] = {}
        self.item: Shape | None = None
        self.keep_zero: frozenset[str] = frozenset()
        self.int_kind = "int64"
        self.enum: tuple[str, ...] = ()
        self.open = False  # a message that also takes keys it does not declare (additionalProperties: true)
        self._plan: dict[str, tuple[int, Shape]] | None = None

    def plan(self) -> dict[str, tuple[int, Shape]]:
        """Field name -> (how it is written, its shape): worked out once, on first use (a
        definition may refer to itself, so not while compiling)."""
        if self._plan is None:
            plan = {}
            for key, sub in self.fields.items():
                if sub.enum:
                    code = ENUM
                elif sub.kind in SCALARS:
                    code = SCALAR
                elif sub.kind == "i64s":
                    code = INT64
                elif sub.kind == "msg":
                    code = MESSAGE
                elif sub.kind == "list" and sub.item is not None and sub.item.kind == "msg":
                    code, sub = MESSAGES, sub.item
                else:
                    code = OTHER
                plan[key] = (code, sub)
            self._plan = plan
        return self._plan


_compiled: dict[int, tuple[dict, Shape]] = {}
_by_definition: dict[str, Shape] = {}


def shape(schema: dict) -> Shape:
    """The compiled form of ``schema`` (cached; definitions compiled once, recursion allowed)."""
    ref = schema.get("$ref")
    if isinstance(ref, str) and len(schema) == 1:
        return _by_definition.get(ref.rsplit("/", 1)[1]) or _compile(schema)
    cached = _compiled.get(id(schema))
    if cached is not None:
        return cached[1]
    compiled = _compile(schema)
    _compiled[id(schema)] = (schema, compiled)  # the schema is kept so that its id stays its own
    return compiled


def _int_kind(fmt: str | None) -> str:
    return fmt if fmt in ("int32", "uint32", "uint64") else "int64"


def _compile(schema: dict) -> Shape:
    ref = schema.get("$ref")
    if isinstance(ref, str):
        name = ref.rsplit("/", 1)[1]
        if name in _by_definition:
            return _by_definition[name]
        target = spec().definitions[name]
        result = Shape("msg", name)
        _by_definition[name] = result  # before the fields: a definition may refer to itself
        _fill(result, target, name)
        return result
    result = Shape("any")
    _fill(result, schema, "")
    return result


def _fill(result: Shape, schema: dict, name: str) -> None:
    kind, fmt = schema.get("type"), schema.get("format")
    if kind == "string":
        result.kind = "i64s" if fmt in ("int64", "uint64") else "str"
        result.int_kind = _int_kind(fmt)
        result.enum = tuple(schema.get("enum", ()))
    elif kind == "integer":
        result.kind, result.int_kind = "int", _int_kind(fmt)
    elif kind == "boolean":
        result.kind = "bool"
    elif kind == "number":
        result.kind = "num"
    elif kind == "array":
        result.kind = "list"
        result.item = shape(schema.get("items") or {})
    elif "properties" in schema:
        result.kind = "msg"
        result.fields = {key: shape(sub) for key, sub in schema["properties"].items()}
        result.keep_zero = frozenset(f for (d, f) in gateway.WRAPPER_FIELDS if d == name)
        result.open = schema.get("additionalProperties") is True
    elif isinstance(schema.get("additionalProperties"), dict) and schema["additionalProperties"]:
        result.kind = "map"
        result.item = shape(schema["additionalProperties"])
    elif kind == "object" and name:
        result.kind = "msg"  # an empty message (UpdatePasswordResponse {}): no fields at all
    elif kind == "object":
        result.kind = "struct"  # google.protobuf.Struct: any JSON object
    else:
        result.kind = "any"


# -- answers -----------------------------------------------------------------------------------------


def render(schema: dict, value: Any) -> Any:
    """``value`` (plain Python: ints, strings, bools, dicts, lists, None) as Webitel writes it."""
    return _render(shape(schema), value)


def render_as(definition: str, value: Any) -> Any:
    """``value`` written as Webitel's definition ``definition`` (e.g. ``apiUser``)."""
    return render({"$ref": f"#/definitions/{definition}"}, value)


def _render(sh: Shape, value: Any) -> Any:
    kind = sh.kind
    if kind == "msg":
        return _message(sh, value)
    if kind == "i64s":
        return str(value)
    if kind == "list":
        return [_render_item(sh.item, x) for x in value]  # type: ignore[arg-type]
    if kind == "map":
        return {str(k): _render_item(sh.item, v) for k, v in value.items()}  # type: ignore[arg-type]
    return value


def _message(sh: Shape, value: Any) -> dict:
    """A message: every field at its zero value (``not item``: None, False, 0, "", [], {}) left out,
    but a wrapper's 0; scalars written in place, the rest rendered in turn."""
    if type(value) is not dict and not isinstance(value, Mapping):  # the ABC check is slow: dicts first
        raise RenderError(f"{sh.name or 'object'}: expected an object, got {type(value).__name__}")
    plan, keep = sh.plan(), sh.keep_zero
    out = {}
    for key, item in value.items():
        step = plan.get(key)
        if step is None:
            if sh.open:
                out[key] = item
                continue
            raise RenderError(f"{sh.name or 'object'}: no field {key!r}")
        if not item:
            if item is not None and key in keep:
                out[key] = item
            continue
        code, sub = step
        if code == SCALAR:
            out[key] = item
        elif code == ENUM:
            if item != sub.enum[0]:  # an enum's first value is its zero
                out[key] = item
        elif code == INT64:
            out[key] = str(item)
        else:
            rendered = _message(sub, item) if code == MESSAGE else [_message(sub, x if x is not None else {})
                                                                    for x in item] if code == MESSAGES \
                else _render(sub, item)
            if rendered:
                out[key] = rendered
    return out


def _render_item(sh: Shape, value: Any) -> Any:
    """An element of a repeated field or a map value: written even at its zero value."""
    if sh.kind == "msg":
        return _message(sh, value if value is not None else {})
    if sh.kind == "i64s":
        return str(value)
    return _render(sh, value)


# -- bodies ------------------------------------------------------------------------------------------
def decode(schema: dict, value: Any, where: str = "") -> Any:
    """A request body (or part of one) read by ``schema``; see the module's docstring."""
    return _decode(shape(schema), value, where)


def _name(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _decode(sh: Shape, value: Any, where: str) -> Any:
    kind = sh.kind
    label = where or "body"
    if kind == "msg":
        if not isinstance(value, Mapping):
            raise bad_args(f"{label}: expected an object, got {_json_type(value)}")
        if not sh.fields:
            return dict(value)
        out = {}
        for key, item in value.items():
            sub = sh.fields.get(key)
            if sub is None and sh.open:
                out[key] = item
                continue
            if sub is None or item is None:
                continue  # unknown fields are discarded; null is absent
            out[key] = _decode(sub, item, _name(where, key))
        return out
    if kind == "str":
        if sh.enum:
            return read_enum(value, sh.enum, label)
        if not isinstance(value, str):
            raise bad_args(f"{label}: invalid value for string type: {value!r}")
        return value
    if kind in ("i64s", "int"):
        return read_int(value, label, sh.int_kind)
    if kind == "bool":
        if not isinstance(value, bool):
            raise bad_args(f"{label}: invalid value for bool type: {value!r}")
        return value
    if kind == "num":
        return read_number(value, label)
    if kind == "struct":
        if not isinstance(value, Mapping):
            raise bad_args(f"{label}: expected an object, got {_json_type(value)}")
        return dict(value)
    if kind == "list":
        if not isinstance(value, list):
            raise bad_args(f"{label}: expected a list, got {_json_type(value)}")
        item_shape = sh.item
        assert item_shape is not None
        return [_decode(item_shape, x, f"{label}[{i}]") for i, x in enumerate(value) if x is not None]
    if kind == "map":
        if not isinstance(value, Mapping):
            raise bad_args(f"{label}: expected an object, got {_json_type(value)}")
        item_shape = sh.item
        assert item_shape is not None
        return {k: _decode(item_shape, v, f"{label}.{k}") for k, v in value.items() if v is not None}
    return value


def _json_type(value: Any) -> str:
    names: dict[type, str] = {dict: "an object", list: "a list", str: "a string", bool: "a boolean",
                              int: "a number", float: "a number"}
    return names.get(type(value), "null") if value is not None else "null"

