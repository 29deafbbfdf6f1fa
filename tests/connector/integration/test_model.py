"""A model-based test (Hypothesis's RuleBasedStateMachine) over the connector and the emulator
together: random sequences of every connector operation — users, extensions, STUN, licenses, roles,
agents, teams, skills, statuses, the import, drift repair — interleaved with random Webitel faults
(errors, timeouts, dropped connections, answers lost after the change applied, requests that land
after the connector stopped waiting). The emulator is served on a real port, so that late requests do
land late. After every step the answer is a success or an error in the contract's shape (never a
500); every few steps, once the faults are lifted and the late requests landed, one reconcile pass
leaves no record differing from Webitel and no extension or username held twice.

CI runs about 200 steps; ``make model`` runs ``CONNECTOR_MODEL_STEPS`` (default 3000)."""

from __future__ import annotations

import collections
import os
import time
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from connector.app import create_app, dispose
from tests.conftest import ApiClient, connector_config
from tests.support.connector import disagreements, reconcile, webitel_state
from tests.support.databases import sqlite_copy, truncate_all

STEPS = int(os.environ.get("CONNECTOR_MODEL_STEPS", "240"))
STEPS_PER_EXAMPLE = 40
LOGINS = ["agarcia", "lnguyen", "pclient", "tkim", "rsilva"]
EXTENSIONS = [str(2000 + n) for n in range(12)]
LICENSES, ROLES, SKILLS = ["cc-serial-1", "cm-serial-1"], ["1", "2"], ["1", "2", "3"]
READ_TIMEOUT_S, LATE_MS = 0.3, 600
CALLS = [("POST", "/api/users"), ("PATCH", "/api/users/*"), ("DELETE", "/api/users/*"), ("GET", "/api/users*"),
         ("POST", "/api/users/*/tokens"), ("PUT", "/api/user/settings/phone"), ("GET", "/api/license"),
         ("POST", "/api/call_center/agents"), ("PATCH", "/api/call_center/agents/*"),
         ("DELETE", "/api/call_center/agents/*"), ("POST", "/api/call_center/agents/*/skills"),
         ("GET", "/api/call_center/*")]
FAULTS = st.one_of(
    st.none(),
    st.tuples(st.sampled_from(CALLS), st.sampled_from(["error", "timeout", "reset", "late", "lost"])))
ALLOWED = {200, 201, 202, 204, 400, 404, 409, 422, 502, 503, 504}
SEEN: collections.Counter = collections.Counter()  # (method, status): printed at the end, so a run shows what it did


