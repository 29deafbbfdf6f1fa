"""The largest request body (CONNECTOR_MAX_BODY_BYTES, 1 MB by default, as the front proxy's):
one byte more is 413 ``payload_too_large`` in the contract's shape, and nothing is done."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from connector.config import Config
from tests.support.connector import creatio_user, error_of

USERS = "/api/v1/webitel-users"
NGINX = Path(__file__).parents[3] / "deploy" / "nginx" / "connector.conf.template"


def padded(body: dict, size: int) -> bytes:
    """``body`` as JSON, padded with spaces to exactly ``size`` bytes."""
    text = json.dumps(body).encode()
    return text + b" " * (size - len(text))


def test_a_body_of_the_limit_is_taken_one_byte_more_is_413(api, session):
    limit = Config.__dataclass_fields__["max_body_bytes"].default
    user = creatio_user(session, "agarcia", "Ana Garcia")
    too_large = api.post(USERS, data=padded({"user_id": str(user.id)}, limit + 1), content_type="application/json")
    assert too_large.status_code == 413
    assert error_of(too_large) == {"code": "payload_too_large", "message": "The request body is larger than 1 MB"}
    assert api.get(USERS).json["total"] == 0
    taken = api.post(USERS, data=padded({"user_id": str(user.id)}, limit), content_type="application/json")
    assert taken.status_code == 201, taken.json


def test_a_chunked_body_without_a_length_is_cut_at_the_limit(api):
    """gunicorn passes a chunked body on without Content-Length: it is read up to the limit only."""
    response = api.post(USERS, input_stream=io.BytesIO(b"[" * (2 * 1024 * 1024)), content_type="application/json",
                        environ_overrides={"wsgi.input_terminated": True})
    assert response.status_code == 413 and error_of(response)["code"] == "payload_too_large"


def test_the_limit_is_checked_after_the_token(app):
    """A caller without the token is refused before its body is read."""
    response = app.test_client().post(USERS, data=b"x" * (2 * 1024 * 1024), content_type="application/json")
    assert response.status_code == 401


@pytest.mark.parametrize("config_overrides", [{"max_body_bytes": 100}])
def test_the_limit_is_configurable(api, config_overrides):
    response = api.patch(f"{USERS}/00000000-0000-4000-a000-000000000001", data=padded({}, 101),
                         content_type="application/json")
    assert response.status_code == 413
    assert error_of(response)["message"] == "The request body is larger than 100 bytes"
    assert api.patch(f"{USERS}/00000000-0000-4000-a000-000000000001", data=padded({}, 100),
                     content_type="application/json").status_code == 404


def test_the_setting_comes_from_the_environment_and_is_checked():
    assert Config.from_env({"CONNECTOR_API_TOKEN": "t", "CONNECTOR_MAX_BODY_BYTES": "2048"}).max_body_bytes == 2048
    for bad in ("0", "-1", "1MB"):
        with pytest.raises(ValueError, match="CONNECTOR_MAX_BODY_BYTES"):
            Config.from_env({"CONNECTOR_API_TOKEN": "t", "CONNECTOR_MAX_BODY_BYTES": bad})


def test_the_front_proxy_has_the_same_limit_and_answer():
    """deploy/nginx refuses a larger body before it reaches the connector: the two stay in step."""
    conf = NGINX.read_text()
    size = re.search(r"client_max_body_size\s+(\d+)([km]?);", conf)
    assert size is not None
    nginx_bytes = int(size.group(1)) * {"": 1, "k": 1024, "m": 1024 * 1024}[size.group(2)]
    assert nginx_bytes == Config.__dataclass_fields__["max_body_bytes"].default
    answer = re.search(r"return 413 '(.+)';", conf)
    assert answer is not None
    assert json.loads(answer.group(1)) == {"error": {"code": "payload_too_large",
                                                     "message": "The request body is larger than 1 MB"}}
