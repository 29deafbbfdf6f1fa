"""The app factory (as in Flask's tutorial): configuration from the environment when none is given."""

import pytest

from connector import create_app
from connector.app import dispose
from connector.config import ConfigError


def test_create_app_reads_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("CONNECTOR_API_TOKEN", "from-env")
    monkeypatch.setenv("CONNECTOR_DATABASE_URL", f"sqlite:///{tmp_path / 'x.sqlite'}")
    monkeypatch.setenv("CONNECTOR_CORS_ORIGINS", "https://acme.creatio.com")
    app = create_app()
    try:
        config = app.extensions["connector"].config
        assert config.api_token == "from-env" and config.cors_origins == ("https://acme.creatio.com",)
        assert not (tmp_path / "x.sqlite").exists()  # no database work until a request needs it
    finally:
        dispose(app)


def test_create_app_refuses_a_missing_token(monkeypatch):
    monkeypatch.delenv("CONNECTOR_API_TOKEN", raising=False)
    with pytest.raises(ConfigError):
        create_app()
