"""Stores: the rows of one Webitel table in one domain, with their unique indexes and lists.

A service's model is a :class:`Table` subclass with typed methods (``Users.create(username=...,
extension=...)``); it holds :class:`Record` rows by id (in id order, as Webitel's default
``ORDER BY id``), keeps its uniqueness rules in :class:`UniqueIndex` es (no scans), and answers
list requests with :meth:`Table.page`, which renders only the rows of the page asked.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from .errors import not_found
from .state import LISTENERS

if TYPE_CHECKING:
    from .state import Domain, World


def on(event: str) -> Callable[[Callable], Callable]:
    """Mark a store method as a listener of a domain event (``domain.emit(event, ...)``)."""

    def mark(method: Callable) -> Callable:
        method._store_events = (*getattr(method, "_store_events", ()), event)  # type: ignore[attr-defined]
        return method

    return mark


class Store:
    """Anything a domain keeps for one service. Subclasses are made by ``domain.store(cls)``."""

    def __init__(self, domain: Domain) -> None:
        self.domain = domain

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name, member in vars(cls).items():
            for event in getattr(member, "_store_events", ()):
                LISTENERS.setdefault(event, []).append((cls, name))

    @property
    def world(self) -> World:
        return self.domain.world

    def now(self) -> int:
        return self.domain.world.clock.now_ms()


@dataclass
class Record:
    """A row: its id and the ``created_*`` / ``updated_*`` columns every Webitel table carries."""

    id: int = 0
    created_at: int = 0
    created_by: int | None = None
    updated_at: int = 0
    updated_by: int | None = None


R = TypeVar("R", bound=Record)


class UniqueIndex:
    """A unique key -> whoever holds it (a row id, or ``("role", 7)`` where kinds share names);
    ``fold``: keys compared case-insensitively. Empty keys are never indexed (nullable columns)."""

    __slots__ = ("owners", "fold")

    def __init__(self, *, fold: bool = True) -> None:
        self.owners: dict[str, Hashable] = {}
        self.fold = fold

    def key(self, value: str) -> str:
        return value.casefold() if self.fold else value

    def owner(self, value: str) -> Hashable | None:
        return self.owners.get(self.key(value)) if value else None

    def taken(self, value: str, by: Hashable) -> bool:
        """Someone other than ``by`` holds ``value``."""
        owner = self.owner(value)
        return owner is not None and owner != by

    def move(self, old: str, new: str, owner: Hashable) -> None:
        """``owner`` now holds ``new`` instead of ``old`` (either may be empty)."""
        if old and self.owners.get(self.key(old)) == owner:
            del self.owners[self.key(old)]
        if new:
            self.owners[self.key(new)] = owner


@dataclass(frozen=True)
class ListQuery:
    """``page`` (1-based), ``size``, ``q``, ``sort`` (``+f``, ``-f``, ``!f``) and ``fields``."""

    page: int = 1
    size: int = 40
    q: str | None = None
    sort: tuple[tuple[str, bool], ...] = ()  # (field, descending)
    fields: tuple[str, ...] = ()

    @property
    def offset(self) -> int:
        return self.size * (self.page - 1)


@dataclass(frozen=True)
class Page:
    """One page of a list: the rendered rows and whether another page follows."""

    items: list[dict]
    next: bool


@lru_cache(maxsize=512)
def _ilike_regex(pattern: str) -> re.Pattern[str]:
    out = [".*" if ch in "*%" else "." if ch == "_" else re.escape(ch) for ch in pattern]
    return re.compile("".join(out), re.IGNORECASE | re.DOTALL)


def ilike(pattern: str, value: str | None) -> bool:
    """SQL ``value ILIKE pattern`` after Webitel's ``ReplaceWebSearch`` (``*`` becomes ``%``)."""
    return value is not None and _ilike_regex(pattern).fullmatch(value) is not None


def any_ilike(pattern: str | None, *values: str | None) -> bool:
    """``q`` matches one of ``values`` (always true without a pattern)."""
    return not pattern or any(ilike(pattern, v) for v in values)


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


def paginate(rows: Iterable[Any], query: ListQuery, render: Callable[[Any], dict],
             default_key: Callable[[Any], Any] | None = None) -> Page:
    """Webitel's paging: ``size + 1`` rows from the offset tell whether there is a next page.

    Without ``sort`` only the page's rows are rendered (rows come in their default order, or
    sorted by ``default_key``); with ``sort`` every row is rendered and ordered by the named
    attributes of the answer, as the engine's ``ORDER BY`` does."""
    if query.sort:
        rendered = [render(r) for r in (sorted(rows, key=default_key) if default_key else rows)]
        for field, desc in reversed(query.sort):
            rendered.sort(key=lambda row, f=field: _sort_value(row.get(f)), reverse=desc)  # type: ignore[misc]
        window = rendered[query.offset: query.offset + query.size + 1]
        return Page(window[: query.size], len(window) > query.size)
    ordered: Iterable[Any] = sorted(rows, key=default_key) if default_key else rows
    window_rows = list(itertools.islice(ordered, query.offset, query.offset + query.size + 1))
    return Page([render(r) for r in window_rows[: query.size]], len(window_rows) > query.size)


class Table(Store, Generic[R]):
    """The rows of one kind, by id in id order.

    ``kind`` names the id sequence; ``missing(id)`` is the error for an id that is not there."""

    kind: ClassVar[str] = ""

    def __init__(self, domain: Domain) -> None:
        super().__init__(domain)
        self.rows: dict[int, R] = {}

    def __iter__(self) -> Iterator[R]:
        return iter(self.rows.values())

    def __len__(self) -> int:
        return len(self.rows)

    def __contains__(self, row_id: object) -> bool:
        return row_id in self.rows

    def missing(self, row_id: int) -> Exception:
        return not_found(f"app.{self.kind}.not_found", f"{self.kind}: id={row_id} not found")

    def get(self, row_id: int) -> R:
        row = self.rows.get(row_id)
        if row is None:
            raise self.missing(row_id)
        return row

    def find(self, row_id: int | None) -> R | None:
        return self.rows.get(row_id) if row_id is not None else None

    def stamp(self, row: R, actor: int | None, *, created: bool = False) -> R:
        """Set the audit columns (and a new id when ``created``)."""
        now = self.now()
        if created:
            row.id = self.world.next_id(self.kind)
            row.created_at, row.created_by = now, actor
        row.updated_at, row.updated_by = now, actor
        return row

    def insert(self, row: R, actor: int | None) -> R:
        self.stamp(row, actor, created=True)
        self.rows[row.id] = row
        return row

    def put(self, row: R, actor: int | None) -> R:
        """Store a changed copy of a row under its id."""
        self.stamp(row, actor)
        self.rows[row.id] = row
        return row

    def pop(self, row_id: int) -> R:
        row = self.get(row_id)
        del self.rows[row_id]
        return row
