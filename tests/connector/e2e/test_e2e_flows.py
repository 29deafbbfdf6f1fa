"""The contract's flows walked as a Creatio page would, over real HTTP: the connector under gunicorn,
the emulator on its own port, PostgreSQL (and SQLite) as the database."""

from __future__ import annotations

import concurrent.futures

import httpx
import pytest

pytestmark = pytest.mark.e2e


def state(emulator) -> dict:
    return emulator.state()["domains"][0]


def remote(emulator, username):
    return next((u for u in state(emulator)["users"] if u["username"] == username), None)


def new_creatio_user(api, name, contact, type="employee"):
    response = api.post("/creatio/users", json={"name": name, "contact_name": contact, "type": type,
                                                "account_name": "Acme"})
    assert response.status_code == 201, response.text
    return response.json()


def test_the_webitel_users_page(api, emulator):
    # Creatio side: the administrator's users.
    ana = new_creatio_user(api, "agarcia", "Ana Garcia")
    new_creatio_user(api, "pclient", "Paul Client", "portal")
    assert {u["name"] for u in api.get("/creatio/users").json()["items"]} == {"agarcia", "pclient"}
    assert api.get("/creatio/contacts", params={"q": "ana"}).json()["items"][0]["name"] == "Ana Garcia"
    assert api.get("/creatio/accounts").json()["items"][0]["name"] == "Acme"
    assert api.get(f"/creatio/users/{ana['id']}").json()["contact"]["name"] == "Ana Garcia"

    # The page opens: drop-down lists from Webitel.
    licenses = {i["id"]: i for i in api.get("/lookups/licenses").json()["items"]}
    roles = {r["name"]: r["id"] for r in api.get("/lookups/roles").json()["items"]}
    assert licenses["cc-serial-1"]["remain"] >= 1 and "Agents" in roles
    assert [t["name"] for t in api.get("/lookups/teams").json()["items"]] == ["Support"]
    assert "English" in {s["name"] for s in api.get("/lookups/skills").json()["items"]}

    # Save: a Webitel user with its id and default device.
    created = api.post("/webitel-users", json={"user_id": ana["id"], "extension": "1010"})
    assert created.status_code == 201, created.text
    record = created.json()
    webitel_user = remote(emulator, "agarcia")
    assert record["webitel_user_id"] == webitel_user["id"] and record["default_device"]["id"]
    assert webitel_user["extension"] == "1010"
    rid = record["id"]

    # Details: a license and a role; STUN on; a new extension.
    assert api.post(f"/webitel-users/{rid}/licenses", json={"license_id": "cc-serial-1"}).status_code == 201
    assert api.post(f"/webitel-users/{rid}/roles", json={"role_id": roles["Agents"]}).status_code == 201
    changed = api.patch(f"/webitel-users/{rid}", json={"stun_enabled": True, "extension": "1011"}).json()
    assert changed["stun_enabled"] is True and changed["extension"] == "1011"
    webitel_user = remote(emulator, "agarcia")
    assert [g["id"] for g in webitel_user["license"]] == ["cc-serial-1"]
    assert [r["name"] for r in webitel_user["roles"]] == ["Agents"] and webitel_user["extension"] == "1011"
    assert {"user_id": webitel_user["id"], "key": "phone", "value": {"webrtc": True, "stun": True}} in \
        state(emulator)["settings"]
    listed = api.get("/webitel-users", params={"q": "garcia"}).json()
    assert listed["total"] == 1 and listed["items"][0]["licenses"] == [{"id": "cc-serial-1", "product": "CALL_CENTER"}]

    # Take them back, then delete: gone from Webitel too.
    assert api.delete(f"/webitel-users/{rid}/licenses/cc-serial-1").status_code == 204
    assert api.delete(f"/webitel-users/{rid}/roles/{roles['Agents']}").status_code == 204
    assert api.get(f"/webitel-users/{rid}").json()["licenses"] == []
    assert api.delete(f"/webitel-users/{rid}").status_code == 204
    assert remote(emulator, "agarcia") is None
    assert api.get(f"/webitel-users/{rid}").status_code == 404


