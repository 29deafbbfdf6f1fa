"""User access tokens (webitel.go ``UserAccessTokens``): long-lived tokens that authenticate as
their user, for integrations such as a Creatio connector (``docs/emulator.md``)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from ..api.protojson import render_as
from ..api.request import Call
from ..api.service import Service, listing
from ..errors import not_found
from ..state import Domain, dump_records
from ..store import Record, Store, any_ilike, on, paginate
from .users import User, Users, user_ref

E_TOKEN_NOT_FOUND = "app.user.token.not_found"
GO_PAGE_SIZE = 16


@dataclass
class AccessToken(Record):
    key: str = ""  # the token's id on the wire (a key, not a number)
    user_id: int = 0
    usage: str = ""
    token: str = ""


class AccessTokens(Store):
    def __init__(self, domain: Domain) -> None:
        super().__init__(domain)
        self.rows: dict[str, AccessToken] = {}

    def add(self, user_id: int, *, usage: str, actor: int | None) -> AccessToken:
        user = self.domain.store(Users).live(user_id)
        now = self.now()
        token = AccessToken(key=secrets.token_hex(8), user_id=user.id, usage=usage, created_at=now, created_by=actor,
                            updated_at=now, updated_by=actor)
        token.token = self.world.open_session(self.domain, user.id, root=user.root, access_token_id=token.key).token
        self.rows[token.key] = token
        return token

    def get(self, user_id: int, key: str) -> AccessToken:
        token = self.rows.get(key)
        if token is None or token.user_id != user_id:
            raise not_found(E_TOKEN_NOT_FOUND, f"token: id={key} not found")
        return token

    def update(self, user_id: int, key: str, *, usage: str, actor: int | None) -> AccessToken:
        token = self.get(user_id, key)
        token.usage, token.updated_at, token.updated_by = usage, self.now(), actor
        return token

    def delete(self, user_id: int, key: str) -> AccessToken:
        token = self.get(user_id, key)
        del self.rows[key]
        self.world.close_sessions(lambda s: s.access_token_id == key)
        return token

    def of(self, user_id: int, q: str | None) -> list[AccessToken]:
        self.domain.store(Users).get(user_id)
        return sorted((t for t in self.rows.values() if t.user_id == user_id and any_ilike(q, t.usage)),
                      key=lambda t: t.created_at)

    @on("user.deleted")
    def _user_deleted(self, user: User, permanent: bool) -> None:
        """A deleted user's tokens end with its sessions, soft delete or not."""
        for key in [k for k, t in self.rows.items() if t.user_id == user.id]:
            del self.rows[key]

    def wire(self, token: AccessToken, *, with_secret: bool = False) -> dict:
        users = self.domain.store(Users)
        return {"id": token.key, "token": token.token if with_secret else "", "usage": token.usage,
                "user": user_ref(users, token.user_id), "created_at": token.created_at,
                "created_by": user_ref(users, token.created_by), "updated_at": token.updated_at,
                "updated_by": user_ref(users, token.updated_by)}


@dump_records("tokens", lambda domain: domain.store(AccessTokens).rows.values(), order=40)
def _dump(domain: Domain, t: AccessToken) -> dict:
    return render_as("apiUserAccessToken", domain.store(AccessTokens).wire(t))


api = Service("UserAccessTokens", permission="users")


@api.operation("AddUserAccessToken", entity="token")
def add(call: Call) -> dict:
    tokens = call.store(AccessTokens)
    token = tokens.add(call.path["token.user.id"], usage=call.body.get("usage", ""), actor=call.user_id)
    return tokens.wire(token, with_secret=True)


@api.operation("ListUserAccessToken")
def list_tokens(call: Call) -> dict:
    query, tokens = call.list_query(GO_PAGE_SIZE), call.store(AccessTokens)
    return listing(call, query, paginate(tokens.of(call.path["user.id"], query.q), query, tokens.wire))


@api.operation("GetUserAccessToken")
def read(call: Call) -> dict:
    tokens = call.store(AccessTokens)
    return tokens.wire(tokens.get(call.path["user.id"], call.path["id"]))


@api.operation("UpdateUserAccessToken", entity="update")
@api.operation("UpdateUserAccessToken2", entity="update")
def update(call: Call) -> dict:
    tokens = call.store(AccessTokens)
    user_id, key = call.path["update.user.id"], call.path["update.id"]
    if not call.changed("usage"):
        return tokens.wire(tokens.get(user_id, key))
    return tokens.wire(tokens.update(user_id, key, usage=call.body.get("usage", ""), actor=call.user_id))


@api.operation("DeleteUserAccessToken")
def delete(call: Call) -> dict:
    tokens = call.store(AccessTokens)
    return tokens.wire(tokens.delete(call.path["user.id"], call.path["id"]))
