"""``POST /calls/history/aggregate`` (engine ``AggregateHistoryCall``): figures over the call
history, grouped, as Webitel's call store computes them (``store/sqlstore/call_store.go``
``ParseAgg``): each group's ``id`` keys its value, metrics are named ``sum_<field>``,
``avg_<field>``, ``max_<field>``, ``min_<field>``, ``count`` (``count: ["*"]``) and
``count_<field>``; ``sort`` by ``+name``/``-name``; ``limit`` rows (default 40). A group with an
``interval`` (``15m``, ``1h``, ``1d``, ``1w``) puts a time field (unix ms) into buckets of that
size. The fields are the history's columns (``calls_http.history_columns``)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from ..errors import bad_args

DEFAULT_LIMIT = 40
UNITS_MS = {"s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000, "w": 604_800_000}


def interval_ms(text: str) -> int:
    match = re.fullmatch(r"\s*(\d+)\s*([smhdw])\s*", text or "")
    if match is None or int(match.group(1)) == 0:
        raise bad_args(f"aggs.group.interval: expected a number and one of s, m, h, d, w, got {text!r}")
    return int(match.group(1)) * UNITS_MS[match.group(2)]


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _order(value: Any) -> tuple:
    """Nulls last, numbers before text (a column holds one kind, but for nulls)."""
    return (value is None, isinstance(value, str), value if value is not None else 0)


def aggregate(rows: Iterable[Mapping[str, Any]], agg: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One aggregate's rows over ``rows`` (each a call's history columns)."""
    groups = list(agg.get("group") or ())
    keyed: dict[tuple, list[Mapping[str, Any]]] = {}
    for row in rows:
        key: list[Any] = []
        for group in groups:
            value = row.get(group.get("field") or group.get("id") or "")
            if group.get("interval") and isinstance(value, int):
                size = interval_ms(group["interval"])
                value = value - value % size
            key.append(value)
        keyed.setdefault(tuple(key), []).append(row)
    out = []
    for values_of_groups, members in keyed.items():
        result: dict[str, Any] = {str(g.get("id") or g.get("field")): v
                                  for g, v in zip(groups, values_of_groups, strict=True)}
        for op in ("sum", "avg", "max", "min"):
            for name in agg.get(op) or ():
                values = [n for n in (_number(m.get(name)) for m in members) if n is not None]
                result[f"{op}_{name}"] = (sum(values) if op == "sum" else sum(values) / len(values) if op == "avg"
                                          else max(values) if op == "max" else min(values)) if values else None
        for name in agg.get("count") or ():
            if name == "*":
                result["count"] = len(members)
            else:
                result[f"count_{name}"] = sum(1 for m in members if m.get(name) is not None)
        out.append(result)
    for item in reversed(list(agg.get("sort") or ())):
        field, desc = (item[1:], item[0] == "-") if item[:1] in ("+", "-") else (item, False)

        def order(row: dict[str, Any], name: str = field) -> tuple:
            return _order(row.get(name))

        out.sort(key=order, reverse=desc)
    limit = agg.get("limit") or 0
    return out[: limit if limit > 0 else DEFAULT_LIMIT]
