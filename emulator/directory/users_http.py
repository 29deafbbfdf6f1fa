"""HTTP face of webitel.go's ``Users`` service, and a user's wire form (which joins the roles,
licenses and devices that other stores own).

Create and update read the body's references into the user's record attributes (``roles`` ->
role ids, ``license`` -> serials, ``device``/``devices`` -> device ids, ``contact`` -> contact id);
``?generate_device=true`` with ``device.*`` makes the default SIP device; ``user_password`` (with
``confirm_password``) sets the password.
"""

from __future__ import annotations

from typing import Any

from ..api.protojson import render_as
from ..api.request import Call, list_query
from ..api.service import Service, listing
from ..errors import bad_request, unauthenticated
from ..state import VIEWS, Domain, dump_records
from ..store import paginate
from .auth import login_user
from .devices import Devices
from .licenses import Licenses
from .roles import Roles
from .two_factor import TfaKeys
from .users import (
    E_PASSWORD_INVALID,
    EDITABLE,
    DeviceTemplate,
    User,
    Users,
    audit,
    new_password,
    password_matches,
    user_ref,
)

GO_PAGE_SIZE = 16


def wire_user(domain: Domain, user: User) -> dict:
    users, devices = domain.store(Users), domain.store(Devices)
    roles, licenses = domain.store(Roles), domain.store(Licenses)
    default = devices.find(user.device_id)
    note = user.note_at(domain.now()) if user.presence_note_until else user.presence_note
    return {
        "id": user.id, "name": user.name, "email": user.email, "username": user.username,
        "extension": user.extension, "presence": {"status": user.presence, "note": note},
        "device": {"id": default.id, "name": default.name} if default else None,
        "devices": [{"id": d.id, "name": d.name} for d in devices.of(user.id)],
        "profile": user.profile,
        "license": [licenses.grant(user, s) for s in user.licenses],
        "roles": [{"id": r, "name": roles.rows[r].name} for r in user.role_ids if r in roles.rows],
        "contact": {"id": user.contact_id} if user.contact_id else None,
        "totp_url": domain.store(TfaKeys).url(user),
        "chat_name": user.chat_name, "force_password_change": user.force_password_change,
        **audit(users, user), "deleted_at": user.deleted_at, "deleted_by": user_ref(users, user.deleted_by),
    }


@dump_records("users", lambda domain: domain.store(Users).rows.values(), order=10)
def _dump(domain: Domain, u: User) -> dict:
    """Without secrets: whether a user has a password and a two-factor key, not what they are."""
    return {**{k: v for k, v in render_as("apiUser", wire_user(domain, u)).items() if k != "totp_url"},
            "root": u.root, "has_password": bool(u.password_hash), "has_2fa_key": u.id in domain.store(TfaKeys).secrets}


api = Service("Users", permission="users")


def _refs(items: list[dict] | None) -> list[int]:
    return [item["id"] for item in items or () if item.get("id")]


def _attributes(call: Call) -> dict[str, Any]:
    """The record attributes the request writes: every editable one on PUT (absent ones cleared),
    those in the update mask on PATCH."""
    body, out = call.body, {}
    simple = {"username": "username", "name": "name", "email": "email", "extension": "extension",
              "password": "password", "profile": "profile", "chat_name": "chat_name",
              "force_password_change": "force_password_change"}
    for wire_name, attr in simple.items():
        if call.changed(wire_name):
            out[attr] = body.get(wire_name, {} if wire_name == "profile" else False
                                 if wire_name == "force_password_change" else "")
    if call.changed("license"):
        serials = []
        for i, item in enumerate(body.get("license", [])):
            if not item.get("id"):
                raise bad_request("api.process.bad_args", f"user: license[{i}].id is required")
            serials.append(item["id"])
        out["licenses"] = serials
    if call.changed("roles"):
        out["role_ids"] = _refs(body.get("roles"))
    if call.changed("device"):
        out["device_id"] = (body.get("device") or {}).get("id") or None
    if call.changed("devices"):
        out["devices"] = _refs(body.get("devices"))
    if call.changed("contact"):
        out["contact_id"] = (body.get("contact") or {}).get("id") or None
    assert set(out) <= set(EDITABLE)
    return out


def _device_template(call: Call) -> DeviceTemplate | None:
    if not call.query.get("generate_device"):
        return None
    q = call.query
    return DeviceTemplate(name=q.get("device.name", ""), account=q.get("device.account", ""),
                          password="" if q.get("device.generate_password") else q.get("device.password", ""))


def _password(call: Call) -> str | None:
    """``?user_password=`` (with ``confirm_password``): the new user's password."""
    password, confirm = call.query.get("user_password"), call.query.get("confirm_password")
    return None if password is None and confirm is None else new_password(password, confirm)


