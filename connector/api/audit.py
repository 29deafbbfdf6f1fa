"""The audit trail: who changed what, when, with what outcome and which Webitel calls."""

from __future__ import annotations

from typing import Any

from ..core.paging import Page
from ..models import AuditEvent
from ..services import audit
from . import schemas as s
from .context import db
from .routing import ApiBlueprint

bp = ApiBlueprint("audit", __name__, tag="Audit", url_prefix="/api/v1/audit")


@bp.operation("GET", "", summary="Every change the connector made, newest first", query=s.AuditQuerySchema,
              response=s.AuditPage, errors=(422,))
def events(query: dict[str, Any]) -> Page[AuditEvent]:
    """Filter by ``record_id``, ``actor`` (an API token's name, ``reconciler``, ``cli``) and time
    (``since`` inclusive, ``until`` exclusive, ISO 8601 with a zone)."""
    return audit.list_events(db(), **query)
