"""The domain's password policy (webitel.go ``Users``: ``GET /users/password/settings``,
``POST /users/password/generate``, ``GET /users/warnings``), from the domain's system settings
(engine ``SystemSettingService``, ``callcenter/system_settings.py``): ``password_min_length``,
``password_categories`` (each a regular expression the password must match, as the UI's options
``[A-Z]``, ``[a-z]``, ``[0-9]``, or ``special``: a character other than a letter or digit),
``password_contains_login`` (true: the password may not contain the username), ``password_reg_exp``
(the password must match it), ``password_validation_text`` (the refusal's text),
``password_expiry_days`` and ``password_warning_days``.

webitel.go is closed source: the policy's rules, its error id and the warnings are the emulator's
choices (docs/emulator.md). Every new password is checked (``user.password`` event of the users'
store: create, update, ``PUT /users/password``); a domain without these settings has no policy.
"""

from __future__ import annotations

import json
import math
import re
import secrets
import string
from typing import Any

from ..api.request import Call
from ..callcenter.system_settings import SPECIAL, SystemSettings, flag
from ..errors import bad_request
from ..state import Domain
from ..store import Store, on
from .auth import signed_in
from .licenses import Licenses
from .users import User, Users
from .users_http import api as users_api

E_PASSWORD_POLICY = "app.user.password.policy"
E_PASSWORD_GENERATE = "app.user.password.generate"
SETTINGS = ("password_reg_exp", "password_validation_text", "password_expiry_days", "password_min_length",
            "password_categories", "password_contains_login", "password_warning_days")  # not default_password
GENERATED_LENGTH = 16  # at least; longer when password_min_length asks
SYMBOLS = "!@#$%^&*()-_=+[]{}:;,.?"
ALPHABET = string.ascii_letters + string.digits + SYMBOLS
WARNING_DAYS = 30  # without password_warning_days (the UI's default for it: configuration parameterDescriptors.ts)
DAY_MS = 86_400_000


def _matches(category: str, text: str) -> bool:
    if category == SPECIAL:
        return any(not c.isalnum() for c in text)
    return re.search(category, text) is not None


class PasswordPolicy(Store):
    """The domain's password rules, read from its system settings when used."""

    @property
    def settings(self) -> SystemSettings:
        return self.domain.store(SystemSettings)

    def broken_rule(self, username: str, password: str) -> str | None:
        """Why ``password`` does not meet the policy (None: it does)."""
        value = self.settings.value
        min_length = value("password_min_length", 0)
        if len(password) < min_length:
            return f"at least {min_length} characters"
        for item in value("password_categories", []):
            category = item.get("category", "")
            if category and not _matches(category, password):
                return f"a character of {category}"
        if flag(value("password_contains_login")) and username and username.casefold() in password.casefold():
            return "not the username"
        pattern = value("password_reg_exp")
        if pattern and re.search(pattern, password) is None:
            return f"matching {pattern}"
        return None

    @on("user.password")
    def _check(self, user: User, password: str) -> None:
        rule = self.broken_rule(user.username, password)
        if rule is not None:
            text = self.settings.value("password_validation_text")
            raise bad_request(E_PASSWORD_POLICY, f"password: {text or 'the password must be ' + rule}")

    def generate(self, username: str) -> str:
        """A random password that meets the policy: a character of each category, then random ones."""
        value, rng = self.settings.value, secrets.SystemRandom()
        length = max(GENERATED_LENGTH, value("password_min_length", 0))
        for _attempt in range(100):
            chars = []
            for item in value("password_categories", []):
                fitting = [c for c in ALPHABET if _matches(item.get("category", ""), c)] if item.get("category") else []
                if fitting:
                    chars.append(rng.choice(fitting))
            chars += [rng.choice(ALPHABET) for _ in range(max(0, length - len(chars)))]
            rng.shuffle(chars)
            candidate = "".join(chars)
            if self.broken_rule(username, candidate) is None:
                return candidate
        raise bad_request(E_PASSWORD_GENERATE, "password: no random password meets the domain's policy "
                                               "(password_categories, password_reg_exp)")

    def published(self) -> dict[str, str]:
        """The policy's settings as text (``GetPasswordSettingsResponse.settings``)."""
        out = {}
        for name in SETTINGS:
            found = self.settings.value(name)
            if found is not None:
                out[name] = found if isinstance(found, str) else json.dumps(found, separators=(",", ":"))
        return out

    def warnings(self, user: User) -> list[dict]:
        """``GET /users/warnings``: the caller's password expiring, licenses expiring or expired."""
        value, now = self.settings.value, self.now()
        window = value("password_warning_days", WARNING_DAYS)
        out = []
        expiry_days = value("password_expiry_days")
        if expiry_days and user.password_hash:
            expires_at = (user.password_set_at or user.created_at) + expiry_days * DAY_MS
            days = max(0, math.ceil((expires_at - now) / DAY_MS))
            if days <= window:
                out.append({"id": "password_expires_soon", "detail": f"the password expires in {days} days",
                            "warning_data": {"password_expiry": {"days_remaining": days, "expires_at": expires_at}}})
        licenses = self.domain.store(Licenses)
        for serial in user.licenses:
            license = licenses.rows.get(serial)
            if license is None or not license.not_after:
                continue
            days = max(0, math.ceil((license.not_after - now) / DAY_MS))
            expiry = {"days_remaining": days, "expires_at": license.not_after, "license_name": license.product}
            if license.not_after <= now:
                out.append({"id": "license_expired", "detail": f"the {license.product} license ({serial}) expired",
                            "warning_data": {"license_expiry": expiry}})
            elif days <= window:
                out.append({"id": "license_expires_soon", "warning_data": {"license_expiry": expiry},
                            "detail": f"the {license.product} license ({serial}) expires in {days} days"})
        return out


def _caller(call: Call) -> tuple[Domain, str]:
    """(domain, username): the token's, or, without one, those the request signs in with
    (``username``, ``password``, ``domain``; webitel-go/users.proto GeneratePasswordRequest)."""
    source: dict[str, Any] = call.body if isinstance(call.body, dict) and call.body else call.query
    if call.session is not None:
        user = call.store(Users).get(call.session.user_id)
        return call.domain, source.get("username") or user.username
    domain, user = signed_in(call.world, source.get("username", ""), source.get("password", ""),
                             source.get("domain"), "password")
    return domain, user.username


@users_api.operation("ReadPasswordSettings", auth="optional", self_service=True)
def password_settings(call: Call) -> dict:
    domain, _username = _caller(call)
    return {"settings": domain.store(PasswordPolicy).published()}


@users_api.operation("GeneratePassword", auth="optional", self_service=True)
def generate_password(call: Call) -> dict:
    domain, username = _caller(call)
    return {"password": domain.store(PasswordPolicy).generate(username)}


@users_api.operation("GetUserWarnings", self_service=True)
def warnings(call: Call) -> dict:
    assert call.session is not None
    return {"warnings": call.store(PasswordPolicy).warnings(call.store(Users).get(call.session.user_id))}