class ConnectorModel(RuleBasedStateMachine):
    """The rules drive the API as Creatio pages would; the emulator's faults come and go between them."""

    shared: dict[str, Any] = {}  # the app, the emulator, the API client and the database URL (model_world)

    def __init__(self) -> None:
        super().__init__()
        shared = ConnectorModel.shared
        self.app, self.emulator, self.api = shared["app"], shared["emulator"], shared["api"]
        # A late request of the previous example would land in this one's fresh world (and, say,
        # delete this example's user 5): let it land first.
        shared["emulator"].wait_settled()
        self.emulator.fresh()
        truncate_all(shared["url"]) if shared["url"].startswith("postgres") else _empty(self.app)
        self.users = {}
        for login in LOGINS:
            created = self.api.post("/api/v1/creatio/users", json={"name": login, "contact_name": login.title(),
                                                                   "type": "employee"})
            assert created.status_code == 201, created.json
            self.users[login] = created.json["id"]
        self.steps = 0

    # -- helpers ---------------------------------------------------------------------------------
    def record_of(self, login: str) -> dict | None:
        items = self.api.get("/api/v1/webitel-users?size=500").json["items"]
        return next((r for r in items if r["webitel_username"] == login), None)

    def call(self, fault, method: str, path: str, body: dict | None = None):
        if fault is not None:
            (fault_method, pattern), kind = fault
            rule: dict[str, object] = {"method": fault_method, "path": pattern, "times": 1}
            faults: dict[str, dict[str, object]] = {
                "late": {"action": "delay", "delay_ms": LATE_MS},
                "lost": {"action": "error", "status": 502, "when": "after"},
                "timeout": {"action": "timeout", "delay_ms": 400},
                "reset": {"action": "reset"}, "error": {"action": "error", "status": 503}}
            rule |= faults[kind]
            self.emulator.add_fault(**rule)
        try:
            response = self.api.request(method, path, json=body)
        finally:
            self.emulator.clear_faults()
        assert response.status_code in ALLOWED, (method, path, response.status_code, response.get_data(as_text=True))
        if response.status_code >= 400:
            error = response.json["error"]
            assert isinstance(error["code"], str) and isinstance(error["message"], str), response.json
        self.steps += 1
        SEEN[(method, path.split("/")[-1] if "/skills" in path or "/licenses" in path else method,
              response.status_code)] += 1
        return response

    # -- rules -----------------------------------------------------------------------------------
    @rule(login=st.sampled_from(LOGINS), extension=st.none() | st.sampled_from(EXTENSIONS), fault=FAULTS)
    def create(self, login, extension, fault):
        self.call(fault, "POST", "/api/v1/webitel-users", {"user_id": self.users[login], "extension": extension})

    @rule(login=st.sampled_from(LOGINS), extension=st.sampled_from([*EXTENSIONS, ""]), fault=FAULTS)
    def change_extension(self, login, extension, fault):
        if (record := self.record_of(login)) is not None:
            self.call(fault, "PATCH", f"/api/v1/webitel-users/{record['id']}", {"extension": extension})

    @rule(login=st.sampled_from(LOGINS), on=st.booleans(), fault=FAULTS)
    def stun(self, login, on, fault):
        if (record := self.record_of(login)) is not None:
            self.call(fault, "PATCH", f"/api/v1/webitel-users/{record['id']}", {"stun_enabled": on})

    @rule(login=st.sampled_from(LOGINS), license=st.sampled_from(LICENSES), grant=st.booleans(), fault=FAULTS)
    def license(self, login, license, grant, fault):
        if (record := self.record_of(login)) is not None:
            if grant:
                self.call(fault, "POST", f"/api/v1/webitel-users/{record['id']}/licenses", {"license_id": license})
            else:
                self.call(fault, "DELETE", f"/api/v1/webitel-users/{record['id']}/licenses/{license}")

    @rule(login=st.sampled_from(LOGINS), role=st.sampled_from(ROLES), add=st.booleans(), fault=FAULTS)
    def role(self, login, role, add, fault):
        if (record := self.record_of(login)) is not None:
            if add:
                self.call(fault, "POST", f"/api/v1/webitel-users/{record['id']}/roles", {"role_id": role})
            else:
                self.call(fault, "DELETE", f"/api/v1/webitel-users/{record['id']}/roles/{role}")

    @rule(login=st.sampled_from(LOGINS), agent=st.booleans(), team=st.sampled_from(["1", None]), fault=FAULTS)
    def agent(self, login, agent, team, fault):
        if (record := self.record_of(login)) is not None:
            body = {"is_agent": agent} | ({"team_id": team} if team else {})
            self.call(fault, "PATCH", f"/api/v1/webitel-users/{record['id']}", body)

    @rule(login=st.sampled_from(LOGINS), skill=st.sampled_from(SKILLS), capacity=st.integers(1, 100),
          active=st.booleans(), action=st.sampled_from(["add", "change", "remove"]), fault=FAULTS)
    def skill(self, login, skill, capacity, active, action, fault):
        if (record := self.record_of(login)) is None:
            return
        base = f"/api/v1/webitel-users/{record['id']}/skills"
        if action == "add":
            self.call(fault, "POST", base, {"skill_id": skill, "capacity": capacity, "active": active})
        elif action == "change":
            self.call(fault, "PATCH", f"{base}/{skill}", {"capacity": capacity, "active": active})
        else:
            self.call(fault, "DELETE", f"{base}/{skill}")

    @rule(login=st.sampled_from(LOGINS), status=st.sampled_from(["online", "pause", "offline"]),
          registered=st.booleans(), fault=FAULTS)
    def status(self, login, status, registered, fault):
        if (record := self.record_of(login)) is not None and record["webitel_user_id"]:
            self.emulator.set_presence(record["webitel_user_id"], "sip" if registered else "")
            body = {"status": status} | ({"pause_cause": "Lunch"} if status == "pause" else {})
            self.call(fault, "PUT", f"/api/v1/webitel-users/{record['id']}/agent-status", body)

    @rule(login=st.sampled_from(LOGINS), fault=FAULTS)
    def delete(self, login, fault):
        if (record := self.record_of(login)) is not None:
            self.call(fault, "DELETE", f"/api/v1/webitel-users/{record['id']}")

    @rule(fault=FAULTS)
    def import_users(self, fault):
        started = self.call(fault, "POST", "/api/v1/imports", {})
        if started.status_code in (200, 202):
            deadline = time.monotonic() + 30
            while self.api.get(f"/api/v1/imports/{started.json['id']}").json["status"] == "running":
                assert time.monotonic() < deadline
                time.sleep(0.05)

    @rule(login=st.sampled_from(LOGINS), direction=st.sampled_from(["to_webitel", "to_record"]))
    def repair(self, login, direction):
        if (record := self.record_of(login)) is not None:
            self.call(None, "POST", "/api/v1/drift/repair", {"ids": [record["id"]], "direction": direction})

    # -- what must hold --------------------------------------------------------------------------
    @invariant()
    def agrees_after_a_reconcile_pass(self):
        if self.steps == 0 or self.steps % 8:
            return
        self.emulator.wait_settled()  # the late requests have landed
        reconcile(self.app)
        with self.app.extensions["connector"].sessions() as session:
            problems = disagreements(session, self.emulator)
        conflicts = [p for p in problems if "is conflict" in p]
        assert [p for p in problems if p not in conflicts] == [], problems
        users = webitel_state(self.emulator)["users"]
        extensions = [u["extension"] for u in users if u.get("extension")]
        usernames = [u["username"].casefold() for u in users]
        assert len(extensions) == len(set(extensions)) and len(usernames) == len(set(usernames))


