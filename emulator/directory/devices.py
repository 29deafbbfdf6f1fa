"""SIP devices (webitel.go ``Devices``): a user's phones, and the default one WebRTC registers
with (``docs/emulator.md``).

Account, MAC and IP are unique per domain (indexes of the 2020 dump: account case-insensitively).
A device has one owner; ``?generate_device=true`` on a user makes one and sets it as the default.
A device's password is write-only: never in an answer, the journal or the state.
"""

from __future__ import annotations

import secrets
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from typing import Any

from ..api.protojson import render_as
from ..api.request import Call
from ..api.service import Service, crud, listing
from ..errors import bad_args, bad_request, conflict, not_found
from ..state import Domain, dump_records
from ..store import Record, Table, UniqueIndex, any_ilike, ilike, on, paginate
from .roles import RECORD_STORES
from .users import E_USER_NOT_FOUND, DeviceTemplate, User, UserChange, Users, audit, user_ref

E_DEVICE_NOT_FOUND = "app.device.not_found.error"
E_DEVICE_CONFLICT = "app.device.conflict.error"
GO_PAGE_SIZE = 16


@dataclass
class Device(Record):
    name: str = ""
    account: str = ""
    password: str = ""
    user_id: int | None = None
    generated_for: int | None = None  # the user whose ?generate_device made it
    hotdesk: bool = False
    hotdesks: list[str] = field(default_factory=list)
    provision: dict[str, str] = field(default_factory=dict)
    brand: str = ""
    model: str = ""
    mac: str = ""
    ip: str = ""
    deleted_at: int = 0
    deleted_by: int | None = None


@dataclass(slots=True)
class Holding:
    """A user holding a device from ``logged_in`` until ``logged_out`` (0: still), for the device's
    login audit (``GET /devices/{id}/users/audit``)."""

    user_id: int
    logged_in: int
    logged_out: int = 0


