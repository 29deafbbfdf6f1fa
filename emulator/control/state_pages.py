"""``GET /__emulator__/state?domain=NAME&section=KEY&page=N&size=M``: the state of a big world read a
page at a time. Each page holds the global lock only while its own rows are dumped, so reading a
world of 100,000 users stops no other request for more than a page's worth of work (the plain
``GET /__emulator__/state`` copies the whole world under the lock first).

A section is a list part of a domain's dump by its key (``users``, ``call_center.agents``). The
sections that grow with the world render only the page's rows; the other list sections (roles,
teams, queues, ...) are small and are dumped whole under the lock, then sliced. Pages are read at
different moments: records made or deleted between two pages shift the later pages.
"""

from __future__ import annotations

from collections.abc import Mapping
from itertools import islice
from typing import TYPE_CHECKING, Any

from ..errors import bad_request
from ..state import DUMPS, RECORD_DUMPS

if TYPE_CHECKING:
    from ..state import Backend, Domain

E_STATE = "emulator.state.invalid"
PARAMS = ("domain", "section", "page", "size")
DEFAULT_SIZE = 1000
MAX_SIZE = 10_000


def is_paged(args: Mapping[str, str]) -> bool:
    """A plain ``GET /__emulator__/state`` (no paging parameter) answers the whole world as before."""
    return any(name in args for name in PARAMS)


def list_sections() -> list[str]:
    """Every section's key, in the dump's order (list sections and the rest alike)."""
    return [key for _order, key, _fn in sorted(DUMPS, key=lambda d: (d[0], d[1]))]


def _positive(args: Mapping[str, str], name: str, default: int, largest: int | None = None) -> int:
    raw = args.get(name)
    if raw is None:
        return default
    text = raw.strip()
    if not text.isascii() or not text.isdigit() or int(text) < 1 or (largest is not None and int(text) > largest):
        bound = f" and at most {largest}" if largest is not None else ""
        raise bad_request(E_STATE, f"{name} must be a whole number of at least 1{bound}, got {raw!r}")
    return int(text)


def read_page(backend: Backend, args: Mapping[str, str]) -> dict[str, Any]:
    """One page of one domain's section; bad parameters are refused 400 ``emulator.state.invalid``."""
    unknown = sorted(set(args) - set(PARAMS))
    if unknown:
        raise bad_request(E_STATE, f"unknown parameter {unknown[0]!r}; a page takes {', '.join(PARAMS)}")
    name, key = args.get("domain", "").strip(), args.get("section", "").strip()
    if not name:
        raise bad_request(E_STATE, "domain is required: the name of the domain whose state to page")
    if not key:
        raise bad_request(E_STATE, f"section is required, one of: {', '.join(list_sections())}")
    if key not in list_sections():
        raise bad_request(E_STATE, f"no section {key!r}; sections: {', '.join(list_sections())}")
    page = _positive(args, "page", 1)
    size = _positive(args, "size", DEFAULT_SIZE, MAX_SIZE)
    start = (page - 1) * size
    with backend.lock:
        domain = backend.world.domain_by_name(name)
        if domain is None:
            raise bad_request(E_STATE, f"no domain {name!r}")
        domain.emit("catch_up")  # as a whole dump does: the simulation's due events first
        items, total = _rows(domain, key, start, size)
        clock_ms = backend.world.clock.now_ms()
    return {"clock_ms": str(clock_ms), "domain": domain.name, "section": key, "page": page, "size": size,
            "total": total, "next": start + len(items) < total, "items": items}


def _rows(domain: Domain, key: str, start: int, size: int) -> tuple[list[Any], int]:
    """The page's dumped rows and the section's row count (the caller holds the lock)."""
    records = RECORD_DUMPS.get(key)
    if records is not None:
        rows, dump = records
        found = rows(domain)
        return [dump(domain, row) for row in islice(found, start, start + size)], len(found)
    whole = next(fn for _order, k, fn in DUMPS if k == key)(domain)
    if not isinstance(whole, list):
        raise bad_request(E_STATE, f"section {key!r} is one object, not a list of records: "
                                   "read it in the plain GET /__emulator__/state")
    return whole[start:start + size], len(whole)
