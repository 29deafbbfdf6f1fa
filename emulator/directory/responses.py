"""HTTP face of the directory service: webitel.go's REST paths under ``/api``."""

from __future__ import annotations

from flask import Blueprint, request

from .. import wire
from ..errors import unauthenticated
from ..http import answer, emulator, endpoint, json_body, one, page, patch_fields, path_id

bp = Blueprint("users", __name__, url_prefix="/api")
GO_PAGE_SIZE = 16  # webitel.go's default page size (proto comments in devices.proto, customers.proto)
LOGIN_TTL_S = 12 * 3600


def _query():
    return wire.ListQuery.parse(request.args, default_size=GO_PAGE_SIZE)


def _device_template() -> dict:
    """``device.name``, ``device.account``, ``device.password`` from the query (InputUserDevice)."""
    args = request.args
    template = {k: args[f"device.{k}"] for k in ("name", "account", "password") if args.get(f"device.{k}")}
    if wire.parse_bool(args.get("device.generate_password", False), "device.generate_password"):
        template.pop("password", None)
    return template


def _generate_device() -> bool:
    return wire.parse_bool(request.args.get("generate_device", False), "generate_device")


# -- auth -------------------------------------------------------------------------------------
@endpoint(bp, "/login", ["POST"], auth=False)
def login():
    body = json_body()
    username, password = str(body.get("username", "")), str(body.get("password", ""))
    domain_name = body.get("domain")
    if not domain_name and "@" in username:
        username, domain_name = username.rsplit("@", 1)
    world = emulator().backend.world
    domain = world.domain_by_name(str(domain_name or "")) if domain_name else (
        next(iter(world.domains.values())) if len(world.domains) == 1 else None)
    user = domain.directory.user_by_username(username) if domain else None
    if user is None or user.deleted_at or not domain.directory.check_password(user, password):
        raise unauthenticated("login: invalid username, password or domain")
    session = world.open_session(domain, user.id, root=user.root, ttl_s=LOGIN_TTL_S)
    return answer({"access_token": session.token, "token_type": "Bearer", "expires_in": LOGIN_TTL_S})


@endpoint(bp, "/userinfo", ["GET", "POST"], self_service=True)
def userinfo(session, domain):
    return answer(domain.directory.userinfo(session))


# -- users ------------------------------------------------------------------------------------
@endpoint(bp, "/users", ["GET"])
def search_users(session, domain):
    query = _query()
    return page(*domain.directory.search_users(request.args, query), query)


@endpoint(bp, "/users/search", ["POST"], self_service=True)
def search_users_post(session, domain):
    args = {**request.args.to_dict(), **json_body()}
    query = wire.ListQuery.parse(args, default_size=GO_PAGE_SIZE)
    return page(*domain.directory.search_users(args, query), query)


@endpoint(bp, "/users", ["POST"])
def create_user(session, domain):
    user = domain.directory.create_user(json_body("user"), session.user_id, generate_device=_generate_device(),
                                        device_template=_device_template())
    return one(domain.directory.wire_user(user))


@endpoint(bp, "/users/<id>", ["GET"])
def read_user(session, domain, id):
    return one(domain.directory.wire_user(domain.directory.get_user(path_id(id))))


@endpoint(bp, "/user", ["GET"], self_service=True)
def read_self(session, domain):
    return one(domain.directory.wire_user(domain.directory.get_user(session.user_id)))


@endpoint(bp, "/users/<id>", ["PUT", "PATCH"])
def update_user(session, domain, id):
    body = json_body("user")
    fields = patch_fields(body) if request.method == "PATCH" else None
    user = domain.directory.update_user(path_id(id), body, session.user_id, fields=fields,
                                        generate_device=_generate_device(), device_template=_device_template())
    return answer(domain.directory.wire_user(user))  # ?fields= names what changes, not what to answer


def _permanent() -> bool:
    return wire.parse_bool(request.args.get("permanent", False), "permanent")


@endpoint(bp, "/users/<id>", ["DELETE"])
def delete_user(session, domain, id):
    user = domain.directory.delete_user(path_id(id), session.user_id, permanent=_permanent())
    return answer({"deleted": [domain.directory.wire_user(user)]})


@endpoint(bp, "/users", ["DELETE"])
def delete_users(session, domain):
    body = json_body()
    ids = wire.multi_int(request.args, "id") + [wire.parse_int64(v, "selection") for v in body.get("selection", [])]
    permanent = _permanent() or wire.parse_bool(body.get("permanent", False), "permanent")
    directory = domain.directory
    for user_id in ids:  # all exist, or nothing is deleted
        directory.get_user(user_id)
    deleted = [directory.wire_user(directory.delete_user(u, session.user_id, permanent=permanent)) for u in ids]
    return answer(wire.compact({"deleted": deleted}))


