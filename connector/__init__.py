"""The Creatio <-> Webitel connector: ``create_app(config)`` builds the Flask app."""

from __future__ import annotations

from typing import Any

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    # Loaded on first use, so that ``webitel-connector serve`` can set PROMETHEUS_MULTIPROC_DIR
    # before anything imports prometheus-client (which reads it once, at import).
    if name == "create_app":
        from .app import create_app

        return create_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