def _empty(app) -> None:
    from sqlalchemy import text

    from connector.models import Base

    with app.extensions["connector"].engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(text(f'DELETE FROM "{table.name}"'))


@pytest.fixture
def model_world(_sqlite_template, tmp_path, webitel_emulator_server):
    url = sqlite_copy(_sqlite_template, tmp_path)
    app = create_app(connector_config(url, webitel_emulator_server, webitel_read_timeout_s=READ_TIMEOUT_S,
                                      webitel_retries=1, late_write_horizon_s=1.0, request_deadline_s=5.0))
    ConnectorModel.shared = {"app": app, "emulator": webitel_emulator_server, "api": ApiClient(app), "url": url}
    yield
    dispose(app)


def test_random_operations_with_random_faults_keep_both_sides_agreeing(model_world):
    run = ConnectorModel.TestCase
    run.settings = settings(max_examples=max(1, STEPS // STEPS_PER_EXAMPLE), stateful_step_count=STEPS_PER_EXAMPLE,
                            deadline=None, suppress_health_check=list(HealthCheck), derandomize=False)
    run().runTest()
    print(f"\nmodel run: {sum(SEEN.values())} operations")
    for (method, what, status), count in sorted(SEEN.items()):
        print(f"  {count:5d}  {method} {what} -> {status}")
    assert sum(count for (_m, _w, status), count in SEEN.items() if status in (200, 201, 204)) > STEPS // 10
