"""The contract's lists: ``?page=1&size=50&q=`` -> ``{"items", "page", "size", "total"}``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    page: int
    size: int
    total: int


def paginate(session: Session, stmt: Select, *, page: int, size: int) -> Page[Any]:
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    items = list(session.scalars(stmt.limit(size).offset((page - 1) * size)).unique())
    return Page(items=items, page=page, size=size, total=total)