class Devices(Table[Device]):
    kind = "device"

    def __init__(self, domain: Domain) -> None:
        super().__init__(domain)
        self.accounts = UniqueIndex()
        self.macs = UniqueIndex()
        self.ips = UniqueIndex(fold=False)
        self.of_user: dict[int, set[int]] = {}  # user id -> device ids
        # device id -> its holders, oldest first; kept once a device changes hands (until then its
        # only holder is the user it was made for: see holders())
        self.audit: dict[int, list[Holding]] = {}

    def missing(self, row_id: int) -> Exception:
        return not_found(E_DEVICE_NOT_FOUND, f"device: id={row_id} not found")

    @property
    def users(self) -> Users:
        return self.domain.store(Users)

    # -- writes ------------------------------------------------------------------------------------
    def create(self, *, actor: int | None, account: str, name: str = "", password: str = "",
               user_id: int | None = None, **attrs: Any) -> Device:
        device = self._checked(Device(account=account, name=name, password=password, user_id=user_id, **attrs))
        self.insert(device, actor)
        self._index(None, device)
        return device

    def update(self, device_id: int, *, actor: int | None, **changes: Any) -> Device:
        current = self.get(device_id)
        if not changes.get("password"):
            changes.pop("password", None)  # an absent password keeps the current one
        device = self._checked(replace(current, **changes))
        self.put(device, actor)
        self._index(current, device)
        if device.user_id != current.user_id:  # a default device given away stops being the default
            owner = self.users.find(current.user_id)
            if owner is not None and owner.device_id == device.id:
                owner.device_id = None
        return device

    def delete(self, device_id: int, actor: int | None) -> Device:
        device = self.pop(device_id)
        self._index(device, None)
        owner = self.users.find(device.user_id)
        if owner is not None and owner.device_id == device.id:
            owner.device_id = None
        device.deleted_at, device.deleted_by = self.now(), actor
        return device

    def _checked(self, device: Device) -> Device:
        device.account, device.name = device.account.strip(), device.name.strip()
        if not device.account:
            raise bad_args("device: account is required")
        if not device.name:
            device.name = device.account
        if device.user_id is not None and self.users.find(device.user_id) is None:
            raise bad_request(E_USER_NOT_FOUND, "user: not found")
        self._check_unique(device)
        if not device.password:
            device.password = secrets.token_urlsafe(18)
        return device

    def _check_unique(self, device: Device) -> None:
        for index, value, what in ((self.accounts, device.account, "account"), (self.macs, device.mac, "mac"),
                                   (self.ips, device.ip, "ip")):
            if index.taken(value, device.id):
                raise conflict(E_DEVICE_CONFLICT, f"device: {what} '{value}' already registered")

    def _index(self, old: Device | None, new: Device | None) -> None:
        row_id = (old or new).id  # type: ignore[union-attr]
        self.accounts.move(old.account if old else "", new.account if new else "", row_id)
        self.macs.move(old.mac if old else "", new.mac if new else "", row_id)
        self.ips.move(old.ip if old else "", new.ip if new else "", row_id)
        if old is not None and old.user_id is not None:
            self.of_user.get(old.user_id, set()).discard(row_id)
        if new is not None and new.user_id is not None:
            self.of_user.setdefault(new.user_id, set()).add(row_id)
        if new is None:
            self.audit.pop(row_id, None)  # a deleted device's audit cannot be read any more
        elif old is not None and old.user_id != new.user_id:
            self._audit(old, new.user_id)

    def holders(self, device: Device) -> list[Holding]:
        """Who held the device, oldest first."""
        found = self.audit.get(device.id)
        if found is not None:
            return found
        return [Holding(device.user_id, device.created_at)] if device.user_id is not None else []

    def _audit(self, old: Device, user_id: int | None) -> None:
        """The device changed hands: its holder logs out, the new one (if any) logs in."""
        now = self.now()
        held = self.audit[old.id] = self.holders(old)
        if held and not held[-1].logged_out:
            held[-1].logged_out = now
        if user_id is not None:
            held.append(Holding(user_id, now))

    def _assign(self, device: Device, user_id: int | None) -> None:
        updated = replace(device, user_id=user_id)
        self.rows[device.id] = updated
        self._index(device, updated)

    # -- the users' side ---------------------------------------------------------------------------
    @on("user.check")
    def _check_user(self, change: UserChange) -> None:
        user = change.user
        wanted = [user.device_id] if user.device_id is not None else []
        for device_id in wanted + (change.devices or []):
            device = self.rows.get(device_id)
            if device is None:
                raise bad_request(E_DEVICE_NOT_FOUND, f"device: id={device_id} not found")
            if device.user_id is not None and device.user_id != user.id:
                raise conflict(E_DEVICE_CONFLICT, f"device: '{device.account}' belongs to another user")
        if change.generate is not None:
            change.generated = self._generated(user, change.generate)
            self._check_unique(change.generated)

    @staticmethod
    def _generated(user: User, template: DeviceTemplate) -> Device:
        """Account and name from the template, else the user's; a random password unless given."""
        return Device(account=template.account or user.username, name=template.name or user.display_name,
                      password=template.password or secrets.token_urlsafe(18))

    @on("user.saved")
    def _user_saved(self, change: UserChange) -> None:
        user = change.user
        if change.generated is not None:
            device = change.generated
            device.user_id = device.generated_for = user.id
            self.insert(device, user.updated_by)
            self._index(None, device)
            user.device_id = device.id
        if change.devices is not None:
            for device_id in list(self.of_user.get(user.id, ())):
                if device_id not in change.devices and device_id != user.device_id:
                    self._assign(self.rows[device_id], None)
            for device_id in change.devices:
                self._assign(self.rows[device_id], user.id)
        if user.device_id is not None and self.rows[user.device_id].user_id != user.id:
            self._assign(self.rows[user.device_id], user.id)

    @on("user.deleted")
    def _user_deleted(self, user: User, permanent: bool) -> None:
        """A permanent delete removes the devices made for the user and releases the others."""
        if not permanent:
            return
        for device_id in sorted(self.of_user.get(user.id, ())):
            device = self.rows[device_id]
            if device.generated_for == user.id:
                self.pop(device_id)
                self._index(device, None)
            else:
                self._assign(device, None)

    # -- reads -------------------------------------------------------------------------------------
    def search(self, *, ids: Collection[int] = (), user_id: int | None = None, q: str | None = None,
               **patterns: str | None) -> list[Device]:
        pool = self.rows.values() if user_id is None else [self.rows[i] for i in sorted(self.of_user.get(user_id, ()))]
        return [d for d in pool if (not ids or d.id in ids) and any_ilike(q, d.name, d.account)
                and all(ilike(p, getattr(d, k)) for k, p in patterns.items() if p)]

    def of(self, user_id: int) -> list[Device]:
        return [self.rows[i] for i in sorted(self.of_user.get(user_id, ()))]

    def wire(self, device: Device) -> dict:
        users = self.users
        owner = users.find(device.user_id)
        return {"id": device.id, "name": device.name, "account": device.account,
                "user": user_ref(users, device.user_id), "hotdesk": device.hotdesk, "hotdesks": device.hotdesks,
                "provision": device.provision, "brand": device.brand, "model": device.model, "mac": device.mac,
                "ip": device.ip, "reged": bool(owner and "sip" in owner.presence.split(",")),
                **audit(users, device), "deleted_at": device.deleted_at,
                "deleted_by": user_ref(users, device.deleted_by)}


@dump_records("devices", lambda domain: domain.store(Devices).rows.values(), order=15)
def _dump(domain: Domain, d: Device) -> dict:
    return {**render_as("apiDevice", domain.store(Devices).wire(d)), "has_password": bool(d.password)}


RECORD_STORES["devices"] = Devices  # access lists of devices name existing devices

# -- HTTP --------------------------------------------------------------------------------------------
api = Service("Devices", permission="devices")
EDITABLE = ("name", "account", "password", "hotdesk", "hotdesks", "provision", "brand", "model", "mac", "ip")


