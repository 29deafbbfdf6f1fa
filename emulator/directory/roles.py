"""Roles (webitel.go ``Roles``): named groups users are members of (``docs/emulator.md``).

A role's name shares the users' namespace (``wbt_auth``): unique per domain, case-insensitively,
across users and roles (409 ``app.user.conflict.error``). Membership is the user's ``roles``.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from typing import Any

from ..api.protojson import render_as
from ..api.request import Call
from ..api.service import Service, crud, listing
from ..errors import bad_args, bad_request, not_found
from ..state import Domain, dump_section
from ..store import Record, Table, any_ilike, ilike, on, paginate
from .users import AuthNames, User, UserChange, Users, audit

E_ROLE_NOT_FOUND = "app.role.not_found.error"
GO_PAGE_SIZE = 16  # webitel.go's default page size (proto comments in devices.proto, customers.proto)


@dataclass
class Role(Record):
    name: str = ""
    description: str = ""
    permissions: list[str] = field(default_factory=list)  # permission ids
    metadata: dict = field(default_factory=dict)


class Roles(Table[Role]):
    kind = "role"

    def __init__(self, domain: Domain) -> None:
        super().__init__(domain)
        self.members: dict[int, set[int]] = {}  # role id -> user ids

    def missing(self, row_id: int) -> Exception:
        return not_found(E_ROLE_NOT_FOUND, f"role: id={row_id} not found")

    def create(self, *, actor: int | None, name: str, description: str = "", permissions: Collection[str] = (),
               metadata: dict | None = None, copy_id: int | None = None) -> Role:
        """``copy_id`` names the role whose access list the new one starts from; the emulator has no
        access lists, so it is only checked to exist."""
        if copy_id is not None and copy_id not in self.rows:
            raise bad_request(E_ROLE_NOT_FOUND, f"role: copy_id={copy_id} not found")
        role = Role(name=name.strip(), description=description, permissions=list(permissions),
                    metadata=dict(metadata or {}))
        self._check(role)
        self.insert(role, actor)
        self._names().index.move("", role.name, ("role", role.id))
        return role

    def update(self, role_id: int, *, actor: int | None, **changes: Any) -> Role:
        current = self.get(role_id)
        role = replace(current, **changes)
        role.name = role.name.strip()
        self._check(role)
        self.put(role, actor)
        self._names().index.move(current.name, role.name, ("role", role.id))
        return role

    def delete(self, role_id: int) -> Role:
        role = self.pop(role_id)
        self._names().index.move(role.name, "", ("role", role.id))
        users = self.domain.store(Users)
        for user_id in self.members.pop(role_id, set()):
            user = users.rows[user_id]
            user.role_ids = [r for r in user.role_ids if r != role_id]
        return role

    def _names(self) -> AuthNames:
        return self.domain.store(AuthNames)

    def _check(self, role: Role) -> None:
        if not role.name:
            raise bad_args("role: name is required")
        self._names().check(role.name, ("role", role.id))

    def search(self, *, ids: Collection[int] = (), member: int | None = None, name: str | None = None,
               q: str | None = None) -> list[Role]:
        wanted = set(self.domain.store(Users).get(member).role_ids) if member is not None else None
        return [r for r in self.rows.values()
                if (not ids or r.id in ids) and (wanted is None or r.id in wanted)
                and (not name or ilike(name, r.name)) and any_ilike(q, r.name)]

    # -- the users' side: role references checked, membership indexed ------------------------------
    @on("user.check")
    def _check_user(self, change: UserChange) -> None:
        for role_id in change.user.role_ids:
            if role_id not in self.rows:
                raise bad_request(E_ROLE_NOT_FOUND, f"role: id={role_id} not found")

    @on("user.saved")
    def _user_saved(self, change: UserChange) -> None:
        self._move_member(change.user.id, change.previous.role_ids if change.previous else [], change.user.role_ids)

    @on("user.deleted")
    def _user_deleted(self, user: User, permanent: bool) -> None:
        if permanent:
            self._move_member(user.id, user.role_ids, [])

    def _move_member(self, user_id: int, old: list[int], new: list[int]) -> None:
        for role_id in set(old) - set(new):
            self.members.get(role_id, set()).discard(user_id)
        for role_id in new:
            self.members.setdefault(role_id, set()).add(user_id)

    def wire(self, role: Role) -> dict:
        users = self.domain.store(Users)
        members = sorted(self.members.get(role.id, ()))
        return {"id": role.id, "name": role.name, "description": role.description,
                "permissions": [{"id": p} for p in role.permissions],
                "members": [{"id": u, "name": users.rows[u].display_name} for u in members],
                "metadata": role.metadata, **audit(users, role)}


@dump_section("roles", order=20)
def _dump(domain: Domain) -> list[dict]:
    roles = domain.store(Roles)
    return [render_as("apiRole", roles.wire(r)) for r in roles]


# -- HTTP --------------------------------------------------------------------------------------------
api = Service("Roles", permission="roles")


def _attributes(call: Call) -> dict[str, Any]:
    body, out = call.body, {}
    for name in ("name", "description", "metadata"):
        if call.changed(name):
            out[name] = body.get(name, {} if name == "metadata" else "")
    if call.changed("permissions"):
        out["permissions"] = [p.get("id", "") for p in body.get("permissions", [])]
    return out


@api.operation("SearchRoles")
def search(call: Call) -> dict:
    query, roles = call.list_query(GO_PAGE_SIZE), call.store(Roles)
    rows = roles.search(ids=call.ids("ids"), member=call.query.get("user.id"),
                        name=call.query.get("name"), q=query.q)
    return listing(call, query, paginate(rows, query, roles.wire))


@api.operation("CreateRole", entity="role")
def create(call: Call) -> dict:
    roles = call.store(Roles)
    attrs = _attributes(call)
    return roles.wire(roles.create(actor=call.user_id, copy_id=call.extra.get("copy_id"), **attrs))


crud(api, Roles, lambda domain, role: domain.store(Roles).wire(role), _attributes, read="ReadRole",
     update=("UpdateRole", "UpdateRole2"), entity="role")


@api.operation("DeleteRole")
def delete(call: Call) -> dict:
    roles = call.store(Roles)
    return {"deleted": roles.wire(roles.delete(call.path["id"]))}


# -- metadata and the roles available to a record --------------------------------------------------
MERGE_KINDS = ("merge.null_value", "merge.number_value", "merge.string_value", "merge.bool_value",
               "merge.struct_value")


def _merge_base(args: dict[str, Any]) -> Any:
    """``merge`` (a google.protobuf.Value in the query, one of its kinds): the document the found
    metadata is merged onto (None: no base)."""
    for name in MERGE_KINDS:
        if name in args:
            value = args[name]
            if name == "merge.null_value":
                return None
            if name == "merge.struct_value":
                try:
                    value = json.loads(value)
                except ValueError:
                    value = None
                if not isinstance(value, dict):
                    raise bad_args(f"{name}: invalid value for struct type: a JSON object is expected")
            return value
    return None


def merged(base: Any, found: Any) -> Any:
    """``found`` merged onto ``base``: objects key by key (``found`` wins), anything else replaced."""
    if found is None:
        return base
    if isinstance(base, dict) and isinstance(found, dict):
        return {**base, **found}
    return found


@api.operation("RoleMetadata")
def metadata(call: Call) -> dict:
    """``GET /roles/metadata?id=&key=&merge.*=``: a role's metadata (``id``), or without ``id`` the
    documents of the caller's roles merged in id order; ``key`` picks one document of it."""
    roles, args = call.store(Roles), call.query
    if args.get("id"):
        documents = [roles.get(args["id"]).metadata]
    else:
        assert call.session is not None
        user = call.store(Users).get(call.session.user_id)
        documents = [roles.rows[r].metadata for r in sorted(user.role_ids) if r in roles.rows]
    found: Any = None
    for document in documents:
        found = merged(found, document)
    key = args.get("key") or ""
    if key:
        found = found.get(key) if isinstance(found, dict) else None
    return {"key": key, "value": merged(_merge_base(args), found)}


RECORD_STORES: dict[str, type[Table]] = {"users": Users, "roles": Roles}  # devices: added by devices.py


@api.operation("SearchRecordAvailableRoles")
def record_roles(call: Call) -> dict:
    """``GET /roles/objects/{object}/records/{record.id}``: the roles that may be granted access to
    the record. The emulator keeps no access lists, so every role of the domain is available; the
    record itself must exist for the classes the directory keeps (users, roles, devices)."""
    kind = RECORD_STORES.get(call.path["object"])
    if kind is not None:
        call.store(kind).get(call.path["record.id"])
    query, roles, args = call.list_query(GO_PAGE_SIZE), call.store(Roles), call.query
    users = call.store(Users)
    member_name = args.get("user.name")
    rows = [r for r in roles.search(ids=call.ids("ids"), member=args.get("user.id"), name=args.get("name"))
            if any_ilike(query.q, r.name, r.description)
            and (not member_name or any(ilike(member_name, users.rows[u].display_name)
                                        for u in roles.members.get(r.id, ())))]
    return listing(call, query, paginate(rows, query, roles.wire))
