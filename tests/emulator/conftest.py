"""The emulator's tests: figures a test records (``record_property("figure: ...", value)``) are
printed at the end of the run, also from xdist workers."""

from __future__ import annotations

import pytest


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    figures = sorted({(name, value) for reports in terminalreporter.stats.values() for report in reports
                      for name, value in getattr(report, "user_properties", ()) if name.startswith("figure: ")})
    if figures:
        terminalreporter.section("emulator figures")
        for name, value in figures:
            terminalreporter.write_line(f"{name.removeprefix('figure: ')}: {value}")
