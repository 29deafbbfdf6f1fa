"""Webitel users (webitel.go ``directory.wbt_user``): the records and their rules.

Uniqueness per domain, without scans (indexes): usernames case-insensitively and shared with role
names (``wbt_auth``), extensions when set, emails case-insensitively. Soft-deleted users keep
theirs: Webitel's unique indexes have no ``deleted_at`` predicate (2020 dump).

The user's grants that other services own (roles, licenses, devices) are checked and applied by
those services, which listen to this store's events: ``user.check`` (a change about to be made;
a listener refuses by raising), ``user.saved`` (made), ``user.deleting`` (refusable) and
``user.deleted``. HTTP is in ``users_http.py``; sources in ``docs/emulator.md``.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from ..errors import bad_args, bad_request, conflict, forbidden, not_found
from ..store import Record, Store, Table, UniqueIndex, any_ilike, ilike

USERNAME_RE = re.compile(r"^[A-Za-z0-9._-]+$")
EXTENSION_RE = re.compile(r"^[0-9]+$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+$")

E_USER_NOT_FOUND = "app.user.not_found.error"
E_USER_CONFLICT = "app.user.conflict.error"
E_EMAIL_CONFLICT = "app.user.email.conflict.error"
E_EXTENSION_CONFLICT = "app.user.extension.conflict.error"
E_PASSWORD_MISMATCH = "app.user.password.mismatch"
E_PASSWORD_INVALID = "app.user.password.invalid"
E_DELETE_SELF = "app.user.delete.self"

# The presentities a user's presence is a set of: a registered SIP phone, a WebRTC (web) phone, do
# not disturb, a dialog in progress (webitel-go/presence.proto; the UI's user-status-chips.vue).
PRESENCES = ("sip", "web", "dnd", "dlg")


def hash_password(password: str) -> str:
    salt = secrets.token_hex(8)
    return salt + "$" + hashlib.sha256((salt + password).encode()).hexdigest()


def password_matches(stored: str | None, password: str) -> bool:
    if not stored or "$" not in stored:
        return False
    salt, digest = stored.split("$", 1)
    return hmac.compare_digest(digest, hashlib.sha256((salt + password).encode()).hexdigest())


def new_password(password: str | None, confirm: str | None) -> str:
    """A new password (``user_password``): required, and repeated by ``confirm_password`` when sent."""
    if not password:
        raise bad_request(E_PASSWORD_INVALID, "password: user_password is required")
    if confirm is not None and confirm != password:
        raise bad_request(E_PASSWORD_MISMATCH, "password: confirm_password does not match user_password")
    return password


class AuthNames(Store):
    """Webitel's ``wbt_auth`` names: users and roles share one case-insensitive namespace per domain."""

    def __init__(self, domain: Any) -> None:
        super().__init__(domain)
        self.index = UniqueIndex()

    def check(self, name: str, owner: tuple[str, int]) -> None:
        if self.index.taken(name, owner):
            raise conflict(E_USER_CONFLICT, f"user: role '{name}' already exists")


@dataclass
class User(Record):
    username: str = ""
    name: str = ""
    email: str = ""
    extension: str = ""
    password_hash: str | None = None
    presence: str = ""  # a set of PRESENCES, "sip,web" (the phones' registrations: control plane, presence API)
    presence_note: str = ""
    presence_note_until: int = 0  # unix ms the note is cleared at; 0 = kept
    presence_since: int = 0  # unix ms the presence was last set (0: since the user was made)
    password_set_at: int = 0  # unix ms (password expiry: docs/emulator.md)
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

    @property
    def display_name(self) -> str:
        return self.name or self.username

    def note_at(self, now: int) -> str:
        """The presence note, unless it expired."""
        return self.presence_note if not self.presence_note_until or self.presence_note_until > now else ""


def presence_set(status: str) -> str:
    """A presence as Webitel writes it: unique presentities of :data:`PRESENCES`, comma-separated
    (``"sip, web"`` -> ``"sip,web"``); ValueError naming the unknown ones."""
    parts = list(dict.fromkeys(p.strip() for p in status.split(",") if p.strip()))
    unknown = [p for p in parts if p not in PRESENCES]
    if unknown:
        raise ValueError(f"unknown presence {', '.join(map(repr, unknown))} (a set of {', '.join(PRESENCES)})")
    return ",".join(parts)


@dataclass
class DeviceTemplate:
    """``InputUserDevice``: the SIP device ``?generate_device=true`` makes for the user."""

    name: str = ""
    account: str = ""
    password: str = ""


@dataclass
class UserChange:
    """What a create or update is about to make (``user.check``) or made (``user.saved``).

    ``devices``: the user's regular devices when the request wrote them; ``generate``: a
    device to make and set as the default."""

    user: User
    previous: User | None
    devices: list[int] | None = None
    generate: DeviceTemplate | None = None
    generated: Any = None  # the device made from ``generate`` once checked (the devices store's record)


