"""The HTTP layer of the Webitel client: one pooled ``httpx.Client`` per process, explicit timeouts,
Webitel's error envelope turned into typed exceptions, and retries with backoff only where safe.

A request is *safe to repeat* when repeating it cannot do the change twice: GET, PUT and DELETE, or
a request the caller marks ``idempotent=True`` (a PATCH that writes absolute values). A request that
never left (connection refused, pool timeout) is retried whatever its method.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import httpx

from .. import deadline
from ..core import call_policy
from ..core.call_policy import GATEWAY_STATUSES, SAFE_METHODS, capped
from ..http_pool import ProcessClient
from ..logs import REQUEST_ID_HEADER, current_request_id
from . import calls
from .calls import FAILED, OK, REFUSED, UNCERTAIN, Call
from .errors import (
    WebitelDeadlineExceeded,
    WebitelError,
    WebitelTimeout,
    WebitelTransportError,
    WebitelUnavailable,
    api_error,
)
from .observe import record_call

log = logging.getLogger("connector.webitel")

__all__ = ["SAFE_METHODS", "WebitelHTTP"]


class WebitelHTTP:
    def __init__(self, base_url: str, token: str, *, connect_timeout_s: float = 3.0, read_timeout_s: float = 10.0,
                 retries: int = 2, backoff_s: float = 0.2, transport: httpx.BaseTransport | None = None,
                 sleep: Callable[[float], None] = time.sleep, pool_size: int = 20) -> None:
        self.base_url = base_url.rstrip("/")
        self._token = token
        self._retries = call_policy.Retries(retries, backoff_s, sleep)
        self._client = ProcessClient(self.base_url, connect_timeout_s=connect_timeout_s, read_timeout_s=read_timeout_s,
                                     pool_size=pool_size, transport=transport)
        self.timeout = self._client.timeout

    def _http(self) -> httpx.Client:
        return self._client.get()

    def close(self) -> None:
        self._client.close()

    def request(self, method: str, path: str, *, params: Any = None, json_body: Any = None,
                idempotent: bool | None = None, token: str | None = None,
                timeout: httpx.Timeout | None = None, retries: int | None = None) -> Any:
        """Send one request and return the answer's JSON (None for an empty body). Every attempt
        fits in the unit of work's time budget (:mod:`connector.deadline`) and is recorded in its
        call log (:mod:`connector.webitel.calls`)."""
        method = method.upper()
        safe = call_policy.is_safe(method, idempotent)
        attempts = self._retries.attempts(retries)
        headers = {"X-Webitel-Access": token if token is not None else self._token}
        if request_id := current_request_id():
            headers[REQUEST_ID_HEADER] = request_id  # one id from Creatio's call through Webitel's logs
        for attempt in range(attempts):
            last = attempt == attempts - 1
            if deadline.expired():
                raise WebitelDeadlineExceeded(method=method, path=path)
            started = time.perf_counter()
            try:
                # The whole URL: httpx parses it once (a path relative to the client's base is parsed
                # three times, a few percent of a create).
                response = self._http().request(method, self.base_url + path, params=params, json=json_body,
                                                headers=headers, timeout=capped(timeout or self.timeout))
            except httpx.HTTPError as exc:
                lost = _transport_error(exc, method, path)
                _record(method, path, None, UNCERTAIN if lost.sent else FAILED, started, attempt + 1,
                        failure="timeout" if isinstance(lost, WebitelTimeout) else "unreachable")
                log.warning("webitel %s %s failed: %s (attempt %d/%d)", method, path, lost, attempt + 1, attempts)
                if last or (lost.sent and not safe):
                    raise lost from None
                error: WebitelError = lost
            else:
                status = response.status_code
                _record(method, path, status, OK if status < 400 else REFUSED if status < 500 else UNCERTAIN, started,
                        attempt + 1)
                if status < 400:
                    return _json(response)
                error = _api_error(response, method, path)
                if last or not safe or status not in GATEWAY_STATUSES:
                    raise error
                log.warning("webitel %s %s answered %d (attempt %d/%d)", method, path, status, attempt + 1, attempts)
            if not self._retries.pause(attempt):  # no time left for the pause and another attempt
                raise error
        raise AssertionError("unreachable: the last attempt returns or raises")


def _record(method: str, path: str, status: int | None, outcome: str, started: float, attempt: int, *,
            failure: str | None = None) -> None:
    """One attempt: into the unit of work's call log, the log and the metrics."""
    duration_s = time.perf_counter() - started
    calls.record(Call(method, path, status, outcome, round(duration_s * 1000, 1)))
    record_call(method, path, status=status, duration_s=duration_s, attempt=attempt, failure=failure)


def _json(response: httpx.Response) -> Any:
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        raise WebitelUnavailable(f"Webitel answered {response.status_code} with a body that is not JSON",
                                 sent=True, method=response.request.method, path=response.request.url.path) from None


def _api_error(response: httpx.Response, method: str, path: str) -> WebitelError:
    error_id, detail = None, response.text[:500]
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        error_id = body.get("id") if isinstance(body.get("id"), str) else None
        detail = str(body.get("detail") or body.get("message") or body.get("status") or "")
    return api_error(response.status_code, error_id, detail, method=method, path=path)


def _transport_error(exc: httpx.HTTPError, method: str, path: str) -> WebitelTransportError:
    sent = call_policy.was_sent(exc)
    if isinstance(exc, httpx.TimeoutException):
        return WebitelTimeout(f"Webitel did not answer in time ({type(exc).__name__})", sent=sent,
                              method=method, path=path)
    return WebitelUnavailable(f"Webitel could not be reached ({type(exc).__name__}: {exc})", sent=sent,
                              method=method, path=path)

