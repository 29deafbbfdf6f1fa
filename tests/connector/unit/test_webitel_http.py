"""The Webitel client's transport layer: error envelope -> typed errors, retries only where safe."""

import httpx
import pytest

from connector.webitel import (
    WebitelBadRequest,
    WebitelConflict,
    WebitelHTTP,
    WebitelNotFound,
    WebitelServerError,
    WebitelTimeout,
    WebitelUnavailable,
)


class Script:
    """A mock Webitel that answers from a list, one item per request (an exception is raised)."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def envelope(status, error_id, detail="d"):
    return httpx.Response(status, json={"id": error_id, "code": status, "status": "x", "detail": detail})


def client(script, retries=2):
    sleeps = []
    http = WebitelHTTP("http://webitel.test/api", "admin-token", retries=retries, backoff_s=0.1,
                       transport=httpx.MockTransport(script), sleep=sleeps.append)
    return http, sleeps


def test_a_success_returns_the_json_and_sends_the_token():
    script = Script(httpx.Response(200, json={"id": "1"}))
    http, _ = client(script)
    assert http.request("GET", "/users/1") == {"id": "1"}
    assert script.requests[0].headers["X-Webitel-Access"] == "admin-token"
    assert str(script.requests[0].url) == "http://webitel.test/api/users/1"


def test_a_token_per_request_replaces_the_admin_token():
    script = Script(httpx.Response(200, json={}))
    http, _ = client(script)
    http.request("GET", "/user/settings/phone", token="user-token")
    assert script.requests[0].headers["X-Webitel-Access"] == "user-token"


@pytest.mark.parametrize("status, kind", [(400, WebitelBadRequest), (404, WebitelNotFound), (409, WebitelConflict),
                                          (500, WebitelServerError)])
def test_the_error_envelope_becomes_a_typed_error(status, kind):
    http, _ = client(Script(envelope(status, "app.user.extension.conflict.error", "number '1' already registered")),
                     retries=0)
    with pytest.raises(kind) as caught:
        http.request("POST", "/users", json_body={})
    assert caught.value.status == status
    assert caught.value.envelope() == {"id": "app.user.extension.conflict.error",
                                       "detail": "number '1' already registered"}
    assert caught.value.outcome_unknown == (status >= 500)


def test_an_error_without_json_keeps_the_text():
    http, _ = client(Script(httpx.Response(502, text="<html>Bad gateway</html>")), retries=0)
    with pytest.raises(WebitelServerError) as caught:
        http.request("GET", "/users")
    assert caught.value.error_id is None
    assert "Bad gateway" in caught.value.detail


def test_a_safe_request_is_retried_with_growing_backoff_on_503():
    script = Script(envelope(503, "x"), envelope(503, "x"), httpx.Response(200, json={"ok": True}))
    http, sleeps = client(script)
    assert http.request("GET", "/users") == {"ok": True}
    assert len(script.requests) == 3
    assert 0.05 <= sleeps[0] <= 0.1 and 0.1 <= sleeps[1] <= 0.2


def test_a_post_is_not_retried_after_it_was_sent():
    script = Script(envelope(503, "x"))
    http, sleeps = client(script)
    with pytest.raises(WebitelServerError):
        http.request("POST", "/users", json_body={})
    assert len(script.requests) == 1 and sleeps == []


def test_a_post_lost_in_a_timeout_is_not_retried_and_its_outcome_is_unknown():
    script = Script(httpx.ReadTimeout("slow"))
    http, _ = client(script)
    with pytest.raises(WebitelTimeout) as caught:
        http.request("POST", "/users", json_body={})
    assert caught.value.outcome_unknown
    assert len(script.requests) == 1


def test_a_post_that_never_left_is_retried():
    script = Script(httpx.ConnectError("refused"), httpx.Response(200, json={"id": "7"}))
    http, _ = client(script)
    assert http.request("POST", "/users", json_body={}) == {"id": "7"}
    assert len(script.requests) == 2


def test_a_connection_that_never_opens_is_unavailable_with_a_known_outcome():
    script = Script(*[httpx.ConnectError("refused")] * 3)
    http, _ = client(script)
    with pytest.raises(WebitelUnavailable) as caught:
        http.request("GET", "/users")
    assert not caught.value.outcome_unknown
    assert len(script.requests) == 3


def test_a_patch_marked_idempotent_is_retried_after_a_reset():
    script = Script(httpx.RemoteProtocolError("dropped"), httpx.Response(200, json={"id": "1"}))
    http, _ = client(script)
    assert http.request("PATCH", "/users/1", json_body={"extension": "1"}, idempotent=True) == {"id": "1"}
    assert len(script.requests) == 2


def test_4xx_is_never_retried():
    script = Script(envelope(404, "app.user.not_found.error"))
    http, sleeps = client(script)
    with pytest.raises(WebitelNotFound):
        http.request("GET", "/users/9")
    assert len(script.requests) == 1 and sleeps == []


def test_timeouts_are_explicit():
    http, _ = client(Script())
    assert http.timeout.connect == 3.0 and http.timeout.read == 10.0


def test_a_forked_process_gets_its_own_client(monkeypatch):
    script = Script(httpx.Response(200, json={}), httpx.Response(200, json={}))
    http, _ = client(script)
    http.request("GET", "/users")
    first = http._http()
    monkeypatch.setattr("os.getpid", lambda: -1)
    assert http._http() is not first
