"""The connector's configuration, read from ``CONNECTOR_*`` environment variables.

Nothing is read at import time: :meth:`Config.from_env` is called by the app factory and the CLI.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .sync_settings import SyncSettings
from .tokens import DEFAULT_NAME, SECRET, ApiToken, TokenError, TokenSet, parse, read_file, tokens_checked

PREFIX = "CONNECTOR_"
DEFAULT_SQLITE_FILE = "webitel-connector.sqlite"


class ConfigError(ValueError):
    """A setting that is missing or malformed; the message names the variable."""


def default_database_url(folder: str | Path | None = None) -> str:
    """A SQLite file in the working folder (the embedded default)."""
    return f"sqlite:///{Path(folder or os.getcwd()).resolve() / DEFAULT_SQLITE_FILE}"


@dataclass(frozen=True)
class Config:
    api_token: str = field(default="", repr=False)  # CONNECTOR_API_TOKEN, the token named "default"
    database_url: str = field(default_factory=default_database_url)
    webitel_url: str = "http://127.0.0.1:8090/api"
    webitel_token: str = field(default="", repr=False)
    # More named tokens (CONNECTOR_API_TOKENS: name=token,...) and a file of them, read again when it
    # changes (CONNECTOR_API_TOKENS_FILE): one token can be rotated while the others keep working.
    api_tokens: tuple[ApiToken, ...] = field(default=(), repr=False)
    api_tokens_file: str = ""
    cors_origins: tuple[str, ...] = ()
    webitel_connect_timeout_s: float = 3.0
    webitel_read_timeout_s: float = 10.0
    webitel_retries: int = 2  # extra attempts for requests that are safe to repeat
    webitel_backoff_s: float = 0.2  # first retry delay; doubles each time, with jitter
    database_pool_size: int = 5
    request_deadline_s: float = 15.0  # no request waits longer, whatever the retries and read-backs
    reconcile_interval_s: float = 30.0  # the server's reconcile passes (0 = off)
    reconcile_backoff_s: float = 2.0  # first retry of a pending record; doubles per failed attempt
    reconcile_backoff_max_s: float = 300.0
    # How long a Webitel request whose fate was unknown may still land: the record is checked then.
    late_write_horizon_s: float = 60.0
    log_level: str = "INFO"
    # The largest request body (bytes); a larger one is 413 payload_too_large. The front proxy's
    # client_max_body_size (deploy/nginx) is the same 1 MB.
    max_body_bytes: int = 1_048_576
    # GetWebitelUsers: new contacts' account (default: the Webitel domain's name), users per page, STUN
    # reads at a time.
    import_account_name: str = ""
    import_page_size: int = 500
    import_concurrency: int = 4
    idempotency_ttl_s: float = 86400.0  # how long an Idempotency-Key's answer is kept for a repeat
    # The Creatio side: empty URL = the embedded store; a URL = a live Creatio over OData 4, signed in
    # with a user and password (forms login) or with OAuth 2.0 client credentials.
    creatio_url: str = ""
    creatio_username: str = ""
    creatio_password: str = field(default="", repr=False)
    creatio_client_id: str = ""
    creatio_client_secret: str = field(default="", repr=False)
    creatio_token_url: str = ""
    creatio_odata_path: str = "0/odata"  # "odata" on Creatio for .NET (Core)
    creatio_connect_timeout_s: float = 3.0
    creatio_read_timeout_s: float = 10.0
    creatio_retries: int = 2
    creatio_backoff_s: float = 0.2
    # False for the commands that serve no API (migrate, reconcile, import): they need no API token.
    serves_api: bool = field(default=True, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._check_tokens()
        if not self.webitel_url.startswith(("http://", "https://")):
            raise ConfigError(f"{PREFIX}WEBITEL_URL must be an http(s) URL such as http://127.0.0.1:8090/api")
        for name in ("webitel_connect_timeout_s", "webitel_read_timeout_s", "request_deadline_s"):
            if getattr(self, name) <= 0:
                raise ConfigError(f"{PREFIX}{_env_name(name)} must be greater than 0")
        for name in ("webitel_retries", "webitel_backoff_s", "reconcile_interval_s", "reconcile_backoff_s",
                     "reconcile_backoff_max_s", "late_write_horizon_s"):
            if getattr(self, name) < 0:
                raise ConfigError(f"{PREFIX}{_env_name(name)} must be 0 or more")
        for name in ("import_page_size", "import_concurrency", "max_body_bytes"):
            if getattr(self, name) < 1:
                raise ConfigError(f"{PREFIX}{_env_name(name)} must be 1 or more")
        if self.database_pool_size < 1:
            raise ConfigError(f"{PREFIX}DATABASE_POOL_SIZE must be 1 or more")
        self._check_creatio()

    @property
    def fixed_tokens(self) -> tuple[ApiToken, ...]:
        """CONNECTOR_API_TOKEN (named "default") and CONNECTOR_API_TOKENS (the file's are read by
        :class:`connector.tokens.TokenSet`, again whenever it changes)."""
        return ((ApiToken(DEFAULT_NAME, self.api_token),) if self.api_token else ()) + self.api_tokens

    def token_set(self) -> TokenSet:
        """The API tokens in force: the fixed ones and the file's."""
        return TokenSet(self.fixed_tokens, self.api_tokens_file or None)

    def _check_tokens(self) -> None:
        if self.api_token and not SECRET.fullmatch(self.api_token):
            raise ConfigError(f"{PREFIX}API_TOKEN must be printable ASCII without spaces")
        try:
            tokens = tokens_checked(self.fixed_tokens, f"{PREFIX}API_TOKEN and {PREFIX}API_TOKENS")
            if self.api_tokens_file:
                tokens = tokens_checked((*tokens, *read_file(self.api_tokens_file)), "the API tokens")
        except TokenError as exc:
            raise ConfigError(str(exc)) from None
        if not tokens and self.serves_api:
            raise ConfigError(f"{PREFIX}API_TOKEN is required (or {PREFIX}API_TOKENS, {PREFIX}API_TOKENS_FILE): "
                              f"the bearer token Creatio sends to the connector")

    def _check_creatio(self) -> None:
        forms = bool(self.creatio_username or self.creatio_password)
        oauth = bool(self.creatio_client_id or self.creatio_client_secret or self.creatio_token_url)
        if not self.creatio_url:
            if forms or oauth:
                raise ConfigError(f"{PREFIX}CREATIO_URL is required with Creatio credentials (without it the "
                                  f"connector uses its embedded Creatio records)")
            return
        for name in ("creatio_url", "creatio_token_url"):
            value = getattr(self, name)
            if value and not value.startswith(("http://", "https://")):
                raise ConfigError(f"{PREFIX}{_env_name(name)} must be an http(s) URL")
        if forms == oauth:
            raise ConfigError(f"{PREFIX}CREATIO_URL needs either {PREFIX}CREATIO_USERNAME and _PASSWORD or "
                              f"{PREFIX}CREATIO_CLIENT_ID, _CLIENT_SECRET and _TOKEN_URL (one of the two)")
        needed = (("creatio_username", "creatio_password") if forms
                  else ("creatio_client_id", "creatio_client_secret", "creatio_token_url"))
        for name in needed:
            if not getattr(self, name):
                raise ConfigError(f"{PREFIX}{_env_name(name)} is required for this way of signing in to Creatio")
        for name in ("creatio_connect_timeout_s", "creatio_read_timeout_s"):
            if getattr(self, name) <= 0:
                raise ConfigError(f"{PREFIX}{_env_name(name)} must be greater than 0")
        for name in ("creatio_retries", "creatio_backoff_s"):
            if getattr(self, name) < 0:
                raise ConfigError(f"{PREFIX}{_env_name(name)} must be 0 or more")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Config:
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for name, kind in _SETTINGS.items():
            raw = env.get(PREFIX + _env_name(name))
            if raw is None or raw.strip() == "":
                continue
            values[name] = _parse(name, raw.strip(), kind)
        values.update(overrides)
        return cls(**values)

    @property
    def sync_settings(self) -> SyncSettings:
        return SyncSettings(request_deadline_s=self.request_deadline_s, late_write_horizon_s=self.late_write_horizon_s,
                            reconcile_backoff_s=self.reconcile_backoff_s,
                            reconcile_backoff_max_s=self.reconcile_backoff_max_s)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def creatio_side(self) -> str:
        """``odata`` with a Creatio URL, else ``embedded``."""
        return "odata" if self.creatio_url else "embedded"


