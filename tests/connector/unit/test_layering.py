"""The connector's layers, from the bottom: the shared core (``connector.core``); the clients of the
upstreams (``connector.webitel``, ``connector.creatio``), which know neither each other nor the
business rules; the services (``connector.services``), free of Flask and of the API; the API. No
module imports one above it, not even inside a function, and there is no import cycle."""

from __future__ import annotations

from pathlib import Path

import pytest

import connector
from tests.support.imports import ImportGraph

IMPORTS = ImportGraph(Path(connector.__file__).parent)
CORE = "connector.core"
WEBITEL, CREATIO = "connector.webitel", "connector.creatio"
SERVICES, API = "connector.services", "connector.api"
# Above every layer: the app factory and what starts it.
TOP = ("connector.app", "connector.cli", "connector.serving", "connector.demo", "connector.import_cli",
       "connector.imports_runner", "connector.reconciler", "connector.migrate")


def within(module: str, *layers: str) -> bool:
    return any(module == layer or module.startswith(layer + ".") for layer in layers)


def reached_from(layer: str) -> dict[str, list[str]]:
    return {m: sorted(IMPORTS.reached(m, lazy=True)) for m in IMPORTS.modules if within(m, layer)}


@pytest.mark.parametrize(("layer", "forbidden"), [
    (CORE, (WEBITEL, CREATIO, SERVICES, API, *TOP)),
    (WEBITEL, (CREATIO, SERVICES, API, *TOP)),
    (CREATIO, (WEBITEL, SERVICES, API, *TOP)),
    (SERVICES, (API, *TOP)),
])
def test_a_layer_imports_nothing_above_it(layer, forbidden):
    wrong = {module: [m for m in reached if within(m, *forbidden)] for module, reached in reached_from(layer).items()}
    assert not {module: found for module, found in wrong.items() if found}, wrong


def test_there_is_no_import_cycle():
    assert IMPORTS.cycle() is None, " -> ".join(IMPORTS.cycle() or [])
