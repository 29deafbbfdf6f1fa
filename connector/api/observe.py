"""Every request's request id, access line and metrics, as Flask hooks; ``GET /metrics``.

Registered first, so that the id is set before authentication runs and every later log line of
the request carries it; the answer always returns it in ``X-Request-ID``.
"""

from __future__ import annotations

import logging
import time

from flask import Flask, Response, g, request

from .. import logs, metrics
from .context import connector

access_log = logging.getLogger("connector.access")


def register(app: Flask) -> None:
    app.before_request(_begin)
    app.after_request(_finish)
    app.teardown_request(_end)
    app.add_url_rule("/metrics", "metrics", scrape, methods=["GET"])


def scrape() -> Response:
    """Prometheus's text format. No token, as health: the series hold counts and timings, never
    data or secrets; the front proxy does not route it from outside (the compose file's nginx)."""
    body, content_type = metrics.exposition()
    return Response(body, content_type=content_type)


scrape.public = True  # type: ignore[attr-defined]


def _begin() -> None:
    g.request_started = time.perf_counter()
    header = request.headers.get(logs.REQUEST_ID_HEADER)
    if header and connector().tokens.carries(header):
        header = None  # a client that sends its token as the request id: not into the log, nor back
    g.request_id, g.request_id_token = logs.begin_request(header)


def route() -> str:
    """The matched rule (``/api/v1/webitel-users/<uuid:record_id>``), so that ids do not make one
    series each; ``unmatched`` for paths the connector does not serve."""
    return request.url_rule.rule if request.url_rule is not None else "unmatched"


# Any token is a method to HTTP: a label of every method a client invents would grow without bound.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def method() -> str:
    """The request's method, or ``other`` for one the connector serves no route with."""
    return request.method if request.method in METHODS else "other"


def _finish(response: Response) -> Response:
    request_id = g.get("request_id")
    if request_id is None:  # an earlier hook failed before ours ran
        return response
    response.headers[logs.REQUEST_ID_HEADER] = request_id
    duration_s = time.perf_counter() - g.request_started
    verb, rule, status = method(), route(), response.status_code
    metrics.http_requests.labels(method=verb, route=rule, status=status).inc()
    metrics.http_request_duration.labels(method=verb, route=rule).observe(duration_s)
    if access_log.isEnabledFor(logging.INFO):  # the line is built only when it is written
        path = connector().tokens.redact(request.path)  # a token pasted into a URL stays out of the log
        access_log.info("%s %s %d", request.method, path, status,
                        extra={"method": request.method, "path": path, "route": rule, "status": status,
                               "duration_ms": round(duration_s * 1000, 2)})
    return response


def _end(_exc: BaseException | None = None) -> None:
    token = g.pop("request_id_token", None)
    if token is not None:
        logs.end_request(token)