_SETTINGS: dict[str, type] = {
    "api_token": str, "api_tokens": ApiToken, "api_tokens_file": str, "database_url": str, "webitel_url": str,
    "webitel_token": str, "cors_origins": tuple,
    "webitel_connect_timeout_s": float, "webitel_read_timeout_s": float, "webitel_retries": int,
    "webitel_backoff_s": float, "database_pool_size": int, "request_deadline_s": float,
    "reconcile_interval_s": float, "reconcile_backoff_s": float, "reconcile_backoff_max_s": float,
    "late_write_horizon_s": float, "log_level": str, "max_body_bytes": int, "import_account_name": str,
    "import_page_size": int, "import_concurrency": int, "idempotency_ttl_s": float,
    "creatio_url": str, "creatio_username": str, "creatio_password": str, "creatio_client_id": str,
    "creatio_client_secret": str, "creatio_token_url": str, "creatio_odata_path": str,
    "creatio_connect_timeout_s": float, "creatio_read_timeout_s": float, "creatio_retries": int,
    "creatio_backoff_s": float,
}


def _env_name(name: str) -> str:
    return name.upper()  # units stay in the name: CONNECTOR_WEBITEL_READ_TIMEOUT_S


def _parse(name: str, raw: str, kind: type) -> object:
    if kind is ApiToken:
        try:
            return parse(raw, source=f"{PREFIX}{_env_name(name)}", separator=",")
        except TokenError as exc:
            raise ConfigError(str(exc)) from None
    if kind is tuple:
        return tuple(part.strip().rstrip("/") for part in raw.split(",") if part.strip())
    try:
        return kind(raw)
    except ValueError:
        expected = "a whole number" if kind is int else "a number"
        raise ConfigError(f"{PREFIX}{_env_name(name)}: expected {expected}, got {raw!r}") from None
