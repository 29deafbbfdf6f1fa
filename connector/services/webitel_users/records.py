"""Reading Webitel user records. Reads never change Webitel or wait for it to answer: the reconciler
keeps records in step; only the agents' current statuses are asked for, briefly."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ... import deadline
from ...core.names import like_pattern
from ...core.paging import Page, paginate
from ...errors import NotFound
from ...models import WebitelUser
from ...webitel import WebitelClient, WebitelError
from .agents import note_status

log = logging.getLogger("connector.webitel_users")
STATUS_READ_S = 2.0  # a read waits this long at most for Webitel's agent statuses


def get_record(session: Session, record_id: uuid.UUID) -> WebitelUser:
    record = session.get(WebitelUser, record_id)
    if record is None:
        raise NotFound(f"No Webitel user record with id {record_id}")
    return record


def list_records(session: Session, *, page: int, size: int, q: str | None = None) -> Page:
    stmt = select(WebitelUser).order_by(WebitelUser.webitel_username_key)
    if q:
        pattern = like_pattern(q)
        stmt = stmt.where(or_(WebitelUser.webitel_username_key.like(pattern, escape="\\"),
                              WebitelUser.contact_name_key.like(pattern, escape="\\"),
                              WebitelUser.extension.like(f"%{q.strip()}%")))
    return paginate(session, stmt, page=page, size=size)


def with_agent_status(webitel: WebitelClient, records: Iterable[WebitelUser]) -> None:
    """Show each agent's status as Webitel has it now (it changes there on its own: a break after
    missed calls, offline without a license): one call for a page of records. When Webitel does not
    answer in time, the status the record last saw is shown. Nothing is written."""
    agents = {record.webitel_agent_id: record for record in records if record.is_agent and record.webitel_agent_id}
    if not agents:
        return
    try:
        with deadline.budget(STATUS_READ_S):
            found = {str(agent["id"]): agent for agent in webitel.agents(id=list(agents), size=len(agents))}
    except WebitelError as exc:
        log.info("agent statuses not read from Webitel (%s); showing the last seen", exc)
        return
    paused = [agent_id for agent_id, agent in found.items() if agent.get("status") == "pause"]
    causes: dict[str, str] = {}
    if paused:
        try:
            with deadline.budget(STATUS_READ_S):
                causes = webitel.pause_causes_of(paused)
        except WebitelError as exc:
            log.info("pause causes not read from Webitel (%s); showing the last seen", exc)
    for agent_id, record in agents.items():
        note_status(record, found.get(agent_id), causes.get(agent_id))
