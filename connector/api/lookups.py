"""Lookups for the page's drop-down lists, read from Webitel."""

from __future__ import annotations

from typing import Any

from ..services import lookups
from . import schemas as s
from .context import webitel
from .routing import UPSTREAM, ApiBlueprint

bp = ApiBlueprint("lookups", __name__, tag="Lookups", url_prefix="/api/v1/lookups")


@bp.operation("GET", "/licenses", summary="Licenses with product, limit and seats left, by product",
              query=s.LicenseLookupQuerySchema, response=s.LicenseLookup, errors=(422, *UPSTREAM))
def licenses(query: dict[str, Any]) -> dict[str, list[dict]]:
    return {"items": lookups.licenses(webitel(), **query)}


@bp.operation("GET", "/roles", summary="Webitel roles, by name", query=s.LookupQuerySchema, response=s.RefLookup,
              errors=(422, *UPSTREAM))
def roles(query: dict[str, Any]) -> dict[str, list[dict]]:
    return {"items": lookups.roles(webitel(), **query)}


@bp.operation("GET", "/teams", summary="Call-center teams, by name", query=s.LookupQuerySchema, response=s.TeamLookup,
              errors=(422, *UPSTREAM))
def teams(query: dict[str, Any]) -> dict[str, list[dict]]:
    return {"items": lookups.teams(webitel(), **query)}


@bp.operation("GET", "/skills", summary="Call-center skills, by name", query=s.LookupQuerySchema, response=s.RefLookup,
              errors=(422, *UPSTREAM))
def skills(query: dict[str, Any]) -> dict[str, list[dict]]:
    return {"items": lookups.skills(webitel(), **query)}


@bp.operation("GET", "/pause-causes", summary="Pause causes for an agent's break, by name", query=s.LookupQuerySchema,
              response=s.PauseCauseLookup, errors=(422, *UPSTREAM))
def pause_causes(query: dict[str, Any]) -> dict[str, list[dict]]:
    return {"items": lookups.pause_causes(webitel(), **query)}
