"""The Creatio side on its own (no app): each test runs on the embedded store (SQLite and
PostgreSQL) and on the OData side (the stand-in, or the live Creatio of ``CREATIO_URL``)."""

from __future__ import annotations

import pytest

from connector.config import Config
from connector.creatio.embedded import EmbeddedCreatio
from connector.creatio.odata.side import ODataCreatio
from connector.db import make_engine, make_session_factory
from tests.support.creatio import CreatioUnderTest, records_for, under_test_for


@pytest.fixture(params=["embedded-sqlite", pytest.param("embedded-postgres", marks=pytest.mark.postgres), "odata"])
def side_name(request) -> str:
    return request.param


@pytest.fixture
def under_test(request, side_name) -> CreatioUnderTest:
    under_test = under_test_for(side_name.split("-")[0])
    if under_test.live and request.node.get_closest_marker("stand_in"):
        pytest.skip("needs the Creatio stand-in (its control, or a Creatio holding only the test's records)")
    return under_test


@pytest.fixture
def side(request, side_name, under_test):
    if under_test.kind == "embedded":
        engine = make_engine(request.getfixturevalue(f"{side_name.split('-')[1]}_url"))
        yield EmbeddedCreatio(make_session_factory(engine))
        engine.dispose()
        return
    odata = ODataCreatio.from_config(Config(api_token="t", **under_test.config), transport=under_test.transport)
    yield odata
    odata.close()


@pytest.fixture
def records(side, under_test):
    records = records_for(under_test, side)
    yield records
    records.cleanup()


@pytest.fixture
def stand_in(under_test):
    if under_test.stand_in is None:
        pytest.skip("needs the Creatio stand-in")
    return under_test.stand_in
