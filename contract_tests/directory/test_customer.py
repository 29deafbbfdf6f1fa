"""The customer (webitel.go Customers: GET /customer, GET /customer/{id}, PUT /customer, GET /srvinfo): the
holder of the certificate granting the domain's licenses; a revoked certificate stops every license."""

from __future__ import annotations

import base64

import pytest

from contract_tests.target import Target

from .conftest import error_of, items

NOT_FOUND = (404, "app.customer.not_found")


def customer(api, **params) -> dict:
    response = api.get("/customer", params=params)
    assert response.status_code == 200, response.text
    return response.json()["customer"]


def test_the_customer_holds_the_domains_licenses(api):
    found = customer(api)
    assert found["id"] and found["created_at"]
    assert [lic["id"] for lic in found.get("license", [])] == [lic["id"] for lic in items(api.get("/license"))]
    assert api.get(f"/customer/{found['id']}").json()["customer"] == found
    assert customer(api, id=found["id"], valid="true")["id"] == found["id"]


def test_another_customer_is_not_found(api):
    assert error_of(api.get(f"/customer/{Target.unique('nobody-')}")) == NOT_FOUND
    assert error_of(api.get("/customer", params={"domain.id": "987654321"})) == NOT_FOUND
    assert error_of(api.get("/customer", params={"domain.name": Target.unique("nowhere")})) == NOT_FOUND


def test_the_server_key(api):
    key = api.get("/srvinfo").json()["key"]
    assert len(base64.b64decode(key)) == 32 and api.get("/srvinfo").json()["key"] == key


@pytest.mark.parametrize("params, expected", [({"certificate": "c2lnbmVk"}, (400, "app.customer.certificate.invalid")),
                                              ({"logo_picture": "not base64!"}, (400, "api.process.bad_args")),
                                              ({"revoke": "maybe"}, (400, "api.process.bad_args"))])
def test_a_bad_update_is_refused(api, params, expected):
    assert error_of(api.put("/customer", params=params)) == expected


def test_only_the_administrator_updates_the_customer(api, made, user_token, webitel: Target):
    with webitel.api_client(user_token(made.user()["id"])) as as_user:
        assert customer(as_user)["id"] == customer(api)["id"]
        assert error_of(as_user.put("/customer", params={"organization": "Mine"})) == \
            (403, "api.context.permissions.app_error")


@pytest.mark.control_plane
def test_the_organization_and_the_limits(api):
    updated = api.put("/customer", params={"organization": "Acme Ltd", "logo_picture": "iVBORw0KGgo="}).json()
    assert updated["customer"]["organization"] == "Acme Ltd" and customer(api)["organization"] == "Acme Ltd"
    assert customer(api)["limit"] == {"cc_agent": 10, "cc_queue": 10}  # the demo seed's CALL_CENTER scope
    assert customer(api)["dnsrv"] == [{"id": api.get("/domain").json()["domain"]["dc"], "name": "demo"}]


@pytest.mark.control_plane
def test_a_revoked_certificate_stops_every_license(api):
    cc = "/call_center/agents"
    [agent] = items(api.get(cc))
    revoked = api.put("/customer", params={"revoke": "true"}).json()["customer"]
    assert revoked["revoked_at"] and revoked["verify"] == {"errors": ["certificate revoked"]}
    assert error_of(api.get("/customer", params={"valid": "true"})) == NOT_FOUND
    assert all("certificate revoked" in lic["status"]["errors"] for lic in items(api.get("/license")))
    assert items(api.get("/license", params={"valid": "true"})) == []
    user = api.post("/users", json={"username": Target.unique("ct_"), "license": [{"id": "cm-serial-1"}]})
    assert error_of(user) == (400, "app.user.license.certificate_revoked")
    status = api.patch(f"{cc}/{agent['id']}/status", json={"status": "pause"})
    assert status.status_code == 200
    assert api.get(f"{cc}/{agent['id']}").json()["status"] == "offline"  # no usable CALL_CENTER license
    again = api.put("/customer", params={"revoke": "true"}).json()["customer"]
    assert again["revoked_at"] == revoked["revoked_at"]
