"""``GET /api/v1/health`` reports a live Creatio's reachability (and only then a Creatio check)."""

import pytest

from tests.conftest import ApiClient
from tests.support.creatio import odata_side


def health(app):
    return ApiClient(app, token=None).get("/api/v1/health")


def test_the_embedded_store_has_no_check_of_its_own(app):
    response = health(app)
    assert response.status_code == 200 and set(response.json) == {"status", "database", "webitel"}


@odata_side
def test_a_live_creatio_is_checked(app):
    response = health(app)
    assert response.status_code == 200 and response.json["status"] == "ok"
    assert response.json["creatio"]["ok"] is True and response.json["creatio"]["latency_ms"] >= 0


@odata_side
@pytest.mark.parametrize("fault, error", [({"status": 503}, "CreatioUnavailable"),
                                          ({"action": "timeout"}, "CreatioTimeout"),
                                          ({"status": 401}, "CreatioAuthFailed")])
def test_an_unreachable_creatio_makes_the_connector_degraded(app, creatio_stand_in, fault, error):
    creatio_stand_in.fail("/0/odata/*", times=None, **fault)
    response = health(app)
    assert response.status_code == 503 and response.json["status"] == "degraded"
    check = response.json["creatio"]
    assert check == {"ok": False, "error": error, "latency_ms": check["latency_ms"]}
    assert response.json["database"]["ok"] is True and response.json["webitel"]["ok"] is True


@odata_side
@pytest.mark.parametrize("config_overrides", [{"creatio_password": "wrong-pa55word-91b"}])
def test_refused_credentials_make_the_connector_degraded(app, config_overrides):
    response = health(app)
    assert response.status_code == 503 and response.json["creatio"]["error"] == "CreatioAuthFailed"
    assert "wrong-pa55word-91b" not in response.text
