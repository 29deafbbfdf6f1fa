"""Two-factor keys (webitel.go ``TwoFactorAuthentication``, ``/users/{user_id}/2fa``): a user's TOTP
secret, read and (re)generated as an ``otpauth://`` URL (the key URI format authenticator apps
read), and shown as the user's ``totp_url``.

When the domain's ``enable_2fa`` system setting turns on, every user without a key gets one, and
so does every user made while it is on (webitel-go/two_factor_auth.proto
``GenerateTfaKeysForNecessaryUsers``, which the engine's system-setting event triggers). The key is
a secret: only the user themself or the domain's administrator may read or regenerate it, and the
emulator's state shows whether a user has one, not the key (docs/emulator.md).
"""

from __future__ import annotations

import base64
import secrets
from urllib.parse import quote, urlencode

from ..api.request import Call
from ..api.service import Service
from ..callcenter.system_settings import SystemSettings, flag
from ..errors import PERMISSION_DENIED, forbidden, not_found
from ..state import Domain
from ..store import Store, on
from .users import User, UserChange, Users, user_ref

E_TFA_NOT_FOUND = "app.user.2fa.not_found"
ISSUER = "Webitel"
TFA_SETTING = "enable_2fa"


def new_secret() -> str:
    """160 random bits in base32 without padding (RFC 4226's recommended key size)."""
    return base64.b32encode(secrets.token_bytes(20)).decode().rstrip("=")


class TfaKeys(Store):
    def __init__(self, domain: Domain) -> None:
        super().__init__(domain)
        self.secrets: dict[int, str] = {}  # user id -> base32 secret

    def url(self, user: User) -> str:
        """The user's key as an otpauth URL ("" when the user has none)."""
        secret = self.secrets.get(user.id)
        if secret is None:
            return ""
        label = quote(f"{ISSUER}:{user.username}@{self.domain.name}")
        return f"otpauth://totp/{label}?{urlencode({'secret': secret, 'issuer': ISSUER})}"

    def generate(self, user: User) -> User:
        self.secrets[user.id] = new_secret()
        return user

    def read(self, user: User) -> User:
        if user.id not in self.secrets:
            raise not_found(E_TFA_NOT_FOUND, f"2fa: user id={user.id} has no key (POST /users/{user.id}/2fa)")
        return user

    @on("system_setting.changed")
    def _setting(self, name: str, value: object) -> None:
        if name == TFA_SETTING and flag(value):
            for user in self.domain.store(Users):
                if user.id not in self.secrets and not user.deleted_at:
                    self.generate(user)

    @on("user.saved")
    def _user_saved(self, change: UserChange) -> None:
        if change.previous is None and flag(self.domain.store(SystemSettings).value(TFA_SETTING)):
            self.generate(change.user)

    @on("user.deleted")
    def _user_deleted(self, user: User, permanent: bool) -> None:
        if permanent:
            self.secrets.pop(user.id, None)


api = Service("TwoFactorAuthentication", permission="users")


def _user(call: Call) -> User:
    """The path's user, for the user themself or the administrator (the key is a secret)."""
    assert call.session is not None
    user = call.store(Users).live(call.path["user_id"])
    if not call.session.root and call.session.user_id != user.id:
        raise forbidden(PERMISSION_DENIED, f"userId={call.session.user_id}, id={user.id} permission=users "
                                           "access=update")
    return user


def wire_key(call: Call, user: User) -> dict:
    return {"totp": {"user": user_ref(call.store(Users), user.id), "url": call.store(TfaKeys).url(user)}}


@api.operation("GetUserTfaKey", self_service=True)
def read(call: Call) -> dict:
    return wire_key(call, call.store(TfaKeys).read(_user(call)))


@api.operation("GenerateUserTfaKey", self_service=True)
def generate(call: Call) -> dict:
    return wire_key(call, call.store(TfaKeys).generate(_user(call)))
