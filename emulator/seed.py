"""Seed documents: the state an emulator starts with and returns to on reset.

A seed names objects, and refers to other seeded objects by name; the emulator assigns the ids.
Seeded objects are made through the same rules as API calls (seats, uniqueness), so a seed that
Webitel would refuse is refused here too, with the path of the offending entry.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import orjson

from .api.service import load_services
from .errors import WebitelError
from .state import Domain, World

DEFAULT_ADMIN_TOKEN = "demo-admin-token"


class SeedError(ValueError):
    """A seed document that cannot be loaded; the message names the entry."""


def demo_seed() -> dict:
    """The built-in demo seed; ``EMULATOR_ADMIN_TOKEN`` overrides its admin token."""
    doc = json.loads(resources.files("emulator.seeds").joinpath("demo.json").read_text())
    doc["domains"][0]["admin"]["token"] = os.environ.get("EMULATOR_ADMIN_TOKEN") or DEFAULT_ADMIN_TOKEN
    return doc


def read_seed_file(path: str | Path) -> dict:
    """A seed from a JSON or YAML file."""
    path = Path(path)
    if path.suffix.lower() in (".yaml", ".yml"):
        import yaml

        try:
            return yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise SeedError(f"{path}: not valid YAML: {exc}") from exc
    try:
        # orjson: a seed of 100,000 users parses in a fraction of the standard library's time.
        return orjson.loads(path.read_bytes())
    except ValueError as exc:
        raise SeedError(f"{path}: not valid JSON: {exc}") from exc


def _expect(value: Any, kind: type | tuple[type, ...], where: str) -> Any:
    if not isinstance(value, kind):
        names = " or ".join(k.__name__ for k in (kind if isinstance(kind, tuple) else (kind,)))
        raise SeedError(f"{where}: expected {names}, got {type(value).__name__}")
    return value


@dataclass
class SeedContext:
    """What the seed sections of one domain share: the domain, its administrator, and the ids of
    the objects seeded so far by kind and case-folded name (``names["team"]["support"]``)."""

    world: World
    domain: Domain
    doc: dict
    where: str
    admin_id: int = 0
    names: dict[str, dict[str, int]] = field(default_factory=dict)

    def ref(self, kind: str, value: Any, where: str) -> int:
        """The id of the seeded ``kind`` named ``value`` (seeds refer to objects by name)."""
        found = self.names.get(kind, {}).get(str(value).casefold())
        if found is None:
            raise SeedError(f"{where}: no {kind} named '{value}' in the seed")
        return found


Section = Callable[[SeedContext, Any, str], None]
# (order, key of the domain's document, handler); filled by ``section``.
SECTIONS: list[tuple[int, str, Section]] = []


def section(key: str, order: int) -> Callable[[Section], Section]:
    """Register what a service seeds from a domain's ``key`` (run in ``order``, lowest first)."""

    def register(handler: Section) -> Section:
        SECTIONS.append((order, key, handler))
        return handler

    return register


def seed_named(ctx: SeedContext, entries: list[dict], where: str, kind: str,
               make: Callable[[dict, str], Any]) -> None:
    """Make each entry (``make(entry, where)`` returns the record, which has ``id`` and ``name``)
    and remember its id by name, so that later entries may refer to it (``ctx.ref(kind, name)``)."""
    for j, spec in enumerate(entries):
        at = f"{where}[{j}]"
        with entry(at):
            made = make(spec, at)
        ctx.names.setdefault(kind, {})[made.name.casefold()] = made.id


def validate_seed(doc: Any) -> None:
    """The document's shape; references and Webitel's rules are checked while applying it."""
    _expect(doc, dict, "seed")
    domains = _expect(doc.get("domains"), list, "seed.domains")
    names = set()
    for i, d in enumerate(domains):
        where = f"domains[{i}]"
        _expect(d, dict, where)
        name = _expect(d.get("name"), str, f"{where}.name")
        if name.casefold() in names:
            raise SeedError(f"{where}.name: domain '{name}' appears twice")
        names.add(name.casefold())
        _expect(d.get("admin", {}), dict, f"{where}.admin")
        for key in sorted({key for _, key, _ in SECTIONS} - {"admin"}):
            for j, item in enumerate(_expect(d.get(key, []), list, f"{where}.{key}")):
                _expect(item, dict, f"{where}.{key}[{j}]")


def timestamp_ms(value: Any, where: str) -> int:
    """Unix ms as a number or string, or an ISO 8601 date (YAML seeds read better with dates)."""
    if value in (None, "", 0):
        return 0
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError as exc:
        raise SeedError(f"{where}: expected unix ms or an ISO 8601 date, got {value!r}") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


@contextmanager
def entry(where: str) -> Iterator[None]:
    """Name the seed entry a Webitel rule refused (``domains[0].users[3]: app.user.conflict.error: ...``)."""
    try:
        yield
    except WebitelError as exc:
        raise SeedError(f"{where}: {exc.id}: {exc.detail}") from exc


def build_world(doc: Any) -> World:
    """A new world made from the seed ``doc``, every object through the services' rules."""
    load_services()  # the services register their seed sections on import
    validate_seed(doc)
    world = World()
    for i, d in enumerate(doc["domains"]):
        domain = world.add_domain(d["name"])
        ctx = SeedContext(world=world, domain=domain, doc=d, where=f"domains[{i}]")
        try:
            for _order, key, handler in sorted(SECTIONS, key=lambda s: s[0]):
                if key == "admin" or key in d:
                    handler(ctx, d.get(key, {} if key == "admin" else []), f"{ctx.where}.{key}")
        except WebitelError as exc:
            raise SeedError(f"domains[{i}] ({d['name']}): {exc.id}: {exc.detail}") from exc
    return world
