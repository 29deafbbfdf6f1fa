"""STUN, Webitel's per-user phone setting.

``/user/settings/phone`` belongs to the token's own user, so the connector mints a short-lived
access token for the user, writes ``{"webrtc": true, "stun": <flag>}`` as that user, and deletes
the token again, also when the write fails. Tokens are recognised by their ``usage`` mark, so one
left behind (its delete failed, or its creation's answer was lost) is swept by the next STUN change.
"""

from __future__ import annotations

import logging
import secrets

from ...webitel import WebitelClient, WebitelError

log = logging.getLogger("connector.stun")

TOKEN_USAGE = "creatio-connector:stun"


def set_stun(webitel: WebitelClient, webitel_user_id: str, enabled: bool) -> None:
    sweep_tokens(webitel, webitel_user_id)
    usage = f"{TOKEN_USAGE}:{secrets.token_hex(4)}"
    try:
        token = webitel.add_token(webitel_user_id, usage)
    except WebitelError as exc:
        if exc.outcome_unknown:  # it may exist although its answer was lost
            sweep_tokens(webitel, webitel_user_id, quietly=True)
        raise
    try:
        try:
            webitel.put_phone_settings(token["token"], webrtc=True, stun=enabled)
        except WebitelError as exc:
            if not exc.outcome_unknown or not _is_set(webitel, token["token"], enabled):
                raise
    finally:
        try:
            webitel.delete_token(webitel_user_id, token["id"])
        except WebitelError:
            log.warning("could not delete the STUN token %s of Webitel user %s; the next STUN change sweeps it",
                        token["id"], webitel_user_id)


def _is_set(webitel: WebitelClient, user_token: str, enabled: bool) -> bool:
    settings = webitel.phone_settings(user_token) or {}
    return bool(settings.get("webrtc")) and bool(settings.get("stun")) == enabled


def sweep_tokens(webitel: WebitelClient, webitel_user_id: str, *, quietly: bool = False) -> None:
    """Delete the connector's STUN tokens left behind for the user."""
    try:
        for token in webitel.tokens(webitel_user_id):
            if str(token.get("usage", "")).startswith(TOKEN_USAGE):
                webitel.delete_token(webitel_user_id, token["id"])
    except WebitelError:
        if not quietly:
            raise
        log.warning("could not sweep the STUN tokens of Webitel user %s", webitel_user_id)
