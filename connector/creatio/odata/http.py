"""The HTTP layer of the Creatio client: one pooled ``httpx.Client`` per process, explicit timeouts,
the sign-in (and one renewal when a session or token expires), and retries only where safe.

A request is *safe to repeat* when repeating it cannot do the change twice: GET (and PUT, DELETE),
or one the caller marks ``safe=True`` (the sign-in). A request that never left (connection refused,
pool timeout) is retried whatever its method. A 401 is not a failure to retry but an expired
session: the client signs in again once and repeats the request (a refused request did nothing).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import httpx

from ... import deadline, metrics
from ...core import call_policy
from ...core.call_policy import GATEWAY_STATUSES, SAFE_METHODS, capped, operation, outcome_of
from ...http_pool import ProcessClient
from ...logs import REQUEST_ID_HEADER, current_request_id
from ..errors import CreatioAuthFailed, CreatioError, CreatioTimeout
from .answers import answer_error, transport_error
from .auth import Auth

log = logging.getLogger("connector.creatio")

__all__ = ["SAFE_METHODS", "CreatioHTTP"]


class CreatioHTTP:
    def __init__(self, base_url: str, auth: Auth, *, odata_path: str = "0/odata", connect_timeout_s: float = 3.0,
                 read_timeout_s: float = 10.0, retries: int = 2, backoff_s: float = 0.2,
                 transport: httpx.BaseTransport | None = None, sleep: Callable[[float], None] = time.sleep,
                 pool_size: int = 10) -> None:
        self.odata_path = odata_path.strip("/")
        self.auth = auth
        self._retries = call_policy.Retries(retries, backoff_s, sleep)
        # A new process (a forked worker) has no session: it signs in anew.
        self._client = ProcessClient(base_url.rstrip("/") + "/", connect_timeout_s=connect_timeout_s,
                                     read_timeout_s=read_timeout_s, pool_size=pool_size, transport=transport,
                                     on_new=auth.forget)

    @property
    def timeout(self) -> httpx.Timeout:
        return self._client.timeout

    @property
    def cookies(self) -> httpx.Cookies:
        """The session's cookies (a forms login keeps its session here)."""
        return self._client.get().cookies

    def close(self) -> None:
        self._client.close()

    def request(self, method: str, path: str, *, action: str, params: Any = None, json: Any = None,
                data: Any = None, headers: dict[str, str] | None = None, safe: bool | None = None,
                authenticated: bool = True, check: bool = True, odata: bool = True,
                timeout: float | None = None, retries: int | None = None) -> httpx.Response:
        """Send one request; ``path`` is under the OData root unless ``odata=False`` (then it is
        under the Creatio URL, or absolute). ``action`` says what the connector was doing, for errors."""
        method = method.upper()
        url = f"{self.odata_path}/{path}" if odata else path
        safe = call_policy.is_safe(method, safe)
        attempts = self._retries.attempts(retries)
        limit = httpx.Timeout(timeout) if timeout else self.timeout
        renewed = False
        attempt = 0
        while True:
            if deadline.expired():  # nothing is sent once the request's time is spent
                raise CreatioTimeout(f"The request's time ran out before Creatio answered while {action}")
            client = self._client.get()  # before the sign-in, which uses the same client (and its cookies)
            sent_headers = dict(headers or {})
            if request_id := current_request_id():
                sent_headers[REQUEST_ID_HEADER] = request_id  # one id from Creatio's call through Creatio's logs
            generation = 0
            if authenticated:
                credentials, generation = self.auth.headers(self)
                sent_headers.update(credentials)
            started = time.perf_counter()
            try:
                response = client.request(method, url, params=params, json=json, data=data,
                                          headers=sent_headers, timeout=capped(limit))
            except httpx.HTTPError as exc:
                error: CreatioError = transport_error(exc, action)
                _count(method, path, None, started, "timeout" if isinstance(exc, httpx.TimeoutException)
                       else "unreachable")
                log.warning("creatio %s %s failed: %s (attempt %d/%d)", method, url, type(exc).__name__,
                            attempt + 1, attempts)
                if attempt + 1 >= attempts or (error.outcome_unknown and not safe):
                    raise error from None
            else:
                _count(method, path, response.status_code, started)
                log.debug("creatio %s %s -> %d in %.1f ms", method, url, response.status_code,
                          (time.perf_counter() - started) * 1000)
                if authenticated and response.status_code == 401:
                    if renewed:
                        raise CreatioAuthFailed(f"Creatio refused the integration user right after a new sign-in "
                                                f"while {action}", creatio={"status": 401})
                    log.info("creatio session expired; signing in again")
                    self.auth.renew(self, generation)
                    renewed = True
                    continue  # a refused request did nothing: repeat it with the new session
                if response.status_code not in GATEWAY_STATUSES or not safe or attempt + 1 >= attempts:
                    if check:
                        self.check(response, action)
                    return response
                log.warning("creatio %s %s answered %d (attempt %d/%d)", method, url, response.status_code,
                            attempt + 1, attempts)
                error = answer_error(response, action)
            if not self._retries.pause(attempt):  # no time left for the pause and another attempt
                raise error
            attempt += 1

    @staticmethod
    def check(response: httpx.Response, action: str) -> None:
        if response.status_code >= 400:
            raise answer_error(response, action)



def _count(method: str, path: str, status: int | None, started: float, failure: str | None = None) -> None:
    """Each attempt in the metrics, named as Webitel's calls are (ids left out)."""
    name = operation(method, path.split("?", 1)[0].split("(", 1)[0])
    metrics.creatio_calls.labels(operation=name, outcome=outcome_of(status, failure)).inc()
    metrics.creatio_call_duration.labels(operation=name).observe(time.perf_counter() - started)
