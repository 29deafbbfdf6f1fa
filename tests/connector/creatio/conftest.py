"""The Creatio side on its own (no app): each test runs on the embedded store (SQLite and
PostgreSQL) and on the OData side (the stand-in, or the live Creatio of ``CREATIO_URL``).
``creatio_under_test``, ``creatio_records`` and ``creatio_stand_in`` are the shared fixtures."""

from __future__ import annotations

import pytest

from connector.config import Config
from connector.creatio.embedded import EmbeddedCreatio
from connector.creatio.odata.side import ODataCreatio
from connector.db import make_engine, make_session_factory


@pytest.fixture(params=["embedded-sqlite", pytest.param("embedded-postgres", marks=pytest.mark.postgres), "odata"])
def side_name(request) -> str:
    return request.param


@pytest.fixture
def creatio_kind(side_name) -> str:
    return side_name.split("-")[0]


@pytest.fixture
def creatio(request, side_name, creatio_under_test):
    """The Creatio side itself, without an app."""
    if creatio_under_test.kind == "embedded":
        engine = make_engine(request.getfixturevalue(f"{side_name.split('-')[1]}_url"))
        yield EmbeddedCreatio(make_session_factory(engine))
        engine.dispose()
        return
    side = ODataCreatio.from_config(Config(api_token="t", **creatio_under_test.config),
                                    transport=creatio_under_test.transport)
    yield side
    side.close()
