"""``GET /health``: is the database reachable, and is Webitel (with the configured token)? And a
live Creatio, when one is configured (with the configured credentials)?"""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from ..creatio import CreatioError, CreatioSide
from ..db import ping
from ..webitel import WebitelClient, WebitelError

WEBITEL_CHECK_TIMEOUT_S = 3.0
CREATIO_CHECK_TIMEOUT_S = 3.0


def health(session: Session, webitel: WebitelClient, creatio: CreatioSide | None = None) -> dict:
    checks = {"database": _check(lambda: ping(session), SQLAlchemyError),
              "webitel": _check(lambda: webitel.userinfo(timeout_s=WEBITEL_CHECK_TIMEOUT_S), WebitelError)}
    if creatio is not None and creatio.is_live:  # the embedded records are in the database checked above
        checks["creatio"] = _check(lambda: creatio.ping(timeout_s=CREATIO_CHECK_TIMEOUT_S), CreatioError)
    ok = all(check["ok"] for check in checks.values())
    return {"status": "ok" if ok else "degraded", **checks}


def _check(probe: Callable[[], object], errors: type[Exception]) -> dict:
    started = time.perf_counter()
    try:
        probe()
    except errors as exc:
        return {"ok": False, "error": type(exc).__name__, "latency_ms": _ms(started)}
    return {"ok": True, "latency_ms": _ms(started)}


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)
