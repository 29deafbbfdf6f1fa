"""Seeding the directory: the domain's administrator, licenses, roles and users.

Seeds name objects and refer to others by name; everything goes through the stores' rules, so a
seed Webitel would refuse is refused, naming the entry (``domains[0].users[3]: ...``)."""

from __future__ import annotations

from typing import Any

from ..seed import SeedContext, SeedError, _expect, entry, section, seed_named, timestamp_ms
from .licenses import License, Licenses
from .roles import Roles
from .users import DeviceTemplate, Users, presence_set


def _text(spec: dict, key: str, where: str, default: str = "") -> str:
    """A string attribute of a seed entry (an absent or null one is ``default``)."""
    value = spec.get(key)
    return default if value is None else _expect(value, str, f"{where}.{key}")


@section("admin", order=0)
def seed_admin(ctx: SeedContext, admin: dict, where: str) -> None:
    with entry(where):
        root = ctx.domain.store(Users).create(
            actor=None, username=_text(admin, "username", where, "admin"),
            name=_text(admin, "name", where, "Administrator"), password=_text(admin, "password", where, "admin"),
            root=True)
    token = _expect(admin.get("token") or None, (str, type(None)), f"{where}.token")
    if token and token in ctx.world.sessions:
        raise SeedError(f"{where}.token: the token is already another domain's")
    ctx.world.open_session(ctx.domain, root.id, root=True, token=token or None)
    ctx.admin_id = root.id


@section("licenses", order=10)
def seed_licenses(ctx: SeedContext, entries: list[dict], where: str) -> None:
    licenses = ctx.domain.store(Licenses)
    for j, lic in enumerate(entries):
        at = f"{where}[{j}]"
        serial = _expect(lic.get("id"), str, f"{at}.id")
        if serial in licenses.rows:
            raise SeedError(f"{at}.id: license '{serial}' appears twice")
        licenses.add(License(
            id=serial, product=_expect(lic.get("product"), str, f"{at}.product").upper(),
            limit=_expect(lic.get("limit", 1), int, f"{at}.limit"), name=lic.get("name", ""),
            not_before=timestamp_ms(lic.get("not_before"), f"{at}.not_before"),
            not_after=timestamp_ms(lic.get("not_after"), f"{at}.not_after"),
            scope=list(lic.get("scope", [])), competitive=bool(lic.get("competitive", False))))


@section("roles", order=20)
def seed_roles(ctx: SeedContext, entries: list[dict], where: str) -> None:
    roles = ctx.domain.store(Roles)
    seed_named(ctx, entries, where, "role", lambda spec, _at: roles.create(
        actor=ctx.admin_id, name=str(spec.get("name", "")), description=str(spec.get("description", ""))))


def _device(value: Any, at: str) -> DeviceTemplate | None:
    """``device: true`` (default): a generated SIP device; ``false``: none; an object: its template."""
    if isinstance(value, dict):
        return DeviceTemplate(name=str(value.get("name", "")), account=str(value.get("account", "")),
                              password=str(value.get("password", "")))
    return DeviceTemplate() if value else None


@section("users", order=30)
def seed_users(ctx: SeedContext, entries: list[dict], where: str) -> None:
    users, world = ctx.domain.store(Users), ctx.world
    for j, u in enumerate(entries):
        at = f"{where}[{j}]"
        roles = [ctx.ref("role", name, f"{at}.roles") for name in _expect(u.get("roles", []), list, f"{at}.roles")]
        licenses = [str(s) for s in _expect(u.get("licenses", []), list, f"{at}.licenses")]
        try:
            presence = presence_set(_expect(u.get("presence", ""), str, f"{at}.presence"))
        except ValueError as exc:
            raise SeedError(f"{at}.presence: {exc}") from None
        token = _text(u, "token", at)
        if token and token in world.sessions:
            raise SeedError(f"{at}.token: the token is already another user's")
        with entry(at):
            user = users.create(
                actor=ctx.admin_id, username=_text(u, "username", at), name=_text(u, "name", at),
                email=_text(u, "email", at), extension=_text(u, "extension", at),
                password=_text(u, "password", at) or None, chat_name=_text(u, "chat_name", at), licenses=licenses,
                role_ids=roles, generate_device=_device(u.get("device", True), f"{at}.device"))
        user.presence = presence
        ctx.names.setdefault("user", {})[user.username.casefold()] = user.id
        if token:
            world.open_session(ctx.domain, user.id, token=token)
