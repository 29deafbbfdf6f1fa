"""Seed documents: the state an emulator starts with and returns to on reset.

A seed names objects, and refers to other seeded objects by name; the emulator assigns the ids.
Seeded objects are made through the same rules as API calls (seats, uniqueness), so a seed that
Webitel would refuse is refused here too, with the path of the offending entry.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import WebitelError

if TYPE_CHECKING:
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
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() in (".yaml", ".yml"):
        import yaml

        try:
            return yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise SeedError(f"{path}: not valid YAML: {exc}") from exc
    try:
        return json.loads(text)
    except ValueError as exc:
        raise SeedError(f"{path}: not valid JSON: {exc}") from exc


def _expect(value: Any, kind: type | tuple[type, ...], where: str) -> Any:
    if not isinstance(value, kind):
        names = " or ".join(k.__name__ for k in (kind if isinstance(kind, tuple) else (kind,)))
        raise SeedError(f"{where}: expected {names}, got {type(value).__name__}")
    return value


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
        for key in ("licenses", "roles", "users", "teams", "skills", "queues"):
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


def apply_seed(world: World, doc: dict) -> None:
    from .callcenter.seeding import seed_call_center

    for i, d in enumerate(doc["domains"]):
        domain = world.add_domain(d["name"])
        try:
            root_id = _seed_directory(world, domain, d, f"domains[{i}]")
            seed_call_center(domain, d, f"domains[{i}]", root_id)
        except WebitelError as exc:
            raise SeedError(f"domains[{i}] ({d['name']}): {exc.id}: {exc.detail}") from exc


def _seed_directory(world: World, domain: Domain, d: dict, where: str) -> int:
    """The directory of a seeded domain; the id of its administrator."""
    from .directory.models import License

    directory = domain.directory
    admin = d.get("admin", {})
    with entry(f"{where}.admin"):
        root = directory.create_user(
            {"username": admin.get("username", "admin"), "name": admin.get("name", "Administrator"),
             "password": admin.get("password", "admin")}, None, root=True)
    token = admin.get("token")
    if token and token in world.sessions:
        raise SeedError(f"{where}.admin.token: the token is already another domain's")
    world.open_session(domain, root.id, root=True, token=token or None)

    for j, lic in enumerate(d.get("licenses", [])):
        at = f"{where}.licenses[{j}]"
        serial = _expect(lic.get("id"), str, f"{at}.id")
        if serial in directory.licenses:
            raise SeedError(f"{at}.id: license '{serial}' appears twice")
        limit = _expect(lic.get("limit", 1), int, f"{at}.limit")
        directory.licenses[serial] = License(
            id=serial, product=_expect(lic.get("product"), str, f"{at}.product").upper(), limit=limit,
            name=lic.get("name", ""), not_before=timestamp_ms(lic.get("not_before"), f"{at}.not_before"),
            not_after=timestamp_ms(lic.get("not_after"), f"{at}.not_after"),
            scope=list(lic.get("scope", [])), competitive=bool(lic.get("competitive", False)))

    for j, role in enumerate(d.get("roles", [])):
        with entry(f"{where}.roles[{j}]"):
            directory.save_role(None, role, root.id, fields=None)

    roles_by_name = {r.name.casefold(): r.id for r in directory.roles.values()}
    for j, u in enumerate(d.get("users", [])):
        at = f"{where}.users[{j}]"
        body = {k: u[k] for k in ("username", "name", "email", "extension", "password", "chat_name") if k in u}
        body["license"] = [{"id": s} for s in _expect(u.get("licenses", []), list, f"{at}.licenses")]
        body["roles"] = []
        for name in _expect(u.get("roles", []), list, f"{at}.roles"):
            if str(name).casefold() not in roles_by_name:
                raise SeedError(f"{at}.roles: no role named '{name}' in the seed")
            body["roles"].append({"id": roles_by_name[str(name).casefold()]})
        presence = _expect(u.get("presence", ""), str, f"{at}.presence")
        if any(s not in ("sip", "web") for s in filter(None, presence.split(","))):
            raise SeedError(f"{at}.presence: expected 'sip', 'web', 'sip,web' or '', got {presence!r}")
        if u.get("token") and u["token"] in world.sessions:
            raise SeedError(f"{at}.token: the token is already another user's")
        device = u.get("device", True)  # seeded users get a default SIP device, as the UI makes them
        with entry(at):
            user = directory.create_user(body, root.id, generate_device=bool(device),
                                         device_template=device if isinstance(device, dict) else None)
        user.presence = presence
        if u.get("token"):
            world.open_session(domain, user.id, token=u["token"])
    return root.id
