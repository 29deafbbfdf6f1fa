"""An agent's status: online (waiting for calls), pause (with a cause) or offline. A status is an
order to Webitel, not part of the record's desired state: Webitel changes it on its own too (an agent
who misses calls is put on break, one whose license went is taken offline), so the record only shows
what Webitel last said."""

from __future__ import annotations

import uuid

from ...errors import BusinessRuleError
from ...models import WebitelUser
from ..context import Context
from ..steps import Plan
from . import agents, claims, operation, rules
from .desired import Desired


def set_agent_status(ctx: Context, record_id: uuid.UUID, status: str, pause_cause: str | None = None, *,
                     pause_cause_id: str | None = None) -> WebitelUser:
    """``pause_cause`` is the cause's name, as Webitel takes it; ``pause_cause_id`` its id, as the
    pause-causes lookup offers it (read from Webitel before anything changes)."""
    if pause_cause_id:
        pause_cause = cause_name(ctx, pause_cause_id)
    record = claims.claim(ctx, record_id)
    if not record.is_agent or not record.webitel_user_id:
        ctx.session.rollback()
        raise BusinessRuleError(f"{record.webitel_username} is not a call-center agent", code="not_an_agent",
                                fields={"status": ["make the user an agent first"]})
    uid = record.webitel_user_id
    action = f"setting the status of the agent {record.webitel_username} to {status}"

    def plan() -> Plan:
        agent = yield agents.find_agent(ctx.webitel, record, uid)
        if agent is None:  # removed in Webitel by someone else: reported, never undone silently
            raise BusinessRuleError(f"{record.webitel_username} is an agent on its record but not in Webitel (it was "
                                    f"removed there); repair the record to_webitel (POST /api/v1/drift/repair) to "
                                    f"make it an agent again, or untick Agent", code="not_an_agent",
                                    fields={"status": ["the user is not an agent in Webitel"]})
        record.webitel_agent_id = str(agent["id"])
        yield from agents.set_status(ctx.webitel, record, record.webitel_agent_id, status, pause_cause)

    result = operation.apply(ctx, record, Desired.capture(record), plan(), kind=operation.Kind.CHANGE,
                             operation=action, action=action)
    assert result is not None
    return result


def cause_name(ctx: Context, cause_id: str) -> str:
    """The name of the pause cause ``cause_id`` (422 on ``pause_cause_id`` when Webitel has none)."""
    cause = rules.must_exist(lambda: next((c for c in ctx.webitel.pause_causes() if str(c.get("id")) == cause_id),
                                          None), field="pause_cause_id", noun="pause cause", item=cause_id)
    return str(cause.get("name") or "")
