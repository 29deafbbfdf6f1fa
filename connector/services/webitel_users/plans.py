"""The Webitel steps of the Webitel users section, declared once and shared by the API's operations,
the reconciler and the drift repair: create (or find the user a lost answer created), change the user,
set STUN, delete, and the whole convergence of a record (its agent and skills: agents.py)."""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Callable

from ...errors import Conflict
from ...models import WebitelUser, WebitelUserState
from ...webitel import WebitelClient, WebitelConflict, WebitelNotFound
from ..steps import Plan, Step
from . import agents, remote, rules, stun


def sequence(*steps: Step) -> Plan:
    """A plan of independent steps (their results are not needed: ``yield from`` would pass the runner's
    results on to the tuple, which takes none)."""
    for step in steps:  # noqa: UP028
        yield step


def find_own_user(webitel: WebitelClient, record: WebitelUser) -> dict | None:
    """The Webitel user this record's create made, if it exists (found by username, recognised by the
    connector's mark). A user with the username but without the mark is someone else's; one deleted
    in Webitel (softly: still readable, with ``deleted_at``) is gone."""
    user = webitel.find_user_by_username(record.webitel_username)
    return user if user is not None and remote.is_own(user, record) and not remote.is_deleted(user) else None


def create_user(webitel: WebitelClient, record: WebitelUser) -> Step:
    """Create the Webitel user with a default SIP device whose password Webitel generates (so the SIP
    password never passes through the connector), marked with the record's id. Safe to repeat: a user
    an earlier attempt created carries the mark and is taken instead of a second one."""

    def action() -> dict:
        body = {"username": record.webitel_username, "name": record.contact_name or record.webitel_username,
                # The user's own login password: random, sent only here, never stored, logged or returned.
                "password": secrets.token_urlsafe(24), "profile": {remote.RECORD_MARK: str(record.id)}}
        if record.extension:
            body["extension"] = record.extension
        try:
            return webitel.create_user(body)
        except WebitelConflict as exc:
            held = webitel.find_user_by_username(record.webitel_username) \
                if exc.error_id in (rules.E_USERNAME_CONFLICT, rules.E_EXTENSION_CONFLICT) else None
            if not remote.is_own(held, record):
                raise
            assert held is not None
            if not remote.is_deleted(held):
                return held
            # The connector's own user, deleted softly in Webitel: it still holds the username and
            # extension there, so it goes for good before the user is made again.
            with contextlib.suppress(WebitelNotFound):
                webitel.delete_user(str(held["id"]))
            return webitel.create_user(body)

    return Step("webitel.create_user", action, confirm=lambda: find_own_user(webitel, record),
                refusal=rules.user_refusal(webitel, record.webitel_username, record.extension))


def create(webitel: WebitelClient, record: WebitelUser) -> Plan:
    user = yield create_user(webitel, record)
    remote.link(record, user)


def read_user(webitel: WebitelClient, uid: str) -> Step:
    """The user, or None when Webitel has none with that id."""
    return Step("webitel.read_user", lambda: webitel.find_user(uid))


def update_user(webitel: WebitelClient, record: WebitelUser, uid: str, patch: dict, *,
                holds: Callable[[dict], bool], undo: dict | None = None, undone: Callable[[dict], bool] | None = None,
                name: str = "webitel.update_user") -> Step:
    """``PATCH /users/{uid}`` with absolute values; ``holds`` tells from a read-back whether it applied."""
    back = None
    if undo is not None:
        back = update_user(webitel, record, uid, undo, holds=undone or (lambda _user: True), name=name)
    return Step(name, lambda: webitel.patch_user(uid, patch), confirm=_read_back(webitel, uid, holds), undo=back,
                refusal=rules.user_refusal(webitel, record.webitel_username, patch.get("extension") or None))


def _read_back(webitel: WebitelClient, uid: str, holds: Callable[[dict], bool]) -> Callable[[], dict | None]:
    def confirm() -> dict | None:
        user = webitel.get_user(uid)
        return user if holds(user) else None

    return confirm


def delete_user(webitel: WebitelClient, uid: str) -> Step:
    """Delete for good (``permanent=true``, as Webitel's admin UI does: a soft-deleted user keeps its
    username and extension). Already gone is what was wanted."""

    def action() -> bool:
        with contextlib.suppress(WebitelNotFound):
            webitel.delete_user(uid)
        return True

    return Step("webitel.delete_user", action, confirm=lambda: True if webitel.find_user(uid) is None else None)


def remove(webitel: WebitelClient, record: WebitelUser) -> Plan:
    """Make sure the record's Webitel user does not exist (one a lost create made is found by its mark).
    Its agent goes first: Webitel refuses to delete a user who is an agent."""
    uid = record.webitel_user_id
    if uid is None:
        own = yield Step("webitel.find_user", lambda: find_own_user(webitel, record))
        if own is None:
            return
        uid = str(own["id"])
    agent = yield Step("webitel.find_agent", lambda: webitel.find_agent_of(uid))
    if agent is not None:
        yield from agents.remove_agent(webitel, record, agent)
    yield delete_user(webitel, uid)


def converge(webitel: WebitelClient, record: WebitelUser, *, recreate: bool = False) -> Plan:
    """Make Webitel hold what the record says, whatever it holds now (the reconciler's and the repair's
    plan). A linked user that vanished from Webitel is recreated only when asked (``recreate``): someone
    deleted it there, and the drift report shows that rather than undoing it silently."""
    if record.state == WebitelUserState.DELETING:
        yield from remove(webitel, record)
        return
    user = None
    if record.webitel_user_id:
        user = yield read_user(webitel, record.webitel_user_id)
        if user is None and not recreate:
            raise Conflict(f"The Webitel user {record.webitel_username} (id {record.webitel_user_id}) was deleted "
                           f"in Webitel; repair the record to create it again, or delete the record",
                           code="missing_in_webitel")
    if user is None:
        # Linked to no user from here on: should the create's answer be lost, the record is one whose
        # create may still land (a delete then waits for it: sync.remove).
        record.webitel_user_id = None
        user = yield create_user(webitel, record)
        remote.link(record, user)
    uid = str(user["id"])
    patch = remote.user_patch(record, user)
    if patch:
        yield update_user(webitel, record, uid, patch, holds=lambda user: not remote.user_patch(record, user))
    current = yield stun.read_step(webitel, uid)
    if current != record.stun_enabled:
        yield stun.step(webitel, uid, record.stun_enabled)
    yield from agents.converge_agent(webitel, record, uid)
