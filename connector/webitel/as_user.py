"""Acting as a Webitel user: the calls Webitel answers only for the token's own user (its phone
settings, where STUN lives) made with a short-lived access token minted for the user.

The protocol, in one place: tidy away what an earlier attempt left, mint a token marked with
:data:`TOKEN_USAGE`, make the calls as the user, delete the token again, also when a call fails. A
token whose delete failed, or whose creation's answer was lost (the request may land later), is
recognised by its mark and swept by the next act for the user, or by the reconciler
(:func:`users_with_lost_tokens` names the users whose token's creation was lost).
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from .calls import FAILED, UNCERTAIN, Call
from .errors import WebitelError, WebitelNotFound

if TYPE_CHECKING:
    from .client import WebitelClient

log = logging.getLogger("connector.stun")

TOKEN_USAGE = "creatio-connector:stun"  # the mark of the connector's tokens (Webitel keeps it as "usage")
_TOKENS = re.compile(r"^/users/(?P<uid>[^/]+)/tokens$")
_TOKEN = re.compile(r"^/users/(?P<uid>[^/]+)/tokens/[^/]+$")


class AsUser:
    """The calls made as one Webitel user (inside :func:`acting`)."""

    def __init__(self, client: WebitelClient, user_id: str, token: str) -> None:
        self.client, self.user_id, self._token = client, user_id, token

    def phone_settings(self) -> dict | None:
        """``GET /user/settings/phone``; None before the first save (404)."""
        try:
            return self.client.http.request("GET", "/user/settings/phone", token=self._token)
        except WebitelNotFound:
            return None

    def put_phone_settings(self, *, webrtc: bool, stun: bool) -> dict:
        return self.client.http.request("PUT", "/user/settings/phone", json_body={"webrtc": webrtc, "stun": stun},
                                        token=self._token)


@contextmanager
def acting(client: WebitelClient, user_id: str, *, sweep_first: bool = True) -> Iterator[AsUser]:
    """Act as the user for the block: a token minted before, deleted after (whatever happens).
    ``sweep_first=False`` skips tidying the user's old tokens first (a fourth call): for bulk reads,
    whose caller notes lost tokens for the reconciler's sweep (:func:`users_with_lost_tokens`)."""
    if sweep_first:
        sweep(client, user_id)
    token = client.add_token(user_id, f"{TOKEN_USAGE}:{secrets.token_hex(4)}")
    try:
        yield AsUser(client, user_id, token["token"])
    finally:
        try:
            client.delete_token(user_id, token["id"])
        except WebitelError:
            log.warning("could not delete the token %s of Webitel user %s; a later sweep removes it",
                        token["id"], user_id)


def sweep(client: WebitelClient, user_id: str, *, quiet: bool = True) -> int:
    """Delete the connector's tokens left behind for the user; how many. Before an act it only
    tidies, so it fails quietly (a warning) unless ``quiet`` is off."""
    try:
        left = [token for token in client.tokens(user_id) if str(token.get("usage", "")).startswith(TOKEN_USAGE)]
        for token in left:
            client.delete_token(user_id, token["id"])
    except WebitelError:
        if not quiet:
            raise
        log.warning("could not sweep the tokens of Webitel user %s", user_id)
        return 0
    return len(left)


def users_with_lost_tokens(calls: Iterable[Call]) -> set[str]:
    """The users for whom a token's creation went out and its answer was lost, or a token's delete
    did not go through (a bulk STUN read does not sweep before each mint: this is its sweep)."""
    return {found["uid"] for call in calls
            if (call.method == "POST" and call.outcome == UNCERTAIN and (found := _TOKENS.match(call.path)))
            or (call.method == "DELETE" and call.outcome in (UNCERTAIN, FAILED) and (found := _TOKEN.match(call.path)))}
