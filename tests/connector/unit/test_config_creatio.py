"""The Creatio side's settings: embedded without a URL; a URL with exactly one way to sign in."""

import pytest

from connector.config import Config, ConfigError

FORMS = {"CONNECTOR_CREATIO_URL": "https://acme.creatio.com", "CONNECTOR_CREATIO_USERNAME": "Integration",
         "CONNECTOR_CREATIO_PASSWORD": "s3cret-pa55"}
OAUTH = {"CONNECTOR_CREATIO_URL": "https://acme.creatio.com", "CONNECTOR_CREATIO_CLIENT_ID": "connector",
         "CONNECTOR_CREATIO_CLIENT_SECRET": "client-s3cret",
         "CONNECTOR_CREATIO_TOKEN_URL": "https://acme-is.creatio.com/connect/token"}


def config(env: dict) -> Config:
    return Config.from_env({"CONNECTOR_API_TOKEN": "t", **env})


def test_without_a_url_the_embedded_store():
    assert config({}).creatio_side == "embedded"


def test_a_forms_login():
    settings = config({**FORMS, "CONNECTOR_CREATIO_READ_TIMEOUT_S": "20", "CONNECTOR_CREATIO_RETRIES": "1",
                       "CONNECTOR_CREATIO_ODATA_PATH": "odata"})
    assert settings.creatio_side == "odata"
    assert (settings.creatio_username, settings.creatio_password) == ("Integration", "s3cret-pa55")
    assert (settings.creatio_read_timeout_s, settings.creatio_retries, settings.creatio_odata_path) == (20, 1, "odata")
    assert "s3cret-pa55" not in repr(settings)


def test_oauth_client_credentials():
    settings = config(OAUTH)
    assert settings.creatio_side == "odata" and settings.creatio_client_id == "connector"
    assert "client-s3cret" not in repr(settings)


@pytest.mark.parametrize("env, message", [
    ({"CONNECTOR_CREATIO_USERNAME": "x", "CONNECTOR_CREATIO_PASSWORD": "y"}, "CREATIO_URL is required"),
    ({"CONNECTOR_CREATIO_URL": "https://acme.creatio.com"}, "needs either"),
    ({**FORMS, **OAUTH}, "needs either"),
    ({**FORMS, "CONNECTOR_CREATIO_PASSWORD": ""}, "CREATIO_PASSWORD is required"),
    ({**OAUTH, "CONNECTOR_CREATIO_TOKEN_URL": ""}, "CREATIO_TOKEN_URL is required"),
    ({**FORMS, "CONNECTOR_CREATIO_URL": "acme.creatio.com"}, "CREATIO_URL must be an http"),
    ({**OAUTH, "CONNECTOR_CREATIO_TOKEN_URL": "ftp://x"}, "CREATIO_TOKEN_URL must be an http"),
    ({**FORMS, "CONNECTOR_CREATIO_READ_TIMEOUT_S": "0"}, "CREATIO_READ_TIMEOUT_S must be greater than 0"),
    ({**FORMS, "CONNECTOR_CREATIO_RETRIES": "-1"}, "CREATIO_RETRIES must be 0 or more"),
    ({**FORMS, "CONNECTOR_CREATIO_RETRIES": "some"}, "CREATIO_RETRIES: expected a whole number"),
])
def test_incomplete_or_conflicting_settings_are_refused_by_name(env, message):
    with pytest.raises(ConfigError, match=message) as refused:
        config(env)
    assert "s3cret" not in str(refused.value)
