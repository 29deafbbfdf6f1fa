"""``GET|PUT /__emulator__/snapshot``: the whole state as a file, and back (``snapshots.py``)."""

from __future__ import annotations

from flask import Blueprint, Response, request

from . import snapshots
from .responses import emulator, replaced

bp = Blueprint("snapshot", __name__, url_prefix="/__emulator__")


@bp.get("/snapshot")
def export() -> Response:
    return Response(snapshots.export(emulator().backend), content_type=snapshots.CONTENT_TYPE,
                    headers={"Content-Disposition": 'attachment; filename="emulator.snapshot"'})


@bp.route("/snapshot", methods=["PUT", "POST"])
def load() -> Response:
    """The body is a snapshot file; like a seed, it replaces the state and what a reset returns
    to, and clears the fault rules and the journal."""
    snapshots.load(emulator().backend, request.get_data())
    return replaced()
