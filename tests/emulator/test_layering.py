"""The emulator's modules import one another without cycles, at the top of the module (no import
hidden in a function to break a cycle), and the shared core knows no Webitel service."""

from __future__ import annotations

from pathlib import Path

import emulator
from tests.support.imports import ImportGraph

IMPORTS = ImportGraph(Path(emulator.__file__).parent)
CORE = ("emulator.state", "emulator.store", "emulator.errors", "emulator.seed", "emulator.api.spec",
        "emulator.api.protojson", "emulator.api.request", "emulator.api.service", "emulator.api.router",
        "emulator.api.fields", "emulator.api.gateway")
SERVICES = ("emulator.directory", "emulator.callcenter")
LAZY_ALLOWED = {"emulator.cli"}  # the command line starts fast: the app is imported when it runs


def test_no_module_imports_another_inside_a_function():
    lazy = {m: sorted(found) for m, found in IMPORTS.lazy.items() if found and m not in LAZY_ALLOWED}
    assert not lazy, lazy


def test_there_is_no_import_cycle():
    assert IMPORTS.cycle() is None, " -> ".join(IMPORTS.cycle() or [])


def test_the_core_imports_no_service():
    for module in CORE:
        reached = IMPORTS.reached(module)
        assert not [m for m in reached if m.startswith(SERVICES)], (module, sorted(reached))
