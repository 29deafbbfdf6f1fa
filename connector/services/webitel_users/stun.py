"""STUN, Webitel's per-user phone setting.

``/user/settings/phone`` belongs to the token's own user, so the connector mints a short-lived
access token for the user, reads or writes the setting as that user, and deletes the token again,
also when the call fails. Tokens are recognised by their ``usage`` mark, so one left behind (its
delete failed, or its creation's answer was lost) is swept by the next STUN call for the user, and
by the reconciler where a creation's answer was lost (``token_sweeps``).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from ...webitel import WebitelClient, WebitelError
from ..steps import Step

log = logging.getLogger("connector.stun")

TOKEN_USAGE = "creatio-connector:stun"
STEP = "webitel.phone_settings"


def apply(webitel: WebitelClient, webitel_user_id: str, enabled: bool) -> bool:
    with _user_token(webitel, webitel_user_id) as token:
        webitel.put_phone_settings(token, webrtc=True, stun=enabled)
    return enabled


def read(webitel: WebitelClient, webitel_user_id: str) -> bool:
    """The user's STUN flag (False before the first save)."""
    with _user_token(webitel, webitel_user_id) as token:
        settings = webitel.phone_settings(token) or {}
    return bool(settings.get("webrtc")) and bool(settings.get("stun"))


def step(webitel: WebitelClient, webitel_user_id: str, enabled: bool, *, undo_to: bool | None = None) -> Step:
    """The step that sets STUN (and, with ``undo_to``, how to take it back)."""
    return Step(STEP, lambda: apply(webitel, webitel_user_id, enabled),
                confirm=_is(webitel, webitel_user_id, enabled),
                undo=step(webitel, webitel_user_id, undo_to) if undo_to is not None else None)


def _is(webitel: WebitelClient, webitel_user_id: str, enabled: bool) -> Callable[[], bool | None]:
    return lambda: True if read(webitel, webitel_user_id) == enabled else None


@contextmanager
def _user_token(webitel: WebitelClient, webitel_user_id: str) -> Iterator[str]:
    sweep(webitel, webitel_user_id)
    token = webitel.add_token(webitel_user_id, f"{TOKEN_USAGE}:{secrets.token_hex(4)}")
    try:
        yield token["token"]
    finally:
        try:
            webitel.delete_token(webitel_user_id, token["id"])
        except WebitelError:
            log.warning("could not delete the STUN token %s of Webitel user %s; the next STUN call sweeps it",
                        token["id"], webitel_user_id)


def sweep(webitel: WebitelClient, webitel_user_id: str, *, quiet: bool = True) -> int:
    """Delete the connector's STUN tokens left behind for the user; how many. Before a STUN call a
    sweep only tidies, so it fails quietly (a warning) unless ``quiet`` is off."""
    try:
        left = [token for token in webitel.tokens(webitel_user_id)
                if str(token.get("usage", "")).startswith(TOKEN_USAGE)]
        for token in left:
            webitel.delete_token(webitel_user_id, token["id"])
    except WebitelError:
        if not quiet:
            raise
        log.warning("could not sweep the STUN tokens of Webitel user %s", webitel_user_id)
        return 0
    return len(left)
