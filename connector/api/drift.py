"""Drift between the records and Webitel, and its repair."""

from __future__ import annotations

from typing import Any

from ..services import drift
from ..services.paging import Page
from . import schemas as s
from .context import services
from .routing import UPSTREAM, ApiBlueprint

bp = ApiBlueprint("drift", __name__, tag="Drift", url_prefix="/api/v1/drift")


@bp.operation("GET", "", summary="Where the records and Webitel differ", query=s.DriftQuerySchema,
              response=s.DriftPage, errors=(422, *UPSTREAM))
def report(query: dict[str, Any]) -> Page[dict[str, Any]]:
    """Every record compared with its Webitel user (extension, licenses, roles, STUN), and the Webitel
    users no record links. ``stun=false`` skips reading STUN (it costs three Webitel calls a user)."""
    return drift.report(services(), page=query["page"], size=query["size"], with_stun=query["stun"])


@bp.operation("POST", "/repair", summary="Converge records to Webitel or Webitel to records",
              body=s.DriftRepairSchema, response=s.DriftRepairAnswer, errors=(422,))
def repair(body: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """``to_webitel``: Webitel is made what each record says (a vanished user is created again);
    ``to_record``: each record takes what Webitel holds. Every record when ``ids`` is left out. A Webitel
    user without a record is never deleted or adopted: the import links those."""
    return {"items": drift.repair(services(), ids=body.get("ids"), direction=body["direction"])}
