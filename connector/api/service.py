"""Service endpoints: health, liveness and readiness (no auth), the OpenAPI document and the
interactive docs page."""

from __future__ import annotations

from importlib import resources

from flask import Response, current_app, jsonify

from ..services.health import health as check_health
from . import schemas as s
from .context import creatio, db, webitel
from .openapi import build_spec
from .routing import Answer, ApiBlueprint

bp = ApiBlueprint("service", __name__, tag="Service", url_prefix="/api/v1")


@bp.operation("GET", "/health", summary="Database, Webitel and (when configured) Creatio reachability",
              response=s.HealthSchema, errors=(503,), public=True)
def health() -> Answer:
    """200 when all are reachable, 503 (same body) when one is not (the same as ``/health/ready``).
    ``creatio`` is there only when the connector reads a live Creatio."""
    return _readiness()


@bp.operation("GET", "/health/live", summary="Liveness: the process serves requests", response=s.LivenessSchema,
              public=True)
def live() -> dict[str, str]:
    """Checks nothing else, so that an orchestrator restarts the connector only when the connector
    itself is stuck, not when the database or Webitel is away."""
    return {"status": "ok"}


@bp.operation("GET", "/health/ready", summary="Readiness: database and Webitel reachable", response=s.HealthSchema,
              errors=(503,), public=True)
def ready() -> Answer:
    """200 when the connector can do its work, 503 (same body) when a dependency is not reachable."""
    return _readiness()


def _readiness() -> Answer:
    report = check_health(db(), webitel(), creatio())
    return Answer(report, 200 if report["status"] == "ok" else 503)


@bp.get("/openapi.json")
def openapi() -> Response:
    spec = current_app.extensions.get("connector.openapi")
    if spec is None:
        spec = current_app.extensions["connector.openapi"] = build_spec(current_app)
    return jsonify(spec)


def docs() -> Response:
    page = resources.files("connector.api").joinpath("docs.html").read_text(encoding="utf-8")
    return Response(page, mimetype="text/html")


docs.public = True  # type: ignore[attr-defined]  # a static page; it asks for the token to call the API
bp.add_url_rule("/docs", "docs", docs, methods=["GET"])
