"""Range filters of the engine's searches (``engine.FilterBetween``): read from a query
(``created_at.from=...&created_at.to=...``) or a body (``{"created_at": {"from", "to"}}``), and
applied with 0 as an open end, as the engine's SQL does (``:From = 0 or x >= :From``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

Range = tuple[int, int]


def between(source: Mapping[str, Any], name: str, *, query: bool = True) -> Range | None:
    """The range ``name`` a request asks for, or None when it asks for none."""
    if query:
        low, high = source.get(f"{name}.from"), source.get(f"{name}.to")
        return None if low is None and high is None else (int(low or 0), int(high or 0))
    value = source.get(name)
    return (int(value.get("from") or 0), int(value.get("to") or 0)) if value else None


def within(value: int, bounds: Range | None) -> bool:
    """``value`` is in the range (no range: everything is)."""
    if bounds is None:
        return True
    low, high = bounds
    return (not low or value >= low) and (not high or value <= high)
