"""Two edges of gunicorn without the front proxy, under real gunicorn: a chunked body larger than the
limit is refused as one with Content-Length is (413 in the contract's shape, nothing done), and at
DEBUG no line of gunicorn's own (its request line, an invalid request line) carries a token pasted
into a path."""

from __future__ import annotations

import json
import logging
import socket
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from gunicorn.config import Config as GunicornConfig
from gunicorn.glogging import Logger as GunicornLogger

from connector.config import Config
from connector.logs import logging_dict
from tests.conftest import API_TOKEN
from tests.support.servers import ConnectorServer, connector_env, run_cli

pytestmark = pytest.mark.e2e

LIMIT = Config.__dataclass_fields__["max_body_bytes"].default
TOO_LARGE = {"error": {"code": "payload_too_large", "message": "The request body is larger than 1 MB"}}


@pytest.fixture(scope="module")
def server(tmp_path_factory, _webitel_emulator_server_session) -> Iterator[ConnectorServer]:
    emulator = _webitel_emulator_server_session
    url = f"sqlite:///{tmp_path_factory.mktemp('edges') / 'connector.sqlite'}"
    env = connector_env(database_url=url, webitel_url=emulator.base_url, webitel_token=emulator.token,
                        api_token=API_TOKEN, CONNECTOR_LOG_LEVEL="DEBUG")
    assert run_cli("migrate", env=env).returncode == 0
    served = ConnectorServer(env, workers=1, threads=2)
    yield served
    served.stop()


def padded(body: dict, size: int) -> bytes:
    text = json.dumps(body).encode()
    return text + b" " * (size - len(text))


def chunked(data: bytes, piece: int = 64 * 1024) -> Iterator[bytes]:
    """A body httpx sends chunked (no Content-Length), as a client streaming it would."""
    for start in range(0, len(data), piece):
        yield data[start:start + piece]


def test_a_chunked_body_over_the_limit_is_refused_like_one_with_a_length(server, webitel_emulator_server):
    auth = {"Authorization": f"Bearer {API_TOKEN}"}
    with httpx.Client(base_url=server.url, headers=auth, timeout=30) as api:
        user = api.post("/creatio/users", json={"name": "cchunk", "contact_name": "Chunk Contact",
                                                "type": "employee"}).json()
        body = padded({"user_id": user["id"]}, LIMIT + 1)
        # Each on a connection of its own: the server may close one whose body it did not read.
        json_type = {"Content-Type": "application/json", "Connection": "close"}
        with_length = api.post("/webitel-users", content=body, headers=json_type)
        assert with_length.status_code == 413 and with_length.json() == TOO_LARGE
        without_length = api.post("/webitel-users", content=chunked(body), headers=json_type)
        assert without_length.request.headers.get("Transfer-Encoding") == "chunked"
        assert "Content-Length" not in without_length.request.headers
        assert without_length.status_code == 413 and without_length.json() == TOO_LARGE
        assert api.get("/webitel-users").json()["total"] == 0  # nothing was done
        # The limit itself is taken, chunked too.
        taken = api.post("/webitel-users", content=chunked(padded({"user_id": user["id"]}, LIMIT)), headers=json_type)
        assert taken.status_code == 201, taken.text


def test_no_gunicorn_line_carries_a_token_pasted_into_a_path(server):
    assert httpx.get(f"{server.url}/webitel-users/{API_TOKEN}").status_code == 401
    encoded = "".join(f"%{ord(c):02X}" for c in API_TOKEN)  # as a client that encodes every character sends it
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as raw:
        raw.sendall(f"GET /api/v1/webitel-users/{encoded} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        assert raw.recv(100).startswith(b"HTTP/1.1 401")
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as raw:  # an invalid request line
        raw.sendall(f"GET /api/v1/{API_TOKEN}\x01 HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        assert raw.recv(100).startswith(b"HTTP/1.1 400")
    log = server.output()
    gunicorn_lines = [json.loads(line) for line in log.splitlines()
                      if line.startswith("{") and json.loads(line)["logger"].startswith("gunicorn")]
    # gunicorn did write both lines (so the search below can fail), masked.
    assert any(line["level"] == "DEBUG" and "/webitel-users/[api token]" in line["message"]
               for line in gunicorn_lines), gunicorn_lines
    assert any("Invalid request" in line["message"] and "[api token]" in line["message"] for line in gunicorn_lines)
    assert sum("/webitel-users/[api token]" in line["message"] for line in gunicorn_lines) >= 2  # plain and encoded
    assert API_TOKEN not in log and encoded not in log and encoded.lower() not in log


def test_gunicorns_access_line_is_masked_too(capsys):
    """The access log is off; were it on (gunicorn's own Logger and default format), its lines go
    through the same mask as every other line."""
    config = logging_dict("DEBUG", lambda text: text.replace(API_TOKEN, "[api token]"))
    assert config["loggers"]["gunicorn.access"]["filters"] == ["secrets"]
    assert "secrets" in config["handlers"]["stderr"]["filters"]
    spec = dict(config["filters"]["secrets"])
    mask = spec.pop("()")(**spec)
    access = logging.getLogger("gunicorn.access")
    saved = access.handlers[:], access.filters[:], access.level, access.propagate
    try:
        cfg = GunicornConfig()
        cfg.set("accesslog", "-")
        gunicorn_log = GunicornLogger(cfg)  # writes the access log to stdout
        access.addFilter(mask)
        environ = {"REQUEST_METHOD": "GET", "RAW_URI": f"/api/v1/{API_TOKEN}?token={API_TOKEN}",
                   "PATH_INFO": f"/api/v1/{API_TOKEN}", "QUERY_STRING": f"token={API_TOKEN}",
                   "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1"}

        class Answer:
            status, headers, sent = "401 UNAUTHORIZED", [], 0

        gunicorn_log.access(Answer(), [], environ, timedelta(milliseconds=3))
    finally:
        access.handlers[:], access.filters[:] = saved[0], saved[1]
        access.setLevel(saved[2])
        access.propagate = saved[3]
    written = capsys.readouterr().out
    assert "GET /api/v1/[api token]?token=[api token] HTTP/1.1" in written and API_TOKEN not in written
