"""Sign-in (webitel.go ``Auth``): ``POST /login`` and who the token is (``/userinfo``).

Login sessions last 12 h on the emulator's clock; seeded admin tokens and user access tokens do not
expire (``docs/emulator.md``)."""

from __future__ import annotations

from ..api.request import Call
from ..api.service import Service
from ..errors import unauthenticated
from ..state import Domain, World
from .licenses import Licenses
from .roles import Roles
from .users import User, Users, password_matches

LOGIN_TTL_S = 12 * 3600

api = Service("Auth", permission="users")


def login_user(world: World, username: str, domain_name: str | None) -> tuple[Domain, User] | None:
    """The user a sign-in names: ``username`` in ``domain_name``, or ``user@domain``; without a
    domain, only an emulator with a single domain knows which one. None: no such (live) user."""
    if not domain_name and "@" in username:
        username, domain_name = username.rsplit("@", 1)
    domain = world.domain_by_name(domain_name) if domain_name else (
        next(iter(world.domains.values())) if len(world.domains) == 1 else None)
    user = domain.store(Users).by_username(username) if domain else None
    return (domain, user) if domain is not None and user is not None and not user.deleted_at else None


def signed_in(world: World, username: str, password: str, domain_name: str | None, what: str) -> tuple[Domain, User]:
    """The user whose credentials these are (401 otherwise)."""
    found = login_user(world, username, domain_name)
    if found is None or not password_matches(found[1].password_hash, password):
        raise unauthenticated(f"{what}: invalid username, password or domain")
    return found


def new_session(world: World, domain: Domain, user: User) -> dict:
    """A login session of ``user`` as an OAuth 2.0 token answer (``apiAccessToken``)."""
    session = world.open_session(domain, user.id, root=user.root, ttl_s=LOGIN_TTL_S)
    return {"access_token": session.token, "token_type": "Bearer", "expires_in": LOGIN_TTL_S}


@api.operation("Login", auth=False)
def login(call: Call) -> dict:
    """``{"username", "password", "domain"}`` or ``{"username": "user@domain", ...}``."""
    body = call.body
    domain, user = signed_in(call.world, body.get("username", ""), body.get("password", ""), body.get("domain"),
                             "login")
    return new_session(call.world, domain, user)


@api.operation("UserInfo", self_service=True)
@api.operation("UserInfo2", self_service=True)
def userinfo(call: Call) -> dict:
    assert call.session is not None and call.domain is not None
    domain, session = call.domain, call.session
    user = call.store(Users).get(session.user_id)
    roles, licenses = call.store(Roles), call.store(Licenses)
    return {"dc": domain.id, "domain": domain.name, "user_id": user.id, "name": user.name,
            "username": user.username, "preferred_username": user.username, "extension": user.extension,
            "chat_name": user.chat_name,
            "roles": [{"id": r, "name": roles.rows[r].name} for r in user.role_ids if r in roles.rows],
            "license": [licenses.grant(user, s) for s in user.licenses],
            "updated_at": user.updated_at, "expires_at": session.expires_at}
