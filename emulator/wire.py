"""Webitel's JSON conventions (grpc-gateway + protojson), in one place.

- int64 values are written as strings and read from numbers or strings;
- zero values (``false``, ``0``, ``""``, empty lists and objects, null) are left out of answers;
- list queries take ``page`` (1-based), ``size``, ``q`` (``*`` wildcard, ILIKE), ``sort``
  (``+f``, ``-f``, ``!f``) and ``fields``; repeated parameters arrive repeated, indexed or comma-joined;
- ``next`` is computed as Webitel does: fetch ``size + 1`` rows and drop the last.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .errors import bad_args

_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


def parse_int64(value: Any, field: str) -> int:
    """An int64 as Webitel accepts it: a JSON number or a string of digits."""
    if isinstance(value, bool):
        raise bad_args(f"{field}: invalid value for int64 type: {value!r}")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
        number = int(value.strip())
    else:
        raise bad_args(f"{field}: invalid value for int64 type: {value!r}")
    if not _INT64_MIN <= number <= _INT64_MAX:
        raise bad_args(f"{field}: value out of range for int64: {value!r}")
    return number


def parse_int32(value: Any, field: str) -> int:
    number = parse_int64(value, field)
    if not -(2**31) <= number < 2**31:
        raise bad_args(f"{field}: value out of range for int32: {value!r}")
    return number


def parse_bool(value: Any, field: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false", "1", "0"):
        return value.lower() in ("true", "1")
    raise bad_args(f"{field}: invalid value for bool type: {value!r}")


def parse_str(value: Any, field: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise bad_args(f"{field}: invalid value for string type: {value!r}")
    return value


def parse_list(value: Any, field: str) -> list:
    """A repeated field: a JSON list (absent or null: empty)."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise bad_args(f"{field}: expected a list, got {type(value).__name__}")
    return value


def parse_str_list(value: Any, field: str) -> list[str]:
    return [parse_str(v, f"{field}[{i}]") for i, v in enumerate(parse_list(value, field))]


def parse_object(value: Any, field: str) -> dict:
    """A message or map field: a JSON object (absent or null: empty)."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise bad_args(f"{field}: expected an object, got {type(value).__name__}")
    return dict(value)


def parse_str_map(value: Any, field: str) -> dict[str, str]:
    """A ``map<string, string>`` such as a user's ``profile``."""
    return {str(k): parse_str(v, f"{field}.{k}") for k, v in parse_object(value, field).items()}


def ref_id(value: Any, field: str) -> int | None:
    """The id of a lookup reference ``{"id": "5", "name": ...}`` (or a bare id); None when empty."""
    if value is None or value == {} or value == "":
        return None
    if isinstance(value, Mapping):
        if value.get("id") in (None, "", 0, "0"):
            return None
        return parse_int64(value["id"], f"{field}.id")
    return parse_int64(value, field)


def ref_list(value: Any, field: str) -> list[int]:
    """Ids of a repeated lookup ``[{"id": "1"}, ...]``, duplicates dropped, order kept."""
    ids: list[int] = []
    for i, item in enumerate(parse_list(value, field)):
        item_id = ref_id(item, f"{field}[{i}]")
        if item_id is not None and item_id not in ids:
            ids.append(item_id)
    return ids


def i64(value: int | None) -> str | None:
    """int64 on the wire: a string, or absent when zero."""
    return str(value) if value else None


def ref(id: int | None, name: str | None = None) -> dict | None:
    """A lookup reference ``{"id": "5", "name": "x"}``, absent when there is no id."""
    if not id:
        return None
    return compact({"id": str(id), "name": name})


def _is_zero(value: Any) -> bool:
    return value is None or value is False or value == 0 or value == "" or value == [] or value == {}


def compact(obj: dict, keep_zero: tuple[str, ...] = ()) -> dict:
    """Drop the keys protojson leaves out: zero scalars, null, empty lists and objects.

    ``keep_zero`` names wrapper-typed fields (``google.protobuf.Int32Value`` such as ``capacity``):
    those are written even when 0, and left out only when null."""
    return {k: v for k, v in obj.items() if not _is_zero(v) or (k in keep_zero and v is not None)}


