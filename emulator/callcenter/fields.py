"""Reading call-center request bodies: which JSON attribute sets which record field, and how.

Webitel's engine handlers copy every attribute of a create/PUT body literally (an omitted one is
its zero value) and, on PATCH, only the attributes named in ``fields`` (``webitel-api.md`` §1,
"PATCH semantics"); :func:`apply` does both.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from .. import wire
from ..errors import bad_args

Parser = Callable[[Any, str], Any]


def text(value: Any, name: str) -> str:
    return wire.parse_str(value, name).strip()


def int32(value: Any, name: str) -> int:
    return wire.parse_int32(value if value not in (None, "") else 0, name)


def wrapped_int32(value: Any, name: str) -> int | None:
    """A ``google.protobuf.Int32Value``: null stays null (Webitel tells "absent" from 0)."""
    return None if value in (None, "") else wire.parse_int32(value, name)


def flag(value: Any, name: str) -> bool:
    return wire.parse_bool(value if value is not None else False, name)


def ref(value: Any, name: str) -> int | None:
    return wire.ref_id(value, name)


def refs(value: Any, name: str) -> list[int]:
    return wire.ref_list(value, name)


def strings(value: Any, name: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise bad_args(f"{name}: expected a list of strings")
    return [wire.parse_str(v, f"{name}[{i}]") for i, v in enumerate(value)]


def string_map(value: Any, name: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise bad_args(f"{name}: expected an object of strings")
    return {str(k): v if isinstance(v, str) else str(v) for k, v in value.items()}


def tags(value: Any, name: str) -> list[str]:
    """``[{"name": "vip"}]`` (engine.Tag), names kept once each."""
    out: list[str] = []
    for i, item in enumerate(value or []):
        tag = item.get("name") if isinstance(item, dict) else item
        tag = wire.parse_str(tag, f"{name}[{i}].name")
        if tag and tag not in out:
            out.append(tag)
    return out


def anything(value: Any, name: str) -> Any:
    return value


Spec = Mapping[str, tuple[str, Parser]]


def apply(target: Any, body: Mapping[str, Any], fields: Iterable[str] | None, spec: Spec) -> None:
    """Copy the attributes of ``body`` onto ``target``: every attribute of ``spec`` when ``fields``
    is None (create, PUT), else only the named ones (PATCH; ``team.id`` names ``team``)."""
    names = list(spec) if fields is None else list(dict.fromkeys(f.split(".", 1)[0] for f in fields))
    for name in names:
        if name in spec:  # names Webitel's handler does not patch are ignored, as there
            attr, parse = spec[name]
            setattr(target, attr, parse(body.get(name), name))
