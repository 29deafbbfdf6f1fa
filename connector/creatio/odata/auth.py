"""How the connector signs in to Creatio: a forms login (a session in cookies) or an OAuth 2.0
client-credentials token. Both renew at most once per expiry, behind a lock: when several threads
find the session expired at once, one signs in and the others use its new session.

Each request is sent with the credentials of a *generation*; a thread that got 401 asks to renew
the generation it used, and the renewal is skipped when another thread has already replaced it.
"""

from __future__ import annotations

import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

import httpx

from ..errors import CreatioAuthFailed
from .answers import json_of

if TYPE_CHECKING:
    from .http import CreatioHTTP

LOGIN_PATH = "ServiceModel/AuthService.svc/Login"
CSRF_COOKIE = "BPMCSRF"
# After a refused sign-in, requests fail at once for this long instead of signing in again: Creatio
# locks a user out after a few failed logins, and a busy connector would get there in a second.
REFUSED_FOR_S = 30.0


class Auth(Protocol):
    def headers(self, http: CreatioHTTP) -> tuple[dict[str, str], int]:
        """The headers that authenticate a request, and the generation they belong to."""
        ...

    def renew(self, http: CreatioHTTP, generation: int) -> None:
        """Sign in again, unless the session of ``generation`` has already been replaced."""
        ...

    def forget(self) -> None:
        """Drop the session (a new HTTP client, without its cookies)."""
        ...


class _Renewing(ABC):
    """The lock, the generation, and the rules "renew only what is still current" and "after a
    refusal, do not ask again for a while"."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._generation = 0
        self._valid = False
        self._refused: CreatioAuthFailed | None = None
        self._refused_until = 0.0

    def _current(self, http: CreatioHTTP) -> int:
        if not self._usable():
            self.renew(http, self._generation)
        return self._generation

    def _usable(self) -> bool:
        return self._valid

    def renew(self, http: CreatioHTTP, generation: int) -> None:
        with self._lock:
            if self._usable() and self._generation != generation:
                return  # another thread renewed it while this one waited
            self._valid = False
            if self._refused is not None and self._clock() < self._refused_until:
                refused = self._refused
                raise CreatioAuthFailed(f"{refused.message} (not tried again for {REFUSED_FOR_S:.0f} s)",
                                        **refused.details)
            try:
                self._sign_in(http)
            except CreatioAuthFailed as exc:
                self._refused, self._refused_until = exc, self._clock() + REFUSED_FOR_S
                raise
            self._refused = None
            self._generation += 1
            self._valid = True

    def forget(self) -> None:
        self._valid = False  # no lock: a sign-in under way (holding it) may be what made the new client

    @abstractmethod
    def _sign_in(self, http: CreatioHTTP) -> None:
        """Sign in afresh (each way of signing in says how)."""


class FormsLogin(_Renewing):
    """``POST /ServiceModel/AuthService.svc/Login``: Creatio answers 200 with ``"Code": 0`` and sets
    the session cookies (kept in the client's cookie jar); ``BPMCSRF`` is echoed as a header.
    ``ForceUseSession: true`` makes Creatio use that session rather than ask for a new login."""

    def __init__(self, username: str, password: str, *, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(clock)
        self._username = username
        self._password = password
        self._csrf: str | None = None

    def __repr__(self) -> str:
        return f"FormsLogin(username={self._username!r})"

    def headers(self, http: CreatioHTTP) -> tuple[dict[str, str], int]:
        generation = self._current(http)
        headers = {"ForceUseSession": "true"}
        if self._csrf:
            headers[CSRF_COOKIE] = self._csrf
        return headers, generation

    def _sign_in(self, http: CreatioHTTP) -> None:
        http.cookies.clear()
        action = "signing in"
        response = http.request("POST", LOGIN_PATH, json={"UserName": self._username, "UserPassword": self._password},
                                action=action, authenticated=False, check=False, odata=False, safe=True)
        if response.status_code not in (200, 401, 403):
            http.check(response, action)  # a 5xx is Creatio's failure, not the credentials'
        code = None
        if response.status_code == 200:
            body = json_of(response, action)
            code = body.get("Code") if isinstance(body, dict) else None
        if code != 0:
            # Creatio answers bad credentials with 200 and "Code": 1 (a locked user: other codes).
            reason = f"code {code}" if response.status_code == 200 else f"HTTP {response.status_code}"
            raise CreatioAuthFailed(f"Creatio refused the integration user's login ({reason}): check "
                                    f"CONNECTOR_CREATIO_USERNAME and CONNECTOR_CREATIO_PASSWORD",
                                    creatio={"status": response.status_code, "code": code})
        self._csrf = _cookie(http.cookies, CSRF_COOKIE)


class ClientCredentials(_Renewing):
    """OAuth 2.0 client credentials at Creatio's identity service; the token is kept until shortly
    before it expires (``expires_in``, 3600 s by default)."""

    def __init__(self, client_id: str, client_secret: str, token_url: str, *,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(clock)
        self._client_id = client_id
        self._client_secret = client_secret
        self._token_url = token_url
        self._token = ""
        self._expires_at = 0.0

    def __repr__(self) -> str:
        return f"ClientCredentials(client_id={self._client_id!r}, token_url={self._token_url!r})"

    def _usable(self) -> bool:
        return self._valid and self._clock() < self._expires_at

    def headers(self, http: CreatioHTTP) -> tuple[dict[str, str], int]:
        generation = self._current(http)
        return {"Authorization": f"Bearer {self._token}"}, generation

    def _sign_in(self, http: CreatioHTTP) -> None:
        action = "asking the identity service for a token"
        form = {"grant_type": "client_credentials", "client_id": self._client_id,
                "client_secret": self._client_secret}
        response = http.request("POST", self._token_url, data=form, action=action, authenticated=False,
                                check=False, odata=False, safe=True)
        if response.status_code in (400, 401, 403):  # invalid_client, unauthorized_client, ...
            raise CreatioAuthFailed(f"Creatio's identity service refused the client credentials (HTTP "
                                    f"{response.status_code}): check CONNECTOR_CREATIO_CLIENT_ID and "
                                    f"CONNECTOR_CREATIO_CLIENT_SECRET", creatio={"status": response.status_code})
        http.check(response, action)
        body = json_of(response, action)
        token = body.get("access_token") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            raise CreatioAuthFailed("Creatio's identity service answered without an access token",
                                    creatio={"status": response.status_code})
        lifetime = body.get("expires_in")
        lifetime = float(lifetime) if isinstance(lifetime, int | float) and lifetime > 0 else 3600.0
        self._token = token
        # Renewed a little early, so that a request never leaves with a token about to expire.
        self._expires_at = self._clock() + lifetime - min(60.0, lifetime / 10)


def _cookie(jar: httpx.Cookies, name: str) -> str | None:
    values = [cookie.value for cookie in jar.jar if cookie.name == name]
    return values[-1] if values else None
