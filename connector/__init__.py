"""The Creatio <-> Webitel connector: ``create_app(config)`` builds the Flask app."""

from .app import create_app

__all__ = ["create_app"]