def test_refusals_over_http(api, emulator, connector_server):
    john = new_creatio_user(api, "jsmith", "John Smith")
    response = api.post("/webitel-users", json={"user_id": john["id"]})
    assert response.status_code == 409 and response.json()["error"]["code"] == "username_taken"
    ana = new_creatio_user(api, "agarcia", "Ana Garcia")
    response = api.post("/webitel-users", json={"user_id": ana["id"], "extension": "1001"})
    assert response.status_code == 409 and response.json()["error"]["code"] == "extension_taken"
    response = api.post("/webitel-users", json={"user_id": ana["id"], "extension": "x1"})
    assert response.status_code == 422 and "extension" in response.json()["error"]["fields"]
    record = api.post("/webitel-users", json={"user_id": ana["id"]}).json()
    assert record["warnings"] == ["no_extension"]
    assert api.post("/webitel-users", json={"user_id": ana["id"]}).json()["error"]["code"] == "already_exists"
    assert httpx.get(f"{connector_server.url}/webitel-users").status_code == 401


def test_webitel_failures_over_real_sockets(api, emulator):
    ana = new_creatio_user(api, "agarcia", "Ana Garcia")
    emulator.add_fault(method="POST", path="/api/users", action="error", status=503, when="after", times=1)
    response = api.post("/webitel-users", json={"user_id": ana["id"], "extension": "1010"})
    assert response.status_code == 201  # applied, answer lost: the connector looked and finished
    assert [u["username"] for u in state(emulator)["users"]].count("agarcia") == 1
    assert api.delete(f"/webitel-users/{response.json()['id']}").status_code == 204
    emulator.add_fault(method="POST", path="/api/users", action="error", status=400, times=1)
    response = api.post("/webitel-users", json={"user_id": ana["id"], "extension": "1010"})
    assert response.status_code == 502 and response.json()["error"]["outcome"] == "not_created"
    assert api.get("/webitel-users").json()["total"] == 0
    emulator.add_fault(method="POST", path="/api/users", action="timeout", delay_ms=2500, times=1)
    response = api.post("/webitel-users", json={"user_id": ana["id"], "extension": "1010"})
    error = response.json()["error"]
    assert response.status_code == 504 and error["code"] == "webitel_timeout" and error["outcome"] == "pending"
    assert api.get(f"/webitel-users/{error['record_id']}").json()["sync"]["state"] == "pending"


def test_health_over_http(connector_server, emulator):
    response = httpx.get(f"{connector_server.url}/health")
    assert response.status_code == 200 and response.json()["status"] == "ok"


def test_twenty_concurrent_creates_with_one_extension(api, emulator):
    users = [new_creatio_user(api, f"user{i:02d}", f"User {i:02d}") for i in range(20)]
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=20)

    def create(user):
        with httpx.Client(base_url=api.base_url, headers=api.headers, timeout=60) as client:
            return client.post("/webitel-users", json={"user_id": user["id"], "extension": "1777"})

    with pool:
        responses = list(pool.map(create, users))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * 19, [r.text for r in responses if r.status_code not in (201, 409)]
    assert {r.json()["error"]["code"] for r in responses if r.status_code == 409} == {"extension_taken"}
    holders = [u for u in state(emulator)["users"] if u.get("extension") == "1777"]
    assert len(holders) == 1
    assert api.get("/webitel-users").json()["total"] == 1


def test_concurrent_grants_to_one_user_across_workers_are_all_kept(api, emulator):
    """Gunicorn's two workers take the grants; the record's row lock orders them."""
    ana = new_creatio_user(api, "agarcia", "Ana Garcia")
    record = api.post("/webitel-users", json={"user_id": ana["id"], "extension": "1010"}).json()
    roles = {r["name"]: r["id"] for r in api.get("/lookups/roles").json()["items"]}
    emulator.add_fault(method="GET", path="/api/users/*", action="delay", delay_ms=100)  # widen the race
    grants = [("licenses", {"license_id": s}) for s in ("cc-serial-1", "cm-serial-1", "chat-serial-1")]
    grants += [("roles", {"role_id": roles[name]}) for name in ("Agents", "Supervisors")]

    def grant(item):
        path, body = item
        with httpx.Client(base_url=api.base_url, headers=api.headers, timeout=60) as client:
            return client.post(f"/webitel-users/{record['id']}/{path}", json=body)

    with concurrent.futures.ThreadPoolExecutor(max_workers=len(grants)) as pool:
        responses = list(pool.map(grant, grants))
    assert [r.status_code for r in responses] == [201] * len(grants), [r.text for r in responses]
    webitel_user = remote(emulator, "agarcia")
    assert sorted(g["id"] for g in webitel_user["license"]) == ["cc-serial-1", "chat-serial-1", "cm-serial-1"]
    assert sorted(r["name"] for r in webitel_user["roles"]) == ["Agents", "Supervisors"]
    final = api.get(f"/webitel-users/{record['id']}").json()
    assert len(final["licenses"]) == 3 and len(final["roles"]) == 2
