"""The Webitel user's login password is made with ``secrets``, sent only in the create request's body,
and never returned, logged or stored; the SIP password never passes through the connector at all."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from connector.app import create_app, dispose
from connector.models import Base
from tests.conftest import ApiClient, connector_config
from tests.support.connector import creatio_user


class Spy(httpx.BaseTransport):
    """Records every request and answer between the connector and Webitel."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.exchanges: list[tuple[httpx.Request, httpx.Response]] = []

    def handle_request(self, request):
        response = self.inner.handle_request(request)
        response.read()
        self.exchanges.append((request, response))
        return response


@pytest.fixture
def spied(database_url, emulator):
    spy = Spy(emulator.transport)
    app = create_app(connector_config(database_url, emulator, log_level="DEBUG"), webitel_transport=spy)
    yield app, spy
    dispose(app)


def test_the_passwords_stay_secret(spied, emulator, database_url, caplog):
    app, spy = spied
    caplog.set_level(logging.DEBUG)  # everything, httpx's own log included
    api = ApiClient(app)
    with app.extensions["connector"].sessions() as session:
        user = creatio_user(session, "agarcia", "Ana Garcia")
    answers = [api.post("/api/v1/webitel-users", json={"user_id": str(user.id), "extension": "1010"})]
    record = answers[0].json
    answers += [api.get(f"/api/v1/webitel-users/{record['id']}"), api.get("/api/v1/webitel-users"),
                api.patch(f"/api/v1/webitel-users/{record['id']}", json={"stun_enabled": True})]

    create = next(req for req, _ in spy.exchanges if req.method == "POST" and req.url.path == "/api/users")
    password = json.loads(create.content)["password"]
    assert len(password) >= 24  # secrets.token_urlsafe(24): 32 characters
    others = [req for req, _ in spy.exchanges if req is not create]
    assert all(password.encode() not in req.content and password not in str(req.url) for req in others)

    # Not in the connector's answers, its log, or its database.
    assert all(password not in a.text for a in answers)
    assert password not in caplog.text
    with app.extensions["connector"].sessions() as session:
        dump = [row for table in Base.metadata.sorted_tables
                for row in session.execute(text(f'SELECT * FROM "{table.name}"')).all()]
    assert dump and password not in repr(dump)
    if database_url.startswith("sqlite"):
        path = Path(database_url.removeprefix("sqlite:///"))
        for file in (path, Path(f"{path}-wal")):
            if file.exists():
                assert password.encode() not in file.read_bytes()
    # Webitel's own journal masks it too.
    assert password not in json.dumps(emulator.requests())

    # The SIP password: Webitel generated it and no answer the connector received carries it.
    directory = next(iter(emulator.emulator.backend.world.domains.values())).directory
    device = directory.devices[int(record["default_device"]["id"])]
    assert device.password
    assert all(device.password.encode() not in resp.content and device.password.encode() not in req.content
               for req, resp in spy.exchanges)
    # The user tokens minted for STUN are not logged either.
    minted = [json.loads(resp.content)["token"] for req, resp in spy.exchanges
              if req.method == "POST" and req.url.path.endswith("/tokens")]
    assert minted and all(token not in caplog.text for token in minted)
