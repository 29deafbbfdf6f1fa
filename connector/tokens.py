"""The connector's API tokens: named, several at once, so that one can be rotated without downtime
(add the new one, move the callers, remove the old one). The caller's token *name* is who acts (the
audit trail); the secret is compared in constant time and never logged.

Sources: ``CONNECTOR_API_TOKEN`` (named ``default``), ``CONNECTOR_API_TOKENS`` (``name=token,...``)
and ``CONNECTOR_API_TOKENS_FILE`` (one ``name=token`` a line; ``#`` comments and blank lines
ignored), which is read again whenever it changes, so a rotation needs no restart.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

log = logging.getLogger("connector.tokens")

DEFAULT_NAME = "default"  # CONNECTOR_API_TOKEN's
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
SECRET = re.compile(r"[\x21-\x7e]+")  # printable ASCII, no spaces: what an Authorization header carries
REDACTED = "[api token]"
REDACT_FROM = 8  # shorter secrets would match ordinary text; they are not searched for in log lines


class TokenError(ValueError):
    """A token list that cannot be used; the message names the source and the line, never a secret."""


@dataclass(frozen=True)
class ApiToken:
    name: str
    secret: str = field(repr=False)


def parse(text: str, *, source: str, separator: str = "\n") -> tuple[ApiToken, ...]:
    """``name=token`` entries, one per ``separator``-separated item."""
    tokens: list[ApiToken] = []
    for number, item in enumerate(text.split(separator), start=1):
        entry = item.strip()
        if not entry or entry.startswith("#"):
            continue
        where = f"{source}, entry {number}"
        name, equals, secret = (part.strip() for part in entry.partition("="))
        if not equals or not name:
            raise TokenError(f"{where}: expected name=token")
        if not NAME.fullmatch(name):
            raise TokenError(f"{where}: the name {name!r} must be 1 to 64 letters, digits, '.', '_' or '-'")
        if not SECRET.fullmatch(secret):
            raise TokenError(f"{where}: the token of {name!r} must be printable ASCII without spaces")
        tokens.append(ApiToken(name, secret))
    return tokens_checked(tokens, source)


def tokens_checked(tokens: Iterable[ApiToken], source: str) -> tuple[ApiToken, ...]:
    """No name twice (who acted must be clear) and no secret under two names."""
    tokens = tuple(tokens)
    names = [t.name for t in tokens]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise TokenError(f"{source}: the name {twice[0]!r} is given more than once")
    secrets = [t.secret for t in tokens]
    shared = sorted({t.name for t in tokens if secrets.count(t.secret) > 1})
    if shared:
        raise TokenError(f"{source}: {', '.join(map(repr, shared))} have the same token")
    return tokens


def read_file(path: str | Path) -> tuple[ApiToken, ...]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise TokenError(f"CONNECTOR_API_TOKENS_FILE {path}: cannot be read ({exc.__class__.__name__})") from None
    return parse(text, source=f"CONNECTOR_API_TOKENS_FILE {path}")


def _digest(secret: str) -> bytes:
    # Equal-length digests: compare_digest then takes the same time whatever the presented length.
    return hashlib.sha256(secret.encode("utf-8", "surrogateescape")).digest()


class TokenSet:
    """The tokens in force: the fixed ones and the file's, the file re-read when it changes. A file
    that turns unreadable or malformed keeps the last good tokens (and says so in the log), so a
    mistaken edit never locks every caller out."""

    def __init__(self, fixed: Iterable[ApiToken] = (), file: str | Path | None = None) -> None:
        self._fixed = tuple(fixed)
        self._file = Path(file) if file else None
        self._lock = threading.Lock()
        self._seen: tuple[int, int, int] | None = None
        self._tokens = self._fixed
        self._digests = self._digest_all(self._tokens)
        if self._file is not None:
            self._refresh(initial=True)

    def check(self, presented: str) -> str | None:
        """The name of the token ``presented`` is, or None. Every token is compared, in constant time."""
        self._refresh()
        digest, found = _digest(presented), None
        for name, expected in self._digests:
            if hmac.compare_digest(digest, expected):
                found = name
        return found

    def redact(self, text: str) -> str:
        """``text`` with every token in force replaced by ``[api token]`` (for log lines). A token a
        client percent-encoded, even in part (``%61bc…``), is found too: the line is then shown
        decoded, with the token masked (a raw request line carries the path as the client sent it)."""
        self._refresh()  # the file's new tokens too, when nothing has checked a caller since it changed
        masked = self._mask(text)
        if "%" in masked:
            decoded = unquote(masked, errors="replace")
            if decoded != masked and (decoded_masked := self._mask(decoded)) != decoded:
                return decoded_masked
        return masked

    def _mask(self, text: str) -> str:
        for token in self._tokens:
            if len(token.secret) >= REDACT_FROM and token.secret in text:
                text = text.replace(token.secret, REDACTED)
        return text

    def carries(self, text: str) -> bool:
        """``text`` is a token in force, or holds one."""
        return self.check(text) is not None or self.redact(text) != text

    @property
    def names(self) -> tuple[str, ...]:
        self._refresh()
        return tuple(t.name for t in self._tokens)

    @staticmethod
    def _digest_all(tokens: tuple[ApiToken, ...]) -> tuple[tuple[str, bytes], ...]:
        return tuple((t.name, _digest(t.secret)) for t in tokens)

    def _refresh(self, *, initial: bool = False) -> None:
        if self._file is None:
            return
        try:
            stat = os.stat(self._file)
            seen = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
        except OSError:
            seen = None
        if seen == self._seen and not initial:
            return
        with self._lock:
            if seen == self._seen and not initial:
                return
            self._seen = seen
            try:
                tokens = tokens_checked((*self._fixed, *read_file(self._file)), "the API tokens")
            except TokenError as exc:
                if initial:
                    raise
                log.warning("API tokens file not taken, the previous tokens stay in force: %s", exc)
                return
            self._tokens, self._digests = tokens, self._digest_all(tokens)
            if not initial:
                log.info("API tokens file read again: %d token(s) in force (%s)", len(tokens),
                            ", ".join(t.name for t in tokens))
