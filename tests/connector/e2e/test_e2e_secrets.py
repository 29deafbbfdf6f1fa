"""No secret in any log line of a full run: the connector under gunicorn at DEBUG, with a live-Creatio
stand-in (forms login) and the emulator, walked through every area — Webitel users, STUN (which mints
user access tokens), licenses, roles, agents, skills, statuses, the import, drift and repair, the audit
trail, refusals, and callers sending the token the wrong ways (Basic auth, the query string). Every line
the server wrote, every answer it gave (bodies and headers) and the audit trail are searched for the
connector's API token, the Webitel token, the Creatio password, every SIP password Webitel generated
and every user access token Webitel minted."""

from __future__ import annotations

import base64
import time

import httpx
import pytest

from emulator.directory.devices import Devices
from emulator.directory.tokens import AccessTokens
from tests.conftest import API_TOKEN
from tests.support.creatio import STAND_IN_PASSWORD, STAND_IN_USERNAME, new_stand_in
from tests.support.servers import ConnectorServer, connector_env, run_cli

pytestmark = pytest.mark.e2e


@pytest.fixture
def minted(monkeypatch):
    """Every user access token the emulator mints (they are deleted again after use)."""
    tokens: list[str] = []
    add = AccessTokens.add

    def spy(self, *args, **kwargs):
        token = add(self, *args, **kwargs)
        tokens.append(token.token)
        return token

    monkeypatch.setattr(AccessTokens, "add", spy)
    return tokens


def test_no_secret_in_any_log_line_answer_or_audit_event(tmp_path, _served_emulator, minted):
    emulator = _served_emulator
    emulator.fresh()
    stand_in = new_stand_in()
    users = {name: stand_in.add_system_user(name, f"{name.title()} Contact") for name in ("agarcia", "lnguyen")}
    with stand_in.serve() as creatio_url:
        env = connector_env(database_url=f"sqlite:///{tmp_path / 'c.sqlite'}", webitel_url=emulator.base_url,
                            webitel_token=emulator.token, api_token=API_TOKEN, CONNECTOR_LOG_LEVEL="DEBUG",
                            CONNECTOR_CREATIO_URL=creatio_url, CONNECTOR_CREATIO_USERNAME=STAND_IN_USERNAME,
                            CONNECTOR_CREATIO_PASSWORD=STAND_IN_PASSWORD)
        assert run_cli("migrate", env=env).returncode == 0
        server = ConnectorServer(env, workers=1, threads=4)
        answers: list[httpx.Response] = []
        try:
            with httpx.Client(base_url=server.url, headers={"Authorization": f"Bearer {API_TOKEN}"},
                              timeout=30) as api:
                def call(method, path, **kwargs):
                    answers.append(api.request(method, path, **kwargs))
                    return answers[-1]

                record = call("POST", "/webitel-users", json={"user_id": str(users["agarcia"]), "extension": "1010"},
                              headers={"Idempotency-Key": "create-agarcia"}).json()
                rid = record["id"]
                call("PATCH", f"/webitel-users/{rid}", json={"stun_enabled": True})
                call("PATCH", f"/webitel-users/{rid}", json={"stun_enabled": False})
                call("POST", f"/webitel-users/{rid}/licenses", json={"license_id": "cc-serial-1"})
                call("POST", f"/webitel-users/{rid}/roles", json={"role_id": "1"})
                call("PATCH", f"/webitel-users/{rid}", json={"is_agent": True, "team_id": "1"})
                call("POST", f"/webitel-users/{rid}/skills", json={"skill_id": "1", "capacity": 50})
                emulator.set_presence(record["webitel_user_id"], "sip")
                call("PUT", f"/webitel-users/{rid}/agent-status", json={"status": "online"})
                call("POST", "/webitel-users", json={"user_id": str(users["lnguyen"]), "extension": "1001"})  # taken
                job = call("POST", "/imports", json={"dry_run": True}).json()
                deadline = time.monotonic() + 30
                while call("GET", f"/imports/{job['id']}").json()["status"] == "running":
                    assert time.monotonic() < deadline
                    time.sleep(0.1)
                call("GET", "/drift")
                call("POST", "/drift/repair", json={"direction": "to_webitel"})
                call("GET", "/audit", params={"size": 500})
                call("GET", "/webitel-users")
                call("DELETE", f"/webitel-users/{rid}")
                # Callers sending the token the wrong ways, and a wrong one.
                basic = base64.b64encode(f"connector:{API_TOKEN}".encode()).decode()
                answers.append(httpx.get(f"{server.url}/webitel-users", headers={"Authorization": f"Basic {basic}"}))
                answers.append(httpx.get(f"{server.url}/webitel-users", params={"token": API_TOKEN}))
                answers.append(httpx.get(f"{server.url}/webitel-users", headers={"Authorization": "Bearer wrong"}))
                answers.append(httpx.get(server.url.removesuffix("/api/v1") + "/metrics"))
        finally:
            log = server.stop()
    sip_passwords = [device.password for domain in emulator.emulator.backend.world.domains.values()
                     for device in domain.store(Devices).rows.values() if device.password]
    secrets = {"the connector's API token": [API_TOKEN], "the Webitel token": [emulator.token],
               "the Creatio password": [STAND_IN_PASSWORD], "a SIP password": sip_passwords,
               "a user access token": minted}
    assert sip_passwords and len(minted) >= 4  # the run did make them: the search below can fail
    assert "DEBUG" in log and "webitel" in log.lower()  # the log was written, at DEBUG
    said = [log] + [f"{a.headers}\n{a.text}" for a in answers]
    leaks = [(what, where[:200]) for what, values in secrets.items() for value in values for where in said
             if value in where]
    assert leaks == []
