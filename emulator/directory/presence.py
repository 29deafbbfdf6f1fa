"""Presence (webitel.go ``Presence``): ``PATCH /users/{publish.id}/presence`` and ``PATCH /presence``
set a user's presence, the same one ``POST /__emulator__/presence/{id}`` sets and that an agent
going online needs (``sip`` or ``web``): a set of ``sip``, ``web``, ``dnd``, ``dlg``, and a note
that may expire (webitel-go/presence.proto ``SetStatusRequest``, ``UserPresence``).

The body's ``publish`` is taken wrapped or flat; PATCH changes what its mask names (``status``,
``note``, ``expires``; without ``fields``: the keys sent). A user sets their own presence; the
domain's administrator sets anyone's. The answer is the user's presence tuple (``PresenceStatus``).
"""

from __future__ import annotations

from ..api.request import Call
from ..api.service import Service
from ..errors import PERMISSION_DENIED, bad_args, forbidden
from .users import User, Users, presence_set

api = Service("Presence", permission="users")


def _publish(call: Call, user_id: int | None) -> dict:
    assert call.session is not None
    users = call.store(Users)
    user = users.live(user_id or call.session.user_id)
    if not call.session.root and user.id != call.session.user_id:
        raise forbidden(PERMISSION_DENIED, f"userId={call.session.user_id}, id={user.id} permission=users "
                                           "access=update")
    body = call.body
    status = user.presence
    if call.changed("status"):
        try:
            status = presence_set(body.get("status", ""))
        except ValueError as exc:
            raise bad_args(f"publish.status: {exc}") from None
    note = body.get("note", "") if call.changed("note") else None
    ttl = body.get("expires", 0) if call.changed("expires") else 0
    if ttl < 0:
        raise bad_args("publish.expires: must be 0 or more seconds")
    if ttl and note is None:
        note = user.presence_note  # a new lifetime for the current note
    users.set_presence(user, status, note, ttl)
    return wire_presence(call, user, body.get("timestamp"))


def wire_presence(call: Call, user: User, timestamp: int | None) -> dict:
    """The user's presence tuple: open while any presentity is set; ``expires``: when the note goes."""
    return {"id": str(user.id), "status": user.presence, "note": user.note_at(call.domain.now()),
            "open": 1 if user.presence else 0, "closed": not user.presence,
            "expires": user.presence_note_until, "timestamp": timestamp or user.presence_since}


@api.operation("SetStatus", entity="publish", self_service=True)
def set_status(call: Call) -> dict:
    return _publish(call, call.path["publish.id"])


@api.operation("SetStatus2", entity="publish", self_service=True)
def set_status_for(call: Call) -> dict:
    return _publish(call, call.body.get("id"))
