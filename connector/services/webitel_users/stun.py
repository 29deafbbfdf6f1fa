"""STUN, Webitel's per-user phone setting, read and set by acting as the user
(:meth:`WebitelClient.as_user <connector.webitel.client.WebitelClient.as_user>`: the token protocol
lives in the Webitel client), as steps the step runner runs like any other.
"""

from __future__ import annotations

from collections.abc import Callable

from ...webitel import WebitelClient
from ...webitel.as_user import TOKEN_USAGE
from ..steps import Step

__all__ = ["STEP", "TOKEN_USAGE", "apply", "read", "step", "sweep"]

STEP = "webitel.phone_settings"


def apply(webitel: WebitelClient, webitel_user_id: str, enabled: bool) -> bool:
    with webitel.as_user(webitel_user_id) as user:
        user.put_phone_settings(webrtc=True, stun=enabled)
    return enabled


def read(webitel: WebitelClient, webitel_user_id: str) -> bool:
    """The user's STUN flag (False before the first save)."""
    with webitel.as_user(webitel_user_id) as user:
        settings = user.phone_settings() or {}
    return bool(settings.get("webrtc")) and bool(settings.get("stun"))


def step(webitel: WebitelClient, webitel_user_id: str, enabled: bool, *, undo_to: bool | None = None) -> Step:
    """The step that sets STUN (and, with ``undo_to``, how to take it back)."""
    return Step(STEP, lambda: apply(webitel, webitel_user_id, enabled),
                confirm=_is(webitel, webitel_user_id, enabled),
                undo=step(webitel, webitel_user_id, undo_to) if undo_to is not None else None)


def read_step(webitel: WebitelClient, webitel_user_id: str) -> Step:
    """The step that reads STUN."""
    return Step("webitel.read_phone_settings", lambda: read(webitel, webitel_user_id))


def _is(webitel: WebitelClient, webitel_user_id: str, enabled: bool) -> Callable[[], bool | None]:
    return lambda: True if read(webitel, webitel_user_id) == enabled else None


def sweep(webitel: WebitelClient, webitel_user_id: str, *, quiet: bool = True) -> int:
    """The connector's tokens left behind for the user, deleted; how many (kept for its callers:
    :meth:`WebitelClient.sweep_tokens`)."""
    return webitel.sweep_tokens(webitel_user_id, quiet=quiet)
