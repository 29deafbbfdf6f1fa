"""What users and supervisors do to calls through the engine's ``CallService`` (``/calls``):
make one, hang up, hold, transfer, send DTMF, set variables, listen in, call back; and the call
history's own data (annotations, ``hide_missed``). The calls are the switchboard's (``calls.py``).

Webitel's engine hands these to its call manager (FreeSWITCH); where the outcome of an action on
a call in a given state is not public, the emulator's choice is in docs/call-center.md. A user
acts on their own calls; the domain's administrator on any.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from ..directory.users import User, Users
from ..errors import PERMISSION_DENIED, bad_request, forbidden, not_found
from ..store import Record, Store, Table
from .agents import Agents
from .calls import CALL_ACTIVE, CALL_ENDED, CALL_OFFERING, CALL_WAITING, OUTBOUND, Call, Switchboard

E_CALL_INSTANCE = "store.sql_call.get_instance.app_error"  # getCallCli: the call is not active
E_CALL_GET = "store.sql_call.get.app_error"
E_CALL_CREATE_FROM = "app.call.create.valid.from"
E_CALL_CREATE_BUSY = "app.call.create.valid.busy"
E_CALL_CREATE_DESTINATION = "app.call.create.valid.destination"
E_CALL_USER = "store.sql_user.get_call_info.app_error"
E_CALL_TRANSFER = "app.call.transfer"
E_CALL_HOLD = "app.call.hold.valid.state"
E_CALL_DTMF = "app.call.dtmf.valid"
E_CALL_EAVESDROP = "app.call.eavesdrop.valid.state"
E_CALL_FROM_NUMBER = "store.sql_call.from_number_users.app_error"
E_CALL_UPDATE_NOT_FOUND = "store.sql_call.update.not_found"
E_ANNOTATION_GET = "store.sql_call.annotation.get.app_error"
E_ANNOTATION_CREATE = "store.sql_call.annotation.create.app_error"
DTMF_DIGITS = frozenset("0123456789*#ABCDabcd")
INTERNAL, EAVESDROP = "internal", "eavesdrop"


@dataclass
class Annotation(Record):
    call_id: int = 0
    note: str = ""
    start_sec: int = 0
    end_sec: int = 0
    file_id: int | None = None


class Annotations(Table[Annotation]):
    """Notes on calls of the history (``call_center.cc_calls_annotation``)."""

    kind = "call_annotation"

    def missing(self, row_id: int) -> Exception:
        return not_found(E_ANNOTATION_GET, f"Id={row_id}, sql: no rows in result set")

    def of(self, call_id: int) -> list[Annotation]:
        return [a for a in self if a.call_id == call_id]


class CallControl(Store):
    """Calls as users and supervisors act on them."""

    @property
    def board(self) -> Switchboard:
        return self.domain.store(Switchboard)

    # -- finding calls -----------------------------------------------------------------------------
    def active(self, call_id: int, *, user_id: int | None, admin: bool) -> Call:
        """A call in progress the caller may act on (404 as Webitel's ``GetInstance``)."""
        self.board.catch_up()
        call = self.board.calls.get(call_id)
        if call is None or call.state == CALL_ENDED:
            raise not_found(E_CALL_INSTANCE, f"Id={call_id}, sql: no rows in result set")
        self._mine(call, user_id, admin)
        return call

    def ended(self, call_id: int, error_id: str = E_CALL_UPDATE_NOT_FOUND, code: int = 404) -> Call:
        """A call of the history (``error_id`` with ``code`` when there is none)."""
        self.board.catch_up()
        call = self.board.calls.get(call_id)
        if call is None or call.state != CALL_ENDED:
            raise (not_found if code == 404 else bad_request)(error_id, f"Id={call_id}: not found in the call history")
        return call

    @staticmethod
    def _mine(call: Call, user_id: int | None, admin: bool) -> None:
        if not admin and call.user_id != user_id:
            raise forbidden(PERMISSION_DENIED, f"userId={user_id}, permission=calls access=update: call {call.id} "
                                               "is another user's")

    # -- actions -----------------------------------------------------------------------------------
    def hangup(self, call: Call, cause: str) -> Call:
        self.board.end(call, self.now(), cause=cause)
        self.board.dispatch(self.now())
        return call

    def hold(self, call: Call) -> str:
        if call.state != CALL_ACTIVE:
            raise bad_request(E_CALL_HOLD, f"Id={call.id}: a {call.state} call cannot be held; only a call in talk")
        if not call.hold_since:
            call.hold_since = self.now()
            self.domain.emit("call.changed", call, call.user_id, call.hold_since)
        return "hold"

    def unhold(self, call: Call) -> str:
        if call.state != CALL_ACTIVE:
            raise bad_request(E_CALL_HOLD, f"Id={call.id}: a {call.state} call is not on hold")
        if call.hold_since:
            call.holds.append((call.hold_since, self.now()))
            call.hold_since = 0
            self.domain.emit("call.changed", call, call.user_id, self.now())
        return "active"

    def dtmf(self, call: Call, digit: str) -> Call:
        if call.state != CALL_ACTIVE or not digit or any(d not in DTMF_DIGITS for d in digit):
            raise bad_request(E_CALL_DTMF, f"Id={call.id}: digits 0-9 * # A-D on a call in talk, got {digit!r} "
                                           f"on a {call.state} call")
        call.dtmf += digit
        return call

    def transfer(self, call: Call, destination: str) -> Call:
        """A blind transfer hands the call to ``destination`` and ends it for the agent (the
        emulator follows no further leg)."""
        if call.queue_id is not None and call.state in (CALL_WAITING, CALL_OFFERING):
            raise bad_request(E_CALL_TRANSFER, "сannot transfer an unanswered call from the queue.")
        if not destination.strip():
            raise bad_request(E_CALL_TRANSFER, "destination is required")
        call.transfer_to = destination.strip()
        self.board.end(call, self.now(), cause="BLIND_TRANSFER")
        self.board.dispatch(self.now())
        return call

    def set_variables(self, call: Call, variables: dict[str, str]) -> Call:
        call.variables.update(variables)
        return call

    def originate(self, *, caller: User, destination: str = "", to_user: User | None = None,
                  variables: dict[str, str] | None = None, parent_id: int | None = None,
                  kind: str = "") -> Call:
        """A user's own call (``POST /calls``): answered at once (auto-answer), outside any queue;
        the user's agent, if any, is busy until it ends."""
        if any(self.board.calls[i].user_id == caller.id for i in self.board.live):
            raise bad_request(E_CALL_CREATE_BUSY, f"UserId={caller.id} is on another call")
        number = to_user.extension if to_user is not None else destination.strip()
        if not number and to_user is None:
            raise bad_request(E_CALL_CREATE_DESTINATION, "destination or to.id is required")
        now = self.now()
        call = self.board.new_call(None, direction=INTERNAL if to_user is not None else OUTBOUND,
                                   from_number=caller.extension, from_name=caller.display_name, destination=number,
                                   user_id=caller.id, variables=dict(variables or {}), parent_id=parent_id)
        call.state, call.answered_at = CALL_ACTIVE, now
        if kind:
            call.variables.setdefault("wbt_call_type", kind)
        agent = self.domain.store(Agents).of(caller.id)
        if agent is not None and agent.call_id is None:
            agent.call_id = call.id
            self.board.refresh(agent)
        self.domain.emit("call.changed", call, caller.id, now)
        return call

    def eavesdrop(self, call: Call, supervisor: User, variables: dict[str, str]) -> Call:
        if call.state != CALL_ACTIVE or call.agent_id is None:
            raise bad_request(E_CALL_EAVESDROP, f"Id={call.id}: only a call bridged with an agent can be listened to")
        agent = self.domain.store(Agents).find(call.agent_id)
        user = self.domain.store(Users).find(agent.user_id) if agent else None
        return self.originate(caller=supervisor, destination=(user.extension if user else "") or str(call.id),
                              variables=variables, parent_id=call.id, kind=EAVESDROP)

    def redial(self, call_id: int, caller: User) -> Call:
        """Call back the other party of a call of the caller's history (``RedialCall``)."""
        call = self.board.calls.get(call_id)
        if call is None or call.state != CALL_ENDED or call.user_id != caller.id:
            raise not_found(E_CALL_FROM_NUMBER, f"callId={call_id} not found")
        number = call.from_number if call.direction == "inbound" else call.destination
        made = self.originate(caller=caller, destination=number, variables={"wbt_redial": str(call_id)})
        call.hide_missed = True
        return made

    def patch_history(self, call: Call, *, variables: dict[str, str] | None, hide_missed: bool | None) -> Call:
        if variables:
            call.variables.update(variables)
        if hide_missed is not None:
            call.hide_missed = hide_missed
        return call

    # -- annotations -------------------------------------------------------------------------------
    def annotate(self, call_id: int, *, actor: int | None, **attributes: Any) -> Annotation:
        self.ended(call_id, E_ANNOTATION_CREATE, 400)  # cc_calls_annotation.call_id's FK
        return self.domain.store(Annotations).insert(Annotation(call_id=call_id, **attributes), actor)

    def reannotate(self, call_id: int, annotation_id: int, *, actor: int | None, **changes: Any) -> Annotation:
        notes = self.domain.store(Annotations)
        return notes.put(replace(self._annotation(call_id, annotation_id), **changes), actor)

    def unannotate(self, call_id: int, annotation_id: int) -> Annotation:
        return self.domain.store(Annotations).pop(self._annotation(call_id, annotation_id).id)

    def _annotation(self, call_id: int, annotation_id: int) -> Annotation:
        notes = self.domain.store(Annotations)
        note = notes.get(annotation_id)
        if note.call_id != call_id:
            raise notes.missing(annotation_id)
        return note


def user_for_call(domain: Any, user_id: int | None, extension: str | None) -> User:
    """The user an endpoint names by id or extension (``GetCallInfoEndpoint``)."""
    users = domain.store(Users)
    if user_id:
        user = users.find(user_id)
    elif extension:
        user = next((u for u in users if u.extension == extension and not u.deleted_at), None)
    else:
        raise bad_request(E_CALL_CREATE_FROM, "from: a user id or extension is required")
    if user is None or user.deleted_at:
        raise not_found(E_CALL_USER, f"UserId={user_id}, Extension={extension} sql: no rows in result set")
    return user