def _attributes(call: Call) -> dict[str, Any]:
    body = call.body
    out: dict[str, Any] = {}
    for name in EDITABLE:
        if call.changed(name):
            default: Any = [] if name == "hotdesks" else {} if name == "provision" else False \
                if name == "hotdesk" else ""
            out[name] = body.get(name, default)
    if "hotdesks" in out:
        out["hotdesks"] = [h.get("name") or str(h.get("id", "")) if isinstance(h, dict) else h
                           for h in out["hotdesks"]]
    if call.changed("user"):
        out["user_id"] = (body.get("user") or {}).get("id") or None
    return out


@api.operation("SearchDevice")
def search(call: Call) -> dict:
    query, devices = call.list_query(GO_PAGE_SIZE), call.store(Devices)
    args = call.query
    rows = devices.search(ids=call.ids("ids"), user_id=args.get("user.id"), q=query.q, name=args.get("name"),
                          account=args.get("account"), mac=args.get("mac"), ip=args.get("ip"))
    return listing(call, query, paginate(rows, query, devices.wire))


@api.operation("CreateDevice", entity="device")
def create(call: Call) -> dict:
    devices = call.store(Devices)
    attrs = _attributes(call)
    return devices.wire(devices.create(actor=call.user_id, **attrs))


crud(api, Devices, lambda domain, device: domain.store(Devices).wire(device), _attributes, read="ReadDevice",
     update=("UpdateDevice", "UpdateDevice2"), entity="device")


@api.operation("DeleteDevice")
def delete(call: Call) -> list[dict]:
    devices = call.store(Devices)
    ids = [call.path["id"], *call.ids("ids")]
    return _delete(call, devices, ids)


@api.operation("DeleteDevice2")
def delete_many(call: Call) -> list[dict]:
    devices = call.store(Devices)
    ids = list(call.body) + ([call.query["id"]] if "id" in call.query else [])
    return _delete(call, devices, ids)


def _delete(call: Call, devices: Devices, ids: list[int]) -> list[dict]:
    """All of them or none: every id must exist first."""
    ids = list(dict.fromkeys(ids))
    for device_id in ids:
        devices.get(device_id)
    return [devices.wire(devices.delete(i, call.user_id)) for i in ids]


# -- SIP registrations and the login audit -------------------------------------------------------------
REGISTER_EXPIRES_S = 3600  # the simulated phone's REGISTER Expires: it re-registers before it runs out


def registration(devices: Devices, device: Device) -> dict | None:
    """The device's SIP registration: its owner's presence has ``sip`` (the phone registered, as
    the control plane and ``PATCH /users/{id}/presence`` set it)."""
    users = devices.users
    owner = users.find(device.user_id)
    if owner is None or "sip" not in owner.presence.split(","):
        return None
    since = owner.presence_since or owner.created_at
    period = REGISTER_EXPIRES_S * 1000
    expires = since + ((devices.now() - since) // period + 1) * period
    return {"id": device.id, "user": user_ref(users, owner.id), "device": {"id": device.id, "name": device.name},
            "callid": f"{device.account}-{since}@emulator", "socket": "udp:127.0.0.1:5060",
            "contact": f"sip:{device.account}@127.0.0.1:5070", "received": "udp:127.0.0.1:5070",
            "user_agent": "webitel-emulator",
            "register_at": since, "expires_at": expires}


@api.operation("ListRegistrations")
def registrations(call: Call) -> dict:
    """``GET /devices/{id}/registered``: the device's registration, if its phone is registered;
    ``user.id``, ``user.name`` (ILIKE) and ``device.name`` (ILIKE) filter it."""
    devices, args = call.store(Devices), call.query
    found = registration(devices, devices.get(call.path["device.id"]))
    rows = [r for r in [found] if r is not None and args.get("user.id", r["user"]["id"]) == r["user"]["id"]
            and (not args.get("user.name") or ilike(args["user.name"], r["user"]["name"]))
            and (not args.get("device.name") or ilike(args["device.name"], r["device"]["name"]))]
    query = call.list_query(GO_PAGE_SIZE)
    return listing(call, query, paginate(rows, query, lambda r: r))


@api.operation("SearchDeviceAudit")
def audit_log(call: Call) -> dict:
    """``GET /devices/{id}/users/audit``: who held the device and when, newest first; ``user.id``,
    ``user.name`` (ILIKE), ``time_from`` / ``time_till`` (the holding overlaps them)."""
    devices, args = call.store(Devices), call.query
    device = devices.get(call.path["device.id"])
    users = devices.users
    since, till = args.get("time_from", 0), args.get("time_till", 0)
    user_name = args.get("user.name")
    rows = [h for h in reversed(devices.holders(device))
            if args.get("user.id", h.user_id) == h.user_id and (not till or h.logged_in <= till)
            and (not since or not h.logged_out or h.logged_out >= since)
            and (not user_name or ilike(user_name, (users.find(h.user_id) or User()).display_name))]
    query = call.list_query(GO_PAGE_SIZE)
    return listing(call, query, paginate(rows, query, lambda h: {
        "user": user_ref(users, h.user_id), "device": {"id": device.id, "name": device.name},
        "logged_in": h.logged_in, "logged_out": h.logged_out}))
