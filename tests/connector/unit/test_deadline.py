"""The unit of work's time budget, and the Webitel client keeping to it."""

from __future__ import annotations

import time

import httpx
import pytest

from connector import deadline
from connector.webitel import WebitelHTTP, WebitelTimeout
from connector.webitel.calls import recording
from connector.webitel.errors import WebitelDeadlineExceeded


def test_no_budget_means_no_limit():
    assert deadline.remaining() is None and deadline.cap(5.0) == 5.0 and not deadline.expired()


def test_an_inner_budget_never_extends_the_outer_one():
    with deadline.budget(0.5), deadline.budget(60):
        assert deadline.remaining() <= 0.5
    assert deadline.remaining() is None


def hanging(request: httpx.Request) -> httpx.Response:
    """A Webitel that answers nothing within the client's read timeout (as httpx reports it)."""
    time.sleep(min(request.extensions["timeout"]["read"], 5))
    raise httpx.ReadTimeout("hung", request=request)


def test_retries_stop_when_the_budget_is_spent():
    http = WebitelHTTP("http://webitel.test/api", "t", read_timeout_s=10, retries=5, backoff_s=0.05,
                       transport=httpx.MockTransport(hanging))
    started = time.monotonic()
    with deadline.budget(0.6), recording() as calls, pytest.raises(WebitelTimeout):
        http.request("GET", "/users/1")
    assert time.monotonic() - started < 2.0  # not 5 attempts of 10 s (the margin is for a loaded machine)
    assert all(call.duration_ms <= 1500 for call in calls.calls)


def test_nothing_is_sent_once_the_budget_is_spent():
    sent = []
    http = WebitelHTTP("http://webitel.test/api", "t",
                       transport=httpx.MockTransport(lambda r: sent.append(r) or httpx.Response(200, json={})))
    with deadline.budget(0), pytest.raises(WebitelDeadlineExceeded) as caught:
        http.request("PATCH", "/users/1", json_body={})
    assert sent == [] and not caught.value.outcome_unknown
