"""What the call center's stores share: the engine's page size, record copies, and the rule that
every change ends with waiting calls offered (``call_center.changed``, heard by the switchboard)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from ..store import Store

ENGINE_PAGE_SIZE = 40  # webitel/engine model/search_list.go
T = TypeVar("T")


def mutation(method: Callable[..., T]) -> Callable[..., T]:
    """A change of the call center: when it succeeds, waiting calls are offered to whoever it
    freed or made eligible."""

    @wraps(method)
    def run(self: Store, *args: Any, **kwargs: Any) -> T:
        result = method(self, *args, **kwargs)
        self.domain.emit("call_center.changed")
        return result

    return run


def dup(obj: T) -> T:
    """A copy whose lists and dicts are its own (rules run on it; the stored record stays as is)."""
    return copy.deepcopy(obj)
