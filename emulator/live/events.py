"""What happened in a domain that a socket may be told: the switchboard's agent status changes and
calls' changes on a user's phone, kept until the hub delivers them (``hub.py``).

The switchboard announces them through domain events at the one place each change is made
(``agent.status`` in ``Switchboard.set_status``, ``call.changed`` wherever a call's state on a
phone changes); this store only keeps what a socket needs, rendered as the engine sends it. The
list is never pickled: a reset or a snapshot starts with nothing to deliver.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..callcenter.calls import CALL_ACTIVE, CALL_OFFERING, Call
from ..store import Store, on
from .wire import call_event_data, call_info

RINGING, ACTIVE, HOLD, HANGUP = "ringing", "active", "hold", "hangup"


def phone_event(call: Call) -> str:
    """The call event a phone sees for the call's state now (webitel-sdk ``CallActions``)."""
    if call.state == CALL_OFFERING:
        return RINGING
    if call.state == CALL_ACTIVE:
        return HOLD if call.hold_since else ACTIVE
    return HANGUP  # ended, or rang out and back to waiting in the queue


@dataclass(frozen=True, slots=True)
class AgentStatusChange:
    agent_id: int
    user_id: int
    status: str
    payload: str
    at: int


@dataclass(frozen=True, slots=True)
class CallChange:
    call_id: int
    user_id: int  # whose phone
    event: str
    at: int
    data: dict  # the event's data, rendered when it happened
    info: dict  # who is on the call (a ringing event's data), for a socket that has not seen it ring


class LiveEvents(Store):
    """The domain's changes not delivered yet, oldest first."""

    def __init__(self, domain: Any) -> None:
        super().__init__(domain)
        self.pending: list[AgentStatusChange | CallChange] = []

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "pending": []}

    @on("agent.status")
    def _agent_status(self, agent: Any, status: str, payload: str, at: int) -> None:
        self.pending.append(AgentStatusChange(agent.id, agent.user_id, status, payload, at))

    @on("call.changed")
    def _call_changed(self, call: Call, user_id: int | None, at: int) -> None:
        if user_id:
            event = phone_event(call)
            self.pending.append(CallChange(call.id, user_id, event, at,
                                           call_event_data(self.domain, call, event, user_id),
                                           call_info(self.domain, call, user_id)))

    def drain(self) -> list[AgentStatusChange | CallChange]:
        out, self.pending = self.pending, []
        return out
