"""The dashboard: ``GET /__emulator__/ui`` (plain HTML, CSS and JavaScript, no build step) and the
document it polls, ``GET /__emulator__/overview`` (``overview.py``)."""

from __future__ import annotations

from flask import Blueprint, Response, request, send_from_directory

from ..api.protojson import read_int
from ..errors import bad_request
from .overview import LIMIT, overview
from .responses import answer, emulator

MAX_LIMIT = 5000
bp = Blueprint("ui", __name__, url_prefix="/__emulator__", static_folder="ui", static_url_path="/ui")


@bp.get("/ui")
def dashboard() -> Response:
    return send_from_directory(bp.static_folder or "ui", "index.html")


@bp.get("/overview")
def overview_json() -> Response:
    """``?limit=N`` (default 200, at most ``MAX_LIMIT``) rows of each list."""
    limit = request.args.get("limit")
    rows = read_int(limit, "limit") if limit else LIMIT
    if not 1 <= rows <= MAX_LIMIT:
        raise bad_request("emulator.overview.invalid", f"limit must be between 1 and {MAX_LIMIT}, got {rows}")
    return answer(overview(emulator(), rows))
