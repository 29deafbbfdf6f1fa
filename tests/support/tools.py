"""Machine tools some tests need (PostgreSQL's, nginx): found, or the test is skipped with the
reason, except in CI (``CI`` set), where a missing tool fails the test as the PostgreSQL fixture does."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

# Debian keeps these outside a normal user's PATH.
EXTRA_PLACES = {"nginx": ["/usr/sbin/nginx"],
                "initdb": sorted(map(str, Path("/usr/lib/postgresql").glob("*/bin/initdb")))}


def find_tool(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    return next((place for place in reversed(EXTRA_PLACES.get(name, [])) if os.access(place, os.X_OK)), None)


def require_tool(name: str, package: str) -> str:
    path = find_tool(name)
    if path is None:
        reason = f"{name} is not installed (Debian package {package!r}; .ci/run installs it)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}: it is required in CI")
        pytest.skip(reason)
    return path