@api.operation("SearchUsers")
@api.operation("SearchUsers2", self_service=True, project=True)
def search(call: Call) -> dict:
    source = {**call.query, **call.extra, **(call.body or {})}
    query = call.list_query(GO_PAGE_SIZE) if call.op.method == "GET" else _body_query(call)
    rows = call.store(Users).search(
        ids=source.get("id", []), not_ids=source.get("not_id", []), q=query.q, name=source.get("name"),
        username=source.get("username"), extension=source.get("extension"),
        status=source.get("status") or source.get("presence.status") or (source.get("presence") or {}).get("status"),
        include_deleted=source.get("any", False), only_deleted=source.get("deleted", False))
    return listing(call, query, paginate(rows, query, lambda u: wire_user(call.domain, u)))


def _body_query(call: Call) -> Any:
    return list_query({**call.query, **(call.body or {}), **call.extra}, GO_PAGE_SIZE)


@api.operation("CreateUser", entity="user")
def create(call: Call) -> dict:
    attrs = _attributes(call)
    password = _password(call)
    if password is not None:
        attrs["password"] = password
    attrs.setdefault("username", "")
    user = call.store(Users).create(actor=call.user_id, generate_device=_device_template(call), **attrs)
    return wire_user(call.domain, user)


@api.operation("ReadUser")
def read(call: Call) -> dict:
    return wire_user(call.domain, call.store(Users).get(call.path["id"]))


@api.operation("ReadUser2", self_service=True)
def read_self(call: Call) -> dict:
    assert call.session is not None
    return wire_user(call.domain, call.store(Users).get(call.session.user_id))


@api.operation("UpdateUser", entity="user", project=False)
@api.operation("UpdateUser2", entity="user", project=False)
def update(call: Call) -> dict:
    user = call.store(Users).update(call.path["id"], actor=call.user_id, generate_device=_device_template(call),
                                    **_attributes(call))
    return wire_user(call.domain, user)


@api.operation("DeleteUsers")
def delete(call: Call) -> dict:
    ids = [call.path["id"], *call.ids("selection")]
    return {"deleted": _delete(call, ids, call.query.get("permanent", False))}


@api.operation("DeleteUsers2")
def delete_many(call: Call) -> dict:
    """``DELETE /users?permanent=true`` with a bare JSON array of ids (``body: "selection"``)."""
    ids = list(call.body) + ([call.query["id"]] if "id" in call.query else [])
    return {"deleted": _delete(call, ids, call.query.get("permanent", False))}


def _delete(call: Call, ids: list[int], permanent: bool) -> list[dict]:
    """All of them or none: every user must exist, and none may be refused, before any goes."""
    users = call.store(Users)
    ids = list(dict.fromkeys(ids))
    for user_id in ids:
        users.check_delete(users.get(user_id), permanent=permanent, caller=call.user_id)
    return [wire_user(call.domain, users.delete(u, actor=call.user_id, permanent=permanent,
                                                caller=call.user_id)) for u in ids]


@api.operation("UpdatePassword", auth="optional", self_service=True)
def update_password(call: Call) -> dict:
    """``PUT /users/password``: a user changes a password (``old_password`` must match), by the
    caller's token or, for an expired password, by ``username`` and ``domain``."""
    body = call.body
    domain, user = _password_owner(call)
    if not password_matches(user.password_hash, body.get("old_password", "")):
        raise bad_request(E_PASSWORD_INVALID, "password: old_password does not match")
    domain.store(Users).set_password(user, body.get("user_password", ""), body.get("confirm_password"), user.id)
    return {}


def _password_owner(call: Call) -> tuple[Domain, User]:
    body, session = call.body, call.session
    if session is not None:
        users = call.store(Users)
        return call.domain, users.get(body.get("id") or session.user_id) if session.root else users.get(session.user_id)
    found = login_user(call.world, body.get("username", ""), body.get("domain"))
    if found is None:
        raise unauthenticated("password: unknown username or domain")
    return found


@api.operation("LogoutUser")
def logout(call: Call) -> dict:
    _logout(call, [call.path["id"], *call.body.get("selection", [])])
    return {}


@api.operation("LogoutUser2")
def logout_many(call: Call) -> dict:
    _logout(call, [*([call.body["id"]] if call.body.get("id") else []), *call.body.get("selection", [])])
    return {}


def _logout(call: Call, ids: list[int]) -> None:
    """End every session of these users (login sessions; access tokens stay valid)."""
    users = call.store(Users)
    for user_id in ids:
        users.get(user_id)
    assert call.domain is not None
    domain_id = call.domain.id
    call.world.close_sessions(lambda s: s.user_id in ids and s.domain_id == domain_id and s.access_token_id is None
                              and s.expires_at is not None)


class DirectoryView:
    """``domain.directory``: the directory's records by id, read-only, for white-box test code
    written against the emulator's first layout (prefer ``domain.store(Users)`` and the like)."""

    def __init__(self, domain: Domain) -> None:
        self.users = domain.store(Users).rows
        self.devices = domain.store(Devices).rows
        self.roles = domain.store(Roles).rows
        self.licenses = domain.store(Licenses).rows

    @staticmethod
    def check_password(user: User, password: str) -> bool:
        return password_matches(user.password_hash, password)


VIEWS["directory"] = DirectoryView
