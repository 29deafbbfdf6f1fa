import re

import pytest

from connector.config import Config, ConfigError, default_database_url


def test_from_env_reads_the_prefixed_variables():
    config = Config.from_env({"CONNECTOR_API_TOKEN": "t", "CONNECTOR_WEBITEL_URL": "http://w:1/api",
                              "CONNECTOR_WEBITEL_TOKEN": "wt", "CONNECTOR_DATABASE_URL": "postgresql://u@h/db",
                              "CONNECTOR_CORS_ORIGINS": "https://a.creatio.com/, https://b.creatio.com",
                              "CONNECTOR_WEBITEL_READ_TIMEOUT_S": "2.5", "CONNECTOR_WEBITEL_RETRIES": "0"})
    assert config.api_token == "t"
    assert config.webitel_url == "http://w:1/api"
    assert config.webitel_token == "wt"
    assert config.database_url == "postgresql://u@h/db"
    assert config.cors_origins == ("https://a.creatio.com", "https://b.creatio.com")
    assert config.webitel_read_timeout_s == 2.5
    assert config.webitel_retries == 0


def test_defaults_are_the_embedded_ones(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    config = Config.from_env({"CONNECTOR_API_TOKEN": "t"})
    assert config.database_url == default_database_url() == f"sqlite:///{tmp_path / 'webitel-connector.sqlite'}"
    assert config.webitel_url == "http://127.0.0.1:8090/api"
    assert config.cors_origins == ()


@pytest.mark.parametrize("env, message", [
    ({}, "CONNECTOR_API_TOKEN is required"),
    ({"CONNECTOR_API_TOKEN": "t", "CONNECTOR_WEBITEL_URL": "ftp://x"}, "CONNECTOR_WEBITEL_URL must be an http"),
    ({"CONNECTOR_API_TOKEN": "t", "CONNECTOR_WEBITEL_RETRIES": "many"}, "RETRIES: expected a whole number"),
    ({"CONNECTOR_API_TOKEN": "t", "CONNECTOR_WEBITEL_READ_TIMEOUT_S": "0"}, "READ_TIMEOUT_S must be greater than 0"),
    ({"CONNECTOR_API_TOKEN": "t", "CONNECTOR_RECONCILE_INTERVAL_S": "-1"}, "RECONCILE_INTERVAL_S must be 0 or more"),
    ({"CONNECTOR_API_TOKEN": "t", "CONNECTOR_REQUEST_DEADLINE_S": "0"}, "REQUEST_DEADLINE_S must be greater than 0"),
    ({"CONNECTOR_API_TOKEN": "t", "CONNECTOR_DATABASE_POOL_SIZE": "0"}, "DATABASE_POOL_SIZE must be 1 or more"),
])
def test_bad_settings_are_refused_with_the_variable_named(env, message):
    with pytest.raises(ConfigError, match=message):
        Config.from_env(env)


def test_blank_variables_count_as_unset():
    assert Config.from_env({"CONNECTOR_API_TOKEN": "t", "CONNECTOR_WEBITEL_TOKEN": "  "}).webitel_token == ""


def test_named_api_tokens_come_from_a_list_a_file_and_the_single_token(tmp_path):
    tokens_file = tmp_path / "tokens"
    tokens_file.write_text("# rotated yearly\n\nbilling = billing-token-1\n")
    config = Config.from_env({"CONNECTOR_API_TOKEN": "t", "CONNECTOR_API_TOKENS": "creatio=c-token, ops=o-token",
                              "CONNECTOR_API_TOKENS_FILE": str(tokens_file)})
    assert [(t.name, t.secret) for t in config.fixed_tokens] == [
        ("default", "t"), ("creatio", "c-token"), ("ops", "o-token")]
    assert config.api_tokens_file == str(tokens_file)
    assert Config.from_env({"CONNECTOR_API_TOKENS_FILE": str(tokens_file)}).fixed_tokens == ()
    assert "c-token" not in repr(config) and "'t'" not in repr(config)  # secrets stay out of reprs


@pytest.mark.parametrize("env, message", [
    ({"CONNECTOR_API_TOKENS": "creatio"}, "CONNECTOR_API_TOKENS, entry 1: expected name=token"),
    ({"CONNECTOR_API_TOKENS": "a=x,a=y"}, "the name 'a' is given more than once"),
    ({"CONNECTOR_API_TOKENS": "a=x,b=x"}, "'a', 'b' have the same token"),
    ({"CONNECTOR_API_TOKENS": "bad name=x"}, "the name 'bad name' must be"),
    ({"CONNECTOR_API_TOKENS": "a=x y"}, "the token of 'a' must be printable ASCII without spaces"),
    ({"CONNECTOR_API_TOKEN": "t", "CONNECTOR_API_TOKENS": "default=u"}, "the name 'default' is given more than once"),
    ({"CONNECTOR_API_TOKEN": "two words"}, "CONNECTOR_API_TOKEN must be printable ASCII"),
    ({"CONNECTOR_API_TOKENS_FILE": "/nonexistent/tokens"}, "cannot be read"),
    ({"CONNECTOR_API_TOKENS": " , "}, "CONNECTOR_API_TOKEN is required"),
])
def test_bad_token_settings_are_refused_without_showing_a_token(env, message):
    with pytest.raises(ConfigError, match=re.escape(message)) as refused:
        Config.from_env(env)
    assert "x y" not in str(refused.value) and "=x" not in str(refused.value)
