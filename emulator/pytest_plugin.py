"""pytest fixtures for test suites that talk to Webitel (installed as a pytest plugin).

    def test_user_gets_a_device(webitel_emulator):
        r = webitel_emulator.client.post("/users?generate_device=true", json={"username": "ann"})
        assert r.json()["device"]["id"]

``webitel_emulator`` is in process (no sockets; pass ``webitel_emulator.transport`` to your own
``httpx.Client``); ``webitel_emulator_server`` listens on a real local port (``.base_url``). Both
are back at their seed before every test, with no fault rules and an empty journal, even when the
previous test seeded another. ``--webitel-seed FILE`` (JSON or YAML) replaces the built-in demo seed.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .seed import read_seed_file
from .testing import EmulatorHandle, ServedEmulator, in_process


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--webitel-seed", default=None, help="seed file (JSON or YAML) for the emulator fixtures")


@pytest.fixture(scope="session")
def webitel_seed(request: pytest.FixtureRequest) -> dict | None:
    """The seed document of the emulator fixtures (None: the built-in demo seed)."""
    path = request.config.getoption("--webitel-seed")
    return read_seed_file(path) if path else None


@pytest.fixture(scope="session")
def _webitel_emulator_session(webitel_seed: dict | None) -> Iterator[EmulatorHandle]:
    handle = in_process(webitel_seed)
    yield handle
    handle.close()


@pytest.fixture
def webitel_emulator(_webitel_emulator_session: EmulatorHandle) -> EmulatorHandle:
    """A Webitel emulator in process, fresh (reset to the seed) for this test."""
    _webitel_emulator_session.fresh()
    return _webitel_emulator_session


@pytest.fixture(scope="session")
def _webitel_emulator_server_session(webitel_seed: dict | None) -> Iterator[EmulatorHandle]:
    served = ServedEmulator(webitel_seed)
    yield served.handle
    served.stop()


@pytest.fixture
def webitel_emulator_server(_webitel_emulator_server_session: EmulatorHandle) -> EmulatorHandle:
    """A Webitel emulator on a real local port, fresh (reset to the seed) for this test."""
    _webitel_emulator_server_session.fresh()
    return _webitel_emulator_server_session
