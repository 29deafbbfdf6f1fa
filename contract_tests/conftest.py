from __future__ import annotations

import pytest

from emulator.testing import EmulatorHandle, in_process

from .target import Target, real_webitel

REAL = real_webitel()


def pytest_collection_modifyitems(config, items):
    if REAL is None:
        return
    reason = ("needs the emulator's control plane (seed, faults, presence, calls); "
              f"WEBITEL_URL points at a real Webitel ({REAL.base_url})")
    for item in items:
        if item.get_closest_marker("control_plane") and "contract_tests" in str(item.fspath):
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def _contract_emulator():
    if REAL is not None:
        yield None
        return
    handle = in_process()
    yield handle
    handle.close()


@pytest.fixture
def webitel(_contract_emulator: EmulatorHandle | None) -> Target:
    """The Webitel under test, fresh for this test when it is the emulator."""
    if REAL is not None:
        return REAL
    assert _contract_emulator is not None, "the emulator runs when no real Webitel is named"
    _contract_emulator.fresh()
    return Target(base_url=_contract_emulator.base_url, token=_contract_emulator.token,
                  transport=_contract_emulator.transport, emulator=_contract_emulator)


@pytest.fixture
def api(webitel: Target):
    """A client of the Webitel API as the domain's administrator; every answer is contract-checked."""
    with webitel.api_client() as client:
        yield client


@pytest.fixture
def emulator(webitel: Target) -> EmulatorHandle:
    """The emulator's control plane (tests using it are marked ``control_plane``)."""
    assert webitel.emulator is not None, "mark the test control_plane: it needs the emulator"
    return webitel.emulator


@pytest.fixture
def seeded(emulator: EmulatorHandle):
    """``seeded(doc)`` loads a seed into the emulator and answers its admin tokens by domain name
    (the next test starts from the emulator's own seed again: see ``webitel``)."""

    def load(doc: dict) -> dict[str, str]:
        return {d["name"]: d["token"] for d in emulator.seed(doc)["domains"]}

    return load