# -- user access tokens -----------------------------------------------------------------------
@endpoint(bp, "/users/<user_id>/tokens", ["POST"])
def add_token(session, domain, user_id):
    body = json_body("token")
    token = domain.directory.add_token(path_id(user_id, "user.id"), wire.parse_str(body.get("usage"), "usage"),
                                       session.user_id)
    return answer(domain.directory.wire_token(token, with_secret=True))


@endpoint(bp, "/users/<user_id>/tokens", ["GET"])
def list_tokens(session, domain, user_id):
    query = _query()
    return page(*domain.directory.list_tokens(path_id(user_id, "user.id"), query), query, size="int64")


@endpoint(bp, "/users/<user_id>/tokens/<token_id>", ["GET"])
def read_token(session, domain, user_id, token_id):
    token = domain.directory.get_token(path_id(user_id, "user.id"), token_id)
    return one(domain.directory.wire_token(token, with_secret=False))


@endpoint(bp, "/users/<user_id>/tokens/<token_id>", ["PUT", "PATCH"])
def update_token(session, domain, user_id, token_id):
    body = json_body("token")
    token = domain.directory.get_token(path_id(user_id, "user.id"), token_id)
    if "usage" in body or request.method == "PUT":
        token.usage = wire.parse_str(body.get("usage"), "usage")
        token.updated_at, token.updated_by = domain.directory.now(), session.user_id
    return one(domain.directory.wire_token(token, with_secret=False))


@endpoint(bp, "/users/<user_id>/tokens/<token_id>", ["DELETE"])
def delete_token(session, domain, user_id, token_id):
    token = domain.directory.delete_token(path_id(user_id, "user.id"), token_id)
    return answer(domain.directory.wire_token(token, with_secret=False))


# -- user settings (the token's own user) ----------------------------------------------------
@endpoint(bp, "/user/settings/<key>", ["GET"], self_service=True)
def get_setting(session, domain, key):
    return answer(domain.directory.get_setting(session.user_id, key))


@endpoint(bp, "/user/settings/<key>", ["PUT"], self_service=True)
def put_setting(session, domain, key):
    return answer(domain.directory.put_setting(session.user_id, key, json_body()))


# -- devices ----------------------------------------------------------------------------------
@endpoint(bp, "/devices", ["GET"])
def search_devices(session, domain):
    query = _query()
    return page(*domain.directory.search_devices(request.args, query), query)


@endpoint(bp, "/devices", ["POST"])
def create_device(session, domain):
    device = domain.directory.save_device(None, json_body("device"), session.user_id, fields=None)
    return one(domain.directory.wire_device(device))


@endpoint(bp, "/devices/<id>", ["GET"])
def read_device(session, domain, id):
    return one(domain.directory.wire_device(domain.directory.get_device(path_id(id))))


@endpoint(bp, "/devices/<id>", ["PUT", "PATCH"])
def update_device(session, domain, id):
    body = json_body("device")
    fields = patch_fields(body) if request.method == "PATCH" else None
    device = domain.directory.save_device(path_id(id), body, session.user_id, fields=fields)
    return answer(domain.directory.wire_device(device))


@endpoint(bp, "/devices/<id>", ["DELETE"])
def delete_device(session, domain, id):
    device = domain.directory.delete_device(path_id(id))
    return answer({"deleted": [domain.directory.wire_device(device)]})


# -- licenses ---------------------------------------------------------------------------------
@endpoint(bp, ("/license", "/products"), ["GET"])
def licenses(session, domain):
    query = _query()
    return page(*domain.directory.search_licenses(request.args, query), query, size=None)



@endpoint(bp, "/products/<id>/users", ["GET"])
def product_users(session, domain, id):
    query = _query()
    return page(*domain.directory.product_users(id, query), query, size=None)


# -- roles ------------------------------------------------------------------------------------
@endpoint(bp, "/roles", ["GET"])
def search_roles(session, domain):
    query = _query()
    return page(*domain.directory.search_roles(request.args, query), query)


@endpoint(bp, "/roles", ["POST"])
def create_role(session, domain):
    role = domain.directory.save_role(None, json_body("role"), session.user_id, fields=None)
    return one(domain.directory.wire_role(role))


@endpoint(bp, "/roles/<id>", ["GET"])
def read_role(session, domain, id):
    return one(domain.directory.wire_role(domain.directory.get_role(path_id(id))))


@endpoint(bp, "/roles/<id>", ["PUT", "PATCH"])
def update_role(session, domain, id):
    body = json_body("role")
    fields = patch_fields(body) if request.method == "PATCH" else None
    role = domain.directory.save_role(path_id(id), body, session.user_id, fields=fields)
    return answer(domain.directory.wire_role(role))


@endpoint(bp, "/roles/<id>", ["DELETE"])
def delete_role(session, domain, id):
    return answer({"deleted": domain.directory.wire_role(domain.directory.delete_role(path_id(id)))})
