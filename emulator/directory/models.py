"""Webitel's directory service (webitel.go): users, devices, licenses, roles, access tokens and
user settings of one domain, with Webitel's rules. Plain Python; HTTP lives in ``responses.py``.

Rules and their sources are in ``webitel-api.md`` §2.1-2.5 and §5; where Webitel's exact error id
is not public, the id chosen here is listed in ``docs/emulator.md``.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .. import wire
from ..audit import Audit, wire_audit
from ..errors import bad_args, bad_request, conflict, not_found

if TYPE_CHECKING:
    from ..state import Domain, Session, World

USERNAME_RE = re.compile(r"^[A-Za-z0-9._-]+$")
EXTENSION_RE = re.compile(r"^[0-9]+$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+$")

# Error ids (webitel-api.md §1 table; emulator choices marked in docs/emulator.md).
E_USER_NOT_FOUND = "app.user.not_found.error"
E_USER_CONFLICT = "app.user.conflict.error"
E_EMAIL_CONFLICT = "app.user.email.conflict.error"
E_EXTENSION_CONFLICT = "app.user.extension.conflict.error"
E_LICENSE_NOT_FOUND = "app.user.license.not_found"
E_LICENSE_EXHAUSTED = "app.user.license.product_exhausted"
E_LICENSE_EXPIRED = "app.user.license.product_expired"
E_ROLE_NOT_FOUND = "app.role.not_found.error"
E_DEVICE_NOT_FOUND = "app.device.not_found.error"
E_DEVICE_CONFLICT = "app.device.conflict.error"
E_TOKEN_NOT_FOUND = "app.user.token.not_found"
E_SETTING_NOT_FOUND = "app.user.settings.not_found"

PRODUCT_EXHAUSTED = "product exhausted"
PRODUCT_EXPIRED = "product expired"


def _hash_password(password: str) -> str:
    salt = secrets.token_hex(8)
    return salt + "$" + hashlib.sha256((salt + password).encode()).hexdigest()


def _check_password(stored: str | None, password: str) -> bool:
    if not stored or "$" not in stored:
        return False
    salt, digest = stored.split("$", 1)
    return hmac.compare_digest(digest, hashlib.sha256((salt + password).encode()).hexdigest())


@dataclass
class User(Audit):
    id: int = 0
    username: str = ""
    name: str = ""
    email: str = ""
    extension: str = ""
    password_hash: str | None = None
    presence: str = ""  # "sip", "web", "sip,web" or "" (set through the control plane)
    device_id: int | None = None  # the default device
    profile: dict[str, str] = field(default_factory=dict)
    licenses: dict[str, int] = field(default_factory=dict)  # serial -> issued_at (unix ms)
    role_ids: list[int] = field(default_factory=list)
    contact_id: int | None = None
    chat_name: str = ""
    force_password_change: bool = False
    root: bool = False
    deleted_at: int = 0
    deleted_by: int | None = None


@dataclass
class Device(Audit):
    id: int = 0
    name: str = ""
    account: str = ""
    password: str = ""  # write-only: never written to an answer, the journal or the state dump
    user_id: int | None = None
    generated_for: int | None = None  # the user whose ?generate_device made it
    hotdesk: bool = False
    hotdesks: list[str] = field(default_factory=list)
    provision: dict[str, str] = field(default_factory=dict)
    brand: str = ""
    model: str = ""
    mac: str = ""
    ip: str = ""


@dataclass
class Role(Audit):
    id: int = 0
    name: str = ""
    description: str = ""
    permissions: list[dict] = field(default_factory=list)
    metadata: dict = field(default_factory=dict)


@dataclass
class License:
    id: str  # the serial
    product: str
    limit: int
    name: str = ""
    not_before: int = 0
    not_after: int = 0  # 0 = no expiry
    scope: list[str] = field(default_factory=list)
    competitive: bool = False


@dataclass
class AccessToken(Audit):
    id: str = ""
    user_id: int = 0
    usage: str = ""
    token: str = ""


# The editable attributes of a user, by their JSON names (PUT replaces all of them).
USER_FIELDS = ("name", "username", "email", "extension", "password", "device", "devices", "profile",
               "license", "roles", "contact", "chat_name", "force_password_change")
# "presence" is the phone's registration: the control plane sets it, a user write does not.


class Directory:
    """The directory of one domain."""

    def __init__(self, domain: Domain) -> None:
        self.domain = domain
        self.users: dict[int, User] = {}
        self.devices: dict[int, Device] = {}
        self.roles: dict[int, Role] = {}
        self.licenses: dict[str, License] = {}
        self.tokens: dict[str, AccessToken] = {}
        self.settings: dict[tuple[int, str], Any] = {}

    @property
    def world(self) -> World:
        return self.domain.world

    def now(self) -> int:
        return self.world.clock.now_ms()

    # ==========================================================================================
    # Users
    def get_user(self, user_id: int, *, include_deleted: bool = True) -> User:
        user = self.users.get(user_id)
        if user is None or (user.deleted_at and not include_deleted):
            raise not_found(E_USER_NOT_FOUND, f"user: id={user_id} not found")
        return user

    def user_by_username(self, username: str) -> User | None:
        key = username.casefold()
        return next((u for u in self.users.values() if u.username.casefold() == key), None)

    def create_user(self, body: dict, actor: int | None, *, generate_device: bool = False,
                    device_template: dict | None = None, root: bool = False) -> User:
        user = User(id=0, root=root)
        devices = self._apply_user_fields(user, body, fields=USER_FIELDS, replace=True)
        if not user.username:
            raise bad_args("user: username is required")
        self._check_unique_user(user)
        device = self._generate_device(user, device_template or {}) if generate_device else None
        self._check_grants(user, previous={})
        # Every check passed: from here on nothing can fail, so the create is all-or-nothing.
        user.id = self.world.next_id("user")
        user.created_at = user.updated_at = self.now()
        user.created_by = user.updated_by = actor
        user.licenses = {serial: user.created_at for serial in user.licenses}
        self.users[user.id] = user
        if device is not None:
            self._add_device(device, actor)
            device.user_id = device.generated_for = user.id
            user.device_id = device.id
        self._attach_devices(user, devices)
        return user

    def update_user(self, user_id: int, body: dict, actor: int | None, *, fields: tuple[str, ...] | None,
                    generate_device: bool = False, device_template: dict | None = None) -> User:
        """PUT (``fields=None``: every editable attribute, absent ones cleared) or PATCH (only ``fields``)."""
        current = self.get_user(user_id, include_deleted=False)
        # Rules run on a copy: a refused update leaves the stored user untouched.
        candidate = User(**{k: (dict(v) if isinstance(v, dict) else list(v) if isinstance(v, list) else v)
                            for k, v in current.__dict__.items()})
        devices = self._apply_user_fields(candidate, body, fields=fields or USER_FIELDS, replace=fields is None)
        if not candidate.username:
            raise bad_args("user: username is required")
        self._check_unique_user(candidate)
        device = self._generate_device(candidate, device_template or {}) if generate_device else None
        self._check_grants(candidate, previous=current.licenses)
        now = self.now()
        candidate.licenses = {s: current.licenses.get(s, now) for s in candidate.licenses}
        candidate.updated_at, candidate.updated_by = now, actor
        lost = set(current.licenses) - set(candidate.licenses)
        self.users[user_id] = candidate
        if device is not None:
            self._add_device(device, actor)
            device.user_id = device.generated_for = candidate.id
            candidate.device_id = device.id
        self._attach_devices(candidate, devices)
        if lost:
            self.domain.on_licenses_revoked(candidate, lost)  # type: ignore[attr-defined]
        return candidate

    def delete_user(self, user_id: int, actor: int | None, *, permanent: bool) -> User:
        user = self.get_user(user_id)
        self.domain.before_user_delete(user, permanent)  # type: ignore[attr-defined]
        self.world.close_sessions(lambda s: s.user_id == user.id and s.domain_id == self.domain.id)
        for token_id in [t.id for t in self.tokens.values() if t.user_id == user.id]:
            del self.tokens[token_id]
        if not permanent:
            if not user.deleted_at:
                user.deleted_at, user.deleted_by = self.now(), actor
            return user
        for device in list(self.devices.values()):
            if device.user_id == user.id:
                if device.generated_for == user.id:
                    del self.devices[device.id]  # made for this user by ?generate_device
                else:
                    device.user_id = None
        for key in [k for k in self.settings if k[0] == user.id]:
            del self.settings[key]
        del self.users[user.id]
        return user

    def search_users(self, args, query: wire.ListQuery) -> tuple[list[dict], bool]:
        ids, not_ids = set(wire.multi_int(args, "id")), set(wire.multi_int(args, "not_id"))
        show_any = wire.parse_bool(args.get("any", False), "any")
        only_deleted = wire.parse_bool(args.get("deleted", False), "deleted")
        filters = {k: args.get(k) for k in ("name", "username", "extension") if args.get(k)}
        status = args.get("status") or args.get("presence.status")
        rows = []
        for user in self.users.values():
            if only_deleted and not user.deleted_at or not (show_any or only_deleted) and user.deleted_at:
                continue
            if ids and user.id not in ids or user.id in not_ids:
                continue
            if any(not wire.ilike(v, getattr(user, k)) for k, v in filters.items()):
                continue
            if status and not wire.ilike(status, user.presence):
                continue
            if query.q and not any(wire.ilike(query.q, v) for v in
                                   (user.name, user.username, user.extension, user.presence)):
                continue
            rows.append(self.wire_user(user))
        return wire.page_of(rows, query, default_sort=lambda r: int(r["id"]))

    # -- user rules ---------------------------------------------------------------------------
    def _apply_user_fields(self, user: User, body: dict, *, fields, replace: bool) -> list[int] | None:
        """Copy the named attributes from ``body`` onto ``user``; on PUT an absent one is cleared.
        Returns the ids of the user's ``devices`` when they were written, else None."""
        devices = None
        for name in fields:
            if name not in body and not (replace and name in USER_FIELDS):
                continue
            value = body.get(name)
            if name in ("name", "chat_name"):
                setattr(user, name, wire.parse_str(value, name).strip())
            elif name == "username":
                username = wire.parse_str(value, name).strip()
                if username and not USERNAME_RE.match(username):
                    raise bad_args(f"user: username '{username}' may hold only letters, digits, '.', '_' and '-'")
                user.username = username
            elif name == "extension":
                extension = wire.parse_str(value, name).strip()
                if extension and not EXTENSION_RE.match(extension):
                    raise bad_args(f"user: extension '{extension}' must be digits only")
                user.extension = extension
            elif name == "email":
                email = wire.parse_str(value, name).strip()
                if email and not EMAIL_RE.match(email):
                    raise bad_args(f"user: email '{email}' is not a valid address")
                user.email = email
            elif name == "password":
                if value not in (None, ""):  # an absent password never clears the current one
                    user.password_hash = _hash_password(wire.parse_str(value, name))
            elif name == "license":
                serials = []
                for i, item in enumerate(wire.parse_list(value, name)):
                    serial = item.get("id") if isinstance(item, dict) else item
                    if not isinstance(serial, str) or not serial:
                        raise bad_args(f"user: license[{i}].id is required")
                    if serial not in serials:
                        serials.append(serial)
                user.licenses = dict.fromkeys(serials, 0)
            elif name == "roles":
                user.role_ids = wire.ref_list(value, "roles")
                for role_id in user.role_ids:
                    if role_id not in self.roles:
                        raise bad_request(E_ROLE_NOT_FOUND, f"role: id={role_id} not found")
            elif name == "device":
                device_id = wire.ref_id(value, "device")
                if device_id is not None:
                    self._device_for_user(device_id, user)
                user.device_id = device_id
            elif name == "devices":
                devices = wire.ref_list(value, "devices")
                for device_id in devices:
                    self._device_for_user(device_id, user)
            elif name == "profile":
                user.profile = wire.parse_str_map(value, "profile")
            elif name == "contact":
                user.contact_id = wire.ref_id(value, "contact")
            elif name == "force_password_change":
                user.force_password_change = wire.parse_bool(value or False, name)
        return devices

    def _device_for_user(self, device_id: int, user: User) -> Device:
        device = self.devices.get(device_id)
        if device is None:
            raise bad_request(E_DEVICE_NOT_FOUND, f"device: id={device_id} not found")
        if device.user_id not in (None, user.id) and user.id:
            raise conflict(E_DEVICE_CONFLICT, f"device: '{device.account}' belongs to another user")
        return device

    def _attach_devices(self, user: User, wanted: list[int] | None) -> None:
        """Make ``devices`` (when it was written) and the default ``device`` belong to the user."""
        if wanted is not None:
            for device in self.devices.values():
                if device.user_id == user.id and device.id not in wanted and device.id != user.device_id:
                    device.user_id = None
            for device_id in wanted:
                self.devices[device_id].user_id = user.id
        if user.device_id is not None:
            self.devices[user.device_id].user_id = user.id

    def _check_unique_user(self, user: User) -> None:
        """Username (shared with role names), extension and email are unique per domain.

        Soft-deleted users keep theirs: Webitel's unique indexes have no ``deleted_at`` predicate."""
        username, email = user.username.casefold(), user.email.casefold()
        for other in self.users.values():
            if other.id == user.id:
                continue
            if other.username.casefold() == username:
                raise conflict(E_USER_CONFLICT, f"user: role '{user.username}' already exists")
            if user.extension and other.extension == user.extension:
                raise conflict(E_EXTENSION_CONFLICT, f"extension: number '{user.extension}' already registered")
            if email and other.email.casefold() == email:
                raise conflict(E_EMAIL_CONFLICT, f"email: address '{user.email}' already registered")
        if any(role.name.casefold() == username for role in self.roles.values()):
            raise conflict(E_USER_CONFLICT, f"user: role '{user.username}' already exists")

    def _check_grants(self, user: User, previous: dict[str, int]) -> None:
        """A newly granted license must exist, be valid now, and have a free seat."""
        now = self.now()
        for serial in user.licenses:
            if serial in previous:
                continue
            license = self.licenses.get(serial)
            if license is None:
                raise bad_request(E_LICENSE_NOT_FOUND, f"license: id={serial} not found")
            if self.expired(license, now):
                raise bad_request(E_LICENSE_EXPIRED, f"license: {license.product} ({serial}): {PRODUCT_EXPIRED}")
            if self.remain(license) < 1:
                raise bad_request(E_LICENSE_EXHAUSTED,
                                  f"license: {license.product} ({serial}): {PRODUCT_EXHAUSTED}")

    def check_password(self, user: User, password: str) -> bool:
        return _check_password(user.password_hash, password)

    # ==========================================================================================
    # Devices
    def get_device(self, device_id: int) -> Device:
        device = self.devices.get(device_id)
        if device is None:
            raise not_found(E_DEVICE_NOT_FOUND, f"device: id={device_id} not found")
        return device

    def _generate_device(self, user: User, template: dict) -> Device:
        """The SIP device ``?generate_device=true`` makes: account and name from the template, else
        the user's username; a random password unless the template gives one."""
        account = template.get("account") or user.username
        device = Device(id=0, name=template.get("name") or user.name or user.username, account=account,
                        password=template.get("password") or secrets.token_urlsafe(18))
        self._check_unique_device(device)
        return device

    def _add_device(self, device: Device, actor: int | None) -> Device:
        device.id = self.world.next_id("device")
        device.created_at = device.updated_at = self.now()
        device.created_by = device.updated_by = actor
        self.devices[device.id] = device
        return device

    def _check_unique_device(self, device: Device) -> None:
        for other in self.devices.values():
            if other.id == device.id:
                continue
            if other.account.casefold() == device.account.casefold():
                raise conflict(E_DEVICE_CONFLICT, f"device: account '{device.account}' already registered")
            if device.mac and other.mac.casefold() == device.mac.casefold():
                raise conflict(E_DEVICE_CONFLICT, f"device: mac '{device.mac}' already registered")
            if device.ip and other.ip == device.ip:
                raise conflict(E_DEVICE_CONFLICT, f"device: ip '{device.ip}' already registered")

    DEVICE_FIELDS = ("name", "account", "password", "user", "hotdesk", "hotdesks", "provision", "brand", "model",
                     "mac", "ip")

    def save_device(self, device_id: int | None, body: dict, actor: int | None, *,
                    fields: tuple[str, ...] | None) -> Device:
        """Create (``device_id=None``), PUT (``fields=None``) or PATCH a device."""
        current = self.get_device(device_id) if device_id is not None else None
        device = Device(**current.__dict__) if current else Device()
        for name in fields or self.DEVICE_FIELDS:
            if name not in body and fields is not None:
                continue
            value = body.get(name)
            if name == "user":
                user_id = wire.ref_id(value, "user")
                if user_id is not None and user_id not in self.users:
                    raise bad_request(E_USER_NOT_FOUND, "user: not found")
                device.user_id = user_id
            elif name == "hotdesk":
                device.hotdesk = wire.parse_bool(value or False, name)
            elif name == "hotdesks":
                device.hotdesks = wire.parse_str_list(value, name)
            elif name == "provision":
                device.provision = wire.parse_str_map(value, name)
            elif name == "password":
                if value not in (None, ""):
                    device.password = wire.parse_str(value, name)
            else:
                setattr(device, name, wire.parse_str(value, name).strip())
        if not device.account:
            raise bad_args("device: account is required")
        if not device.name:
            device.name = device.account
        self._check_unique_device(device)
        if not device.password:
            device.password = secrets.token_urlsafe(18)
        if current is None:
            return self._add_device(device, actor)
        device.updated_at, device.updated_by = self.now(), actor
        self.devices[device.id] = device
        for user in self.users.values():  # a default device given away stops being the default
            if user.device_id == device.id and device.user_id != user.id:
                user.device_id = None
        return device

    def delete_device(self, device_id: int) -> Device:
        device = self.get_device(device_id)
        del self.devices[device_id]
        for user in self.users.values():
            if user.device_id == device_id:
                user.device_id = None
        return device

    def search_devices(self, args, query: wire.ListQuery) -> tuple[list[dict], bool]:
        ids = set(wire.multi_int(args, "ids")) | set(wire.multi_int(args, "id"))
        user_id = args.get("user.id")
        user_id = wire.parse_int64(user_id, "user.id") if user_id else None
        filters = {k: args.get(k) for k in ("name", "account", "mac", "ip") if args.get(k)}
        rows = []
        for device in self.devices.values():
            if ids and device.id not in ids or user_id is not None and device.user_id != user_id:
                continue
            if any(not wire.ilike(v, getattr(device, k)) for k, v in filters.items()):
                continue
            if query.q and not any(wire.ilike(query.q, v) for v in (device.name, device.account)):
                continue
            rows.append(self.wire_device(device))
        return wire.page_of(rows, query, default_sort=lambda r: int(r["id"]))

    # ==========================================================================================
    # Roles
    def get_role(self, role_id: int) -> Role:
        role = self.roles.get(role_id)
        if role is None:
            raise not_found(E_ROLE_NOT_FOUND, f"role: id={role_id} not found")
        return role

    def save_role(self, role_id: int | None, body: dict, actor: int | None, *,
                  fields: tuple[str, ...] | None) -> Role:
        current = self.get_role(role_id) if role_id is not None else None
        role = Role(**current.__dict__) if current else Role()
        for name in fields or ("name", "description", "permissions", "metadata"):
            if name not in body and fields is not None:
                continue
            value = body.get(name)
            if name == "name":
                role.name = wire.parse_str(value, name).strip()
            elif name == "description":
                role.description = wire.parse_str(value, name)
            elif name == "permissions":
                role.permissions = [{"id": wire.parse_str(wire.parse_object(p, f"permissions[{i}]").get("id"),
                                                          f"permissions[{i}].id")}
                                    for i, p in enumerate(wire.parse_list(value, name))]
            elif name == "metadata":
                role.metadata = wire.parse_object(value, name)
        if not role.name:
            raise bad_args("role: name is required")
        key = role.name.casefold()
        if any(r.id != role.id and r.name.casefold() == key for r in self.roles.values()) or any(
                u.username.casefold() == key for u in self.users.values()):
            raise conflict(E_USER_CONFLICT, f"user: role '{role.name}' already exists")
        now = self.now()
        if current is None:
            role.id, role.created_at, role.created_by = self.world.next_id("role"), now, actor
        role.updated_at, role.updated_by = now, actor
        self.roles[role.id] = role
        return role

    def delete_role(self, role_id: int) -> Role:
        role = self.get_role(role_id)
        del self.roles[role_id]
        for user in self.users.values():
            if role_id in user.role_ids:
                user.role_ids = [r for r in user.role_ids if r != role_id]
        return role

    def search_roles(self, args, query: wire.ListQuery) -> tuple[list[dict], bool]:
        ids = set(wire.multi_int(args, "ids")) | set(wire.multi_int(args, "id"))
        member = args.get("user.id")
        member_roles = set(self.get_user(wire.parse_int64(member, "user.id")).role_ids) if member else None
        name = args.get("name")
        rows = []
        for role in self.roles.values():
            if ids and role.id not in ids or member_roles is not None and role.id not in member_roles:
                continue
            if name and not wire.ilike(name, role.name) or query.q and not wire.ilike(query.q, role.name):
                continue
            rows.append(self.wire_role(role))
        return wire.page_of(rows, query, default_sort=lambda r: int(r["id"]))

    # ==========================================================================================
    # Licenses
    def expired(self, license: License, now: int | None = None) -> bool:
        now = self.now() if now is None else now
        return bool(license.not_after and license.not_after <= now or license.not_before and license.not_before > now)

    def holders(self, license: License) -> list[User]:
        return [u for u in self.users.values() if license.id in u.licenses]

    def remain(self, license: License) -> int:
        return license.limit - len(self.holders(license))

    def license_status(self, license: License) -> list[str]:
        errors = []
        if self.expired(license):
            errors.append(PRODUCT_EXPIRED)
        if self.remain(license) < 1:
            errors.append(PRODUCT_EXHAUSTED)
        return errors

    def search_licenses(self, args, query: wire.ListQuery) -> tuple[list[dict], bool]:
        serials = set(wire.multi(args, "id"))
        products = {p.upper() for p in wire.multi(args, "product")}
        valid_only = wire.parse_bool(args.get("valid", False), "valid")
        holder = args.get("user.id")
        holder = wire.parse_int64(holder, "user.id") if holder else None
        rows = []
        for license in self.licenses.values():
            if serials and license.id not in serials or products and license.product.upper() not in products:
                continue
            if valid_only and self.license_status(license):
                continue
            if holder is not None and license.id not in self.users.get(holder, User()).licenses:
                continue
            if query.q and not any(wire.ilike(query.q, v) for v in (license.product, license.name, license.id)):
                continue
            rows.append(self.wire_license(license))
        return wire.page_of(rows, query, default_sort=lambda r: (r["product"], r["id"]))

    def product_users(self, product_or_serial: str, query: wire.ListQuery) -> tuple[list[dict], bool]:
        """``/products/{id}/users``: the grants of a license (by serial) or of a product (by name)."""
        licenses = [lic for lic in self.licenses.values()
                    if lic.id == product_or_serial or lic.product.upper() == product_or_serial.upper()]
        if not licenses:
            raise not_found(E_LICENSE_NOT_FOUND, f"license: id={product_or_serial} not found")
        rows = []
        for license in licenses:
            for user in self.holders(license):
                if query.q and not any(wire.ilike(query.q, v) for v in (user.name, user.username)):
                    continue
                rows.append(wire.compact({
                    "user": wire.ref(user.id, user.name or user.username),
                    "domain": wire.ref(self.domain.id, self.domain.name),
                    "issued_at": wire.i64(user.licenses[license.id]),
                    "expires_at": wire.i64(license.not_after),
                }))
        return wire.page_of(rows, query)

    # ==========================================================================================
    # Access tokens (POST /users/{id}/tokens): long-lived tokens that authenticate as the user
    def add_token(self, user_id: int, usage: str, actor: int | None) -> AccessToken:
        user = self.get_user(user_id, include_deleted=False)
        now = self.now()
        token = AccessToken(id=secrets.token_hex(8), user_id=user.id, usage=usage, created_at=now,
                            created_by=actor, updated_at=now, updated_by=actor)
        session = self.world.open_session(self.domain, user.id, root=user.root, access_token_id=token.id)
        token.token = session.token
        self.tokens[token.id] = token
        return token

    def get_token(self, user_id: int, token_id: str) -> AccessToken:
        token = self.tokens.get(token_id)
        if token is None or token.user_id != user_id:
            raise not_found(E_TOKEN_NOT_FOUND, f"token: id={token_id} not found")
        return token

    def delete_token(self, user_id: int, token_id: str) -> AccessToken:
        token = self.get_token(user_id, token_id)
        del self.tokens[token_id]
        self.world.close_sessions(lambda s: s.access_token_id == token_id)
        return token

    def list_tokens(self, user_id: int, query: wire.ListQuery) -> tuple[list[dict], bool]:
        self.get_user(user_id)
        rows = [self.wire_token(t, with_secret=False) for t in self.tokens.values() if t.user_id == user_id
                and (not query.q or wire.ilike(query.q, t.usage))]
        return wire.page_of(rows, query, default_sort=lambda r: r.get("created_at", ""))

    # ==========================================================================================
    # User settings (/user/settings/{key}): the token's own user only
    def get_setting(self, user_id: int, key: str) -> Any:
        if (user_id, key) not in self.settings:
            raise not_found(E_SETTING_NOT_FOUND, f"settings: {key} not found")
        return self.settings[(user_id, key)]

    def put_setting(self, user_id: int, key: str, value: Any) -> Any:
        if key == "phone":
            value = self._phone_setting(value)
        self.settings[(user_id, key)] = value
        return value

    @staticmethod
    def _phone_setting(value: Any) -> dict:
        if not isinstance(value, dict):
            raise bad_args("settings: phone must be an object {\"webrtc\": bool, \"stun\": bool}")
        unknown = set(value) - {"webrtc", "stun"}
        if unknown:
            raise bad_args(f"settings: phone: unknown attributes {sorted(unknown)}")
        webrtc = wire.parse_bool(value.get("webrtc", False), "webrtc")
        # STUN only applies to WebRTC calls: with WebRTC off it is stored off, as Webitel's UI does.
        stun = webrtc and wire.parse_bool(value.get("stun", False), "stun")
        return {"webrtc": webrtc, "stun": stun}

    # ==========================================================================================
    # Wire forms (zero values left out, int64 as strings)
    def user_ref(self, user_id: int | None) -> dict | None:
        """A user as a lookup reference ``{"id", "name"}`` (the display name, else the username)."""
        user = self.users.get(user_id) if user_id else None
        return wire.ref(user_id, (user.name or user.username) if user else None)

    def _audit(self, record: Audit) -> dict:
        return wire_audit(record, self.user_ref)

    def wire_license_grant(self, user: User, serial: str) -> dict:
        license = self.licenses.get(serial)
        return wire.compact({
            "id": serial, "prod": license.product if license else "",
            "user": wire.ref(user.id, user.name or user.username),
            "scope": list(license.scope) if license else [],
            "issued_at": wire.i64(user.licenses[serial]),
            "expires_at": wire.i64(license.not_after if license else 0),
        })

    def wire_user(self, user: User) -> dict:
        devices = [d for d in self.devices.values() if d.user_id == user.id]
        default = self.devices.get(user.device_id) if user.device_id else None
        return wire.compact({
            "id": str(user.id), "name": user.name, "email": user.email, "username": user.username,
            "extension": user.extension,
            "presence": wire.compact({"status": user.presence}),
            "device": wire.ref(default.id, default.name) if default else None,
            "devices": [wire.ref(d.id, d.name) for d in devices],
            "profile": user.profile,
            "license": [self.wire_license_grant(user, s) for s in user.licenses],
            "roles": [wire.ref(r, self.roles[r].name) for r in user.role_ids if r in self.roles],
            "contact": wire.ref(user.contact_id),
            "chat_name": user.chat_name,
            "force_password_change": user.force_password_change,
            **self._audit(user),
            "deleted_at": wire.i64(user.deleted_at), "deleted_by": self.user_ref(user.deleted_by),
        })

    def wire_device(self, device: Device) -> dict:
        user = self.users.get(device.user_id) if device.user_id else None
        return wire.compact({
            "id": str(device.id), "name": device.name, "account": device.account,
            "user": wire.ref(device.user_id, (user.name or user.username) if user else None),
            "hotdesk": device.hotdesk, "hotdesks": device.hotdesks, "provision": device.provision,
            "brand": device.brand, "model": device.model, "mac": device.mac, "ip": device.ip,
            "reged": bool(user and "sip" in user.presence.split(",")),
            **self._audit(device),
        })

    def wire_role(self, role: Role) -> dict:
        members = [u for u in self.users.values() if role.id in u.role_ids]
        return wire.compact({
            "id": str(role.id), "name": role.name, "description": role.description, "permissions": role.permissions,
            "members": [wire.ref(u.id, u.name or u.username) for u in members],
            "metadata": role.metadata, **self._audit(role),
        })

    def wire_license(self, license: License) -> dict:
        return wire.compact({
            "id": license.id, "not_before": wire.i64(license.not_before), "not_after": wire.i64(license.not_after),
            "product": license.product, "name": license.name, "scope": license.scope,
            "competitive": license.competitive, "limit": license.limit, "remain": self.remain(license),
            "users": [self.wire_license_grant(u, license.id) for u in self.holders(license)],
            "status": wire.compact({"errors": self.license_status(license)}),
        })

    def wire_token(self, token: AccessToken, *, with_secret: bool) -> dict:
        user = self.users.get(token.user_id)
        return wire.compact({
            "id": token.id, "token": token.token if with_secret else "", "usage": token.usage,
            "user": wire.ref(token.user_id, (user.name or user.username) if user else None),
            "created_at": wire.i64(token.created_at), "created_by": self.user_ref(token.created_by),
            "updated_at": wire.i64(token.updated_at), "updated_by": self.user_ref(token.updated_by),
        })

    def dump(self) -> dict:
        return {
            "users": [{**self.wire_user(u), "root": u.root, "has_password": bool(u.password_hash)}
                      for u in self.users.values()],
            "devices": [{**self.wire_device(d), "has_password": bool(d.password)} for d in self.devices.values()],
            "roles": [self.wire_role(r) for r in self.roles.values()],
            "licenses": [self.wire_license(lic) for lic in self.licenses.values()],
            "tokens": [self.wire_token(t, with_secret=False) for t in self.tokens.values()],
            "settings": [{"user_id": str(uid), "key": key, "value": value}
                         for (uid, key), value in self.settings.items()],
        }

    def userinfo(self, session: Session) -> dict:
        user = self.get_user(session.user_id)
        return wire.compact({
            "dc": str(self.domain.id), "domain": self.domain.name, "user_id": str(user.id), "name": user.name,
            "username": user.username, "preferred_username": user.username, "extension": user.extension,
            "chat_name": user.chat_name,
            "roles": [wire.ref(r, self.roles[r].name) for r in user.role_ids if r in self.roles],
            "license": [self.wire_license_grant(user, s) for s in user.licenses],
            "updated_at": wire.i64(user.updated_at), "expires_at": wire.i64(session.expires_at),
        })