# The editable attributes of a user by their record names; PUT replaces every one of them.
EDITABLE = ("username", "name", "email", "extension", "password", "profile", "licenses", "role_ids",
            "device_id", "devices", "contact_id", "chat_name", "force_password_change")


class Users(Table[User]):
    kind = "user"

    def __init__(self, domain: Any) -> None:
        super().__init__(domain)
        self.extensions = UniqueIndex(fold=False)
        self.emails = UniqueIndex()
        self.deleted = 0  # soft-deleted users: lists skip them without a filter when there are none

    @property
    def names(self) -> AuthNames:
        return self.domain.store(AuthNames)

    def missing(self, row_id: int) -> Exception:
        return not_found(E_USER_NOT_FOUND, f"user: id={row_id} not found")

    def live(self, user_id: int) -> User:
        """A user that is not soft-deleted (writes refuse the others with 404)."""
        user = self.get(user_id)
        if user.deleted_at:
            raise self.missing(user_id)
        return user

    def by_username(self, username: str) -> User | None:
        owner = self.names.index.owner(username)
        return self.rows.get(owner[1]) if isinstance(owner, tuple) and owner[0] == "user" else None

    # -- writes ------------------------------------------------------------------------------------
    def create(self, *, actor: int | None, username: str, name: str = "", email: str = "", extension: str = "",
               password: str | None = None, profile: dict[str, str] | None = None, licenses: Collection[str] = (),
               role_ids: Collection[int] = (), device_id: int | None = None,
               devices: list[int] | None = None, contact_id: int | None = None, chat_name: str = "",
               force_password_change: bool = False, root: bool = False,
               generate_device: DeviceTemplate | None = None) -> User:
        user = User(root=root)
        change = self._apply(user, {
            "username": username, "name": name, "email": email, "extension": extension, "password": password,
            "profile": profile or {}, "licenses": list(licenses), "role_ids": list(role_ids),
            "device_id": device_id, "devices": devices, "contact_id": contact_id, "chat_name": chat_name,
            "force_password_change": force_password_change}, previous=None, generate=generate_device)
        self._check(change)
        # Every check passed: from here on nothing can fail, so the create is all or nothing.
        self.insert(user, actor)
        user.licenses = dict.fromkeys(user.licenses, user.created_at)
        self._index(None, user)
        self.domain.emit("user.saved", change)
        return user

    def update(self, user_id: int, *, actor: int | None, generate_device: DeviceTemplate | None = None,
               **changes: Any) -> User:
        """Change the given attributes (names of :data:`EDITABLE`); PUT passes every one of them."""
        current = self.live(user_id)
        unknown = set(changes) - set(EDITABLE)
        if unknown:
            raise TypeError(f"not user attributes: {sorted(unknown)}")
        candidate = replace(current, profile=dict(current.profile), licenses=dict(current.licenses),
                            role_ids=list(current.role_ids))
        change = self._apply(candidate, changes, previous=current, generate=generate_device)
        self._check(change)
        now = self.now()
        candidate.licenses = {s: current.licenses.get(s, now) for s in candidate.licenses}
        self.put(candidate, actor)
        self._index(current, candidate)
        self.domain.emit("user.saved", change)
        return candidate

    def _apply(self, user: User, values: dict[str, Any], *, previous: User | None,
               generate: DeviceTemplate | None) -> UserChange:
        """Copy ``values`` (record names) onto ``user``, normalised and checked for format."""
        change = UserChange(user=user, previous=previous, generate=generate)
        password = None
        for name, value in values.items():
            if name in ("username", "name", "email", "extension", "chat_name"):
                setattr(user, name, (value or "").strip())
            elif name == "password":
                password = value or None  # an absent password never clears the current one
            elif name == "licenses":
                user.licenses = dict.fromkeys(dict.fromkeys(value or ()), 0)
            elif name == "role_ids":
                user.role_ids = list(dict.fromkeys(value or ()))
            elif name == "devices":
                change.devices = None if value is None else list(dict.fromkeys(value))
            elif name == "profile":
                user.profile = dict(value or {})
            else:
                setattr(user, name, value)
        if not user.username:
            raise bad_args("user: username is required")
        if not USERNAME_RE.match(user.username):
            raise bad_args(f"user: username '{user.username}' may hold only letters, digits, '.', '_' and '-'")
        if user.extension and not EXTENSION_RE.match(user.extension):
            raise bad_args(f"user: extension '{user.extension}' must be digits only")
        if user.email and not EMAIL_RE.match(user.email):
            raise bad_args(f"user: email '{user.email}' is not a valid address")
        if password is not None:
            self._new_password(user, password)
        return change

    def _check(self, change: UserChange) -> None:
        user = change.user
        self.names.check(user.username, ("user", user.id))
        if self.extensions.taken(user.extension, user.id):
            raise conflict(E_EXTENSION_CONFLICT, f"extension: number '{user.extension}' already registered")
        if self.emails.taken(user.email, user.id):
            raise conflict(E_EMAIL_CONFLICT, f"email: address '{user.email}' already registered")
        self.domain.emit("user.check", change)

    def _index(self, old: User | None, new: User | None) -> None:
        owner = (old or new).id  # type: ignore[union-attr]
        self.names.index.move(old.username if old else "", new.username if new else "", ("user", owner))
        self.extensions.move(old.extension if old else "", new.extension if new else "", owner)
        self.emails.move(old.email if old else "", new.email if new else "", owner)

    def _new_password(self, user: User, password: str) -> None:
        """The domain's password policy (``user.password``, a refusable event) checks it first."""
        self.domain.emit("user.password", user, password)
        user.password_hash = hash_password(password)
        user.password_set_at = self.now()

    def set_password(self, user: User, password: str | None, confirm: str | None, actor: int | None) -> None:
        self._new_password(user, new_password(password, confirm))
        user.force_password_change = False
        self.stamp(user, actor)

    def check_delete(self, user: User, *, permanent: bool, caller: int | None) -> None:
        """Refuse a delete: of the caller's own user (a token that deleted its user would lock its
        holder out; see docs/emulator.md), or one another service forbids (``user.deleting``)."""
        if caller is not None and user.id == caller:
            raise forbidden(E_DELETE_SELF, f"user: id={user.id} is the caller's own user: it cannot delete itself")
        self.domain.emit("user.deleting", user, permanent)

    def delete(self, user_id: int, *, actor: int | None, permanent: bool, caller: int | None = None) -> User:
        """Soft delete (``deleted_at`` set; name, extension, email and grants kept, sessions and
        tokens ended) or, ``permanent``, for good."""
        user = self.get(user_id)
        self.check_delete(user, permanent=permanent, caller=caller)
        self.world.close_sessions(lambda s: s.user_id == user.id and s.domain_id == self.domain.id)
        if permanent:
            del self.rows[user.id]
            if user.deleted_at:
                self.deleted -= 1
            self._index(user, None)
        elif not user.deleted_at:
            user.deleted_at, user.deleted_by = self.now(), actor
            self.deleted += 1
        self.domain.emit("user.deleted", user, permanent)
        return user

    def set_presence(self, user: User, status: str, note: str | None = None, note_ttl_s: int = 0) -> None:
        """``status``: a set of :data:`PRESENCES` (see :func:`presence_set`); the note, when given,
        is cleared after ``note_ttl_s`` seconds (0: kept)."""
        now = self.now()
        user.presence, user.presence_since = status, now
        if note is not None:
            user.presence_note = note
            user.presence_note_until = now + note_ttl_s * 1000 if note_ttl_s > 0 else 0
        self.domain.emit("presence.changed", user)

    # -- reads -------------------------------------------------------------------------------------
    def search(self, *, ids: Collection[int] = (), not_ids: Collection[int] = (), q: str | None = None,
               name: str | None = None, username: str | None = None, extension: str | None = None,
               status: str | None = None, include_deleted: bool = False, only_deleted: bool = False
               ) -> Iterator[User]:
        """Users in id order, by Webitel's filters (ILIKE patterns with ``*``)."""
        if ids:
            pool: Any = (self.rows[i] for i in sorted(set(ids)) if i in self.rows)
        else:
            pool = self.rows.values()
        skip_deleted = not (include_deleted or only_deleted) and self.deleted > 0
        plain = not (not_ids or q or name or username or extension or status or only_deleted or skip_deleted)
        if plain:
            return iter(pool)
        excluded = set(not_ids)

        def wanted(user: User) -> bool:
            if (only_deleted and not user.deleted_at) or (skip_deleted and user.deleted_at) or user.id in excluded:
                return False
            if (name and not ilike(name, user.name)) or (username and not ilike(username, user.username)) \
                    or (extension and not ilike(extension, user.extension)) \
                    or (status and not ilike(status, user.presence)):
                return False
            return any_ilike(q, user.name, user.username, user.extension, user.presence)

        return filter(wanted, pool)


def audit(users: Users, record: Record) -> dict:
    """The ``created_*`` / ``updated_*`` columns on the wire (users as ``{"id", "name"}``)."""
    return {"created_at": record.created_at, "created_by": user_ref(users, record.created_by),
            "updated_at": record.updated_at, "updated_by": user_ref(users, record.updated_by)}


def user_ref(users: Users, user_id: int | None) -> dict | None:
    """A user as a lookup ``{"id", "name"}`` (the display name, else the username)."""
    if not user_id:
        return None
    user = users.rows.get(user_id)
    return {"id": user_id, "name": user.display_name if user else None}
