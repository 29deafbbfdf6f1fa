"""``GET /health``: is the database reachable, and is Webitel (with the configured token)?"""

from __future__ import annotations

import time

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from ..db import ping
from ..webitel import WebitelClient, WebitelError

WEBITEL_CHECK_TIMEOUT_S = 3.0


def health(session: Session, webitel: WebitelClient) -> dict:
    database = _check(lambda: ping(session), SQLAlchemyError)
    webitel_check = _check(lambda: webitel.userinfo(timeout_s=WEBITEL_CHECK_TIMEOUT_S), WebitelError)
    ok = database["ok"] and webitel_check["ok"]
    return {"status": "ok" if ok else "degraded", "database": database, "webitel": webitel_check}


def _check(probe, errors) -> dict:
    started = time.perf_counter()
    try:
        probe()
    except errors as exc:
        return {"ok": False, "error": type(exc).__name__, "latency_ms": _ms(started)}
    return {"ok": True, "latency_ms": _ms(started)}


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)