# ---------------------------------------------------------------------------------------------
# List queries

def multi(args: Mapping[str, Any], name: str) -> list[str]:
    """A repeated query parameter in any of the forms Webitel's clients send:
    ``name=a&name=b``, ``name[]=a``, ``name[0]=a`` and ``name=a,b``."""
    values: list[str] = []
    getlist = getattr(args, "getlist", None)
    keys = [name, f"{name}[]"] + sorted(
        (k for k in args if k.startswith(f"{name}[") and k.endswith("]") and k[len(name) + 1:-1].isdigit()),
        key=lambda k: int(k[len(name) + 1:-1]))
    for key in keys:
        if getlist:
            raw = getlist(key)
        else:  # a JSON body (POST .../search) holds repeated values as a list
            value = args.get(key)
            raw = [] if value is None else value if isinstance(value, list | tuple) else [value]
        for value in raw:
            values.extend(v for v in str(value).split(",") if v != "")
    return values


def multi_int(args: Mapping[str, Any], name: str) -> list[int]:
    return [parse_int64(v, name) for v in multi(args, name)]


@lru_cache(maxsize=512)
def _ilike_regex(pattern: str) -> re.Pattern[str]:
    out = []
    for ch in pattern:
        out.append(".*" if ch in "*%" else "." if ch == "_" else re.escape(ch))
    return re.compile("".join(out), re.IGNORECASE | re.DOTALL)


def ilike(pattern: str, value: str | None) -> bool:
    """SQL ``value ILIKE pattern`` after Webitel's ``ReplaceWebSearch`` (``*`` becomes ``%``)."""
    return value is not None and _ilike_regex(pattern).fullmatch(value) is not None


@dataclass(frozen=True)
class ListQuery:
    page: int
    size: int
    q: str | None
    sort: tuple[tuple[str, bool], ...]  # (field, descending)
    fields: tuple[str, ...]

    @property
    def offset(self) -> int:
        return self.size * (self.page - 1)

    @classmethod
    def parse(cls, args: Mapping[str, Any], default_size: int, max_size: int = 20000) -> ListQuery:
        page = parse_int32(args.get("page", 1) or 1, "page")
        size = parse_int32(args.get("size", 0) or 0, "size")
        if size <= 0:
            size = default_size
        sort = []
        for item in multi(args, "sort"):
            item = item.strip()
            desc = item[:1] in ("-", "!")
            sort.append((item.lstrip("+-! "), desc))
        return cls(page=max(page, 1), size=min(size, max_size), q=args.get("q") or None,
                   sort=tuple(sort), fields=tuple(multi(args, "fields")))


def _sort_value(value: Any) -> tuple:
    # None first (NULLS FIRST ascending), numbers before strings, strings case-insensitively.
    if value is None:
        return (0, 0)
    if isinstance(value, bool | int | float):
        return (1, value)
    if isinstance(value, dict):
        return _sort_value(value.get("name") or value.get("id"))
    if isinstance(value, str) and value.isdigit():  # int64 written as a string
        return (1, int(value))
    return (2, str(value).casefold())


def page_of(rows: Sequence[dict] | Iterable[dict], query: ListQuery,
            default_sort: Callable[[dict], Any] | None = None) -> tuple[list[dict], bool]:
    """Sort, slice ``size + 1`` rows from the offset, and tell whether there is a next page."""
    rows = list(rows)
    if default_sort is not None:
        rows.sort(key=default_sort)
    for field, desc in reversed(query.sort):
        rows.sort(key=lambda row, f=field: _sort_value(row.get(f)), reverse=desc)
    window = rows[query.offset: query.offset + query.size + 1]
    has_next = len(window) > query.size
    return window[: query.size], has_next


def project(obj: dict, fields: Sequence[str]) -> dict:
    """``fields=id&fields=name``: only the asked attributes (all when none are asked)."""
    if not fields:
        return obj
    return {k: v for k, v in obj.items() if k in fields}
