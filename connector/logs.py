"""Logs as one JSON object per line, each with the request id of the request it belongs to.

The request id comes from the caller's ``X-Request-ID`` (when it is a sane token) or is made here;
the connector returns it in its answer and sends it on to Webitel, so one id follows a request
through every log. Log lines never carry secrets: the access line has the path without its query,
and no header is logged.
"""

from __future__ import annotations

import logging
import re
import sys
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from pythonjsonlogger.json import JsonFormatter

REQUEST_ID_HEADER = "X-Request-ID"
_request_id: ContextVar[str | None] = ContextVar("connector_request_id", default=None)
# What a request id may be: what proxies and tracing systems send (uuids, hex, base64-ish), short.
_SANE_ID = re.compile(r"[A-Za-z0-9._:+=/-]{1,128}")


def current_request_id() -> str | None:
    """The id of the request being served in this thread, if any."""
    return _request_id.get()


def begin_request(header: str | None) -> tuple[str, object]:
    """Take the caller's id when it is sane, else make one; (the id, a token for :func:`end_request`)."""
    request_id = header if header and _SANE_ID.fullmatch(header) else uuid.uuid4().hex
    return request_id, _request_id.set(request_id)


def end_request(token: object) -> None:
    _request_id.reset(token)  # type: ignore[arg-type]


class Redacting(logging.Filter):
    """Masks the API tokens in a line before any handler writes it: a line of gunicorn's own (its
    request line at DEBUG, an invalid request line, an access line) can carry a token pasted into a path."""

    def __init__(self, redact: Callable[[str], str]) -> None:
        super().__init__()
        self.redact = redact

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = self.redact(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = _request_id.get()
        return True


def json_formatter() -> logging.Formatter:
    """``{"time", "level", "logger", "message", "request_id", ...extra fields}``."""
    return JsonFormatter(["levelname", "name", "message", "request_id"], timestamp="time",
                         rename_fields={"levelname": "level", "name": "logger"}, json_ensure_ascii=False)


def logging_dict(level: str, redact: Callable[[str], str] | None = None) -> dict[str, Any]:
    """A :func:`logging.config.dictConfig` document: every logger (the connector's, gunicorn's,
    SQLAlchemy's, Alembic's) writes JSON lines to stderr, masked by ``redact`` (the API tokens) when
    given. gunicorn's own access log stays off: the connector writes its access line itself, with the
    request id and without the query or any credential (gunicorn's would print a Basic-auth user
    name); were it turned on, its lines are masked too."""
    filters: dict[str, dict[str, Any]] = {"request_id": {"()": RequestIdFilter}}
    masking: list[str] = []
    if redact is not None:
        filters["secrets"] = {"()": Redacting, "redact": redact}
        masking = ["secrets"]
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": filters,
        "formatters": {"json": {"()": json_formatter}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "stream": sys.stderr, "formatter": "json",
                                "filters": ["request_id", *masking]}},
        "root": {"level": "WARNING", "handlers": ["stderr"]},
        "loggers": {
            "connector": {"level": level.upper()},
            "gunicorn.error": {"level": level.upper(), "handlers": [], "propagate": True},
            "gunicorn.access": {"level": "CRITICAL", "handlers": [], "propagate": False, "filters": masking},
            "alembic": {"level": "INFO"},
            "alembic.runtime.plugins": {"level": "WARNING"},  # a line per plugin: noise
        },
    }


def configure(level: str, redact: Callable[[str], str] | None = None) -> None:
    import logging.config

    logging.config.dictConfig(logging_dict(level, redact))
