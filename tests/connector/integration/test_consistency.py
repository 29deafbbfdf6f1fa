"""A save, change or delete that fails part-way ends with Creatio and Webitel agreeing, and the answer
says what happened. Every Webitel step of every operation is failed with each of the emulator's
fault kinds (an error, a timeout, a dropped connection; before the request is applied, or after it
was applied with the answer lost), and every database commit is failed too."""

from __future__ import annotations

import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from tests.support.connector import creatio_user, disagreements, error_of, webitel_state

BASE = "/api/v1/webitel-users"
UPSTREAM_CODES = {"webitel_unavailable", "webitel_timeout", "webitel_error"}
FAULTS = [(action, when) for action in ("error", "timeout", "reset") for when in ("before", "after")]


def setup_none(api, session):
    return {"user_id": str(creatio_user(session, "agarcia", "Ana Garcia").id)}


def setup_record(api, session):
    user = creatio_user(session, "agarcia", "Ana Garcia")
    return api.post(BASE, json={"user_id": str(user.id), "extension": "1010"}).json


def setup_granted(api, session):
    record = setup_record(api, session)
    api.post(f"{BASE}/{record['id']}/licenses", json={"license_id": "cc-serial-1"})
    api.post(f"{BASE}/{record['id']}/roles", json={"role_id": "1"})
    return api.get(f"{BASE}/{record['id']}").json


# operation -> (setup, call, expected status on success)
OPERATIONS = {
    "create": (setup_none, lambda api, ctx: api.post(BASE, json={**ctx, "extension": "1010"}), 201),
    "change_extension": (setup_record, lambda api, r: api.patch(f"{BASE}/{r['id']}", json={"extension": "2020"}), 200),
    "stun": (setup_record, lambda api, r: api.patch(f"{BASE}/{r['id']}", json={"stun_enabled": True}), 200),
    "change_both": (setup_record, lambda api, r: api.patch(f"{BASE}/{r['id']}",
                                                           json={"extension": "2020", "stun_enabled": True}), 200),
    "add_license": (setup_record, lambda api, r: api.post(f"{BASE}/{r['id']}/licenses",
                                                          json={"license_id": "cc-serial-1"}), 201),
    "remove_license": (setup_granted, lambda api, r: api.delete(f"{BASE}/{r['id']}/licenses/cc-serial-1"), 204),
    "add_role": (setup_record, lambda api, r: api.post(f"{BASE}/{r['id']}/roles", json={"role_id": "1"}), 201),
    "remove_role": (setup_granted, lambda api, r: api.delete(f"{BASE}/{r['id']}/roles/1"), 204),
    "delete": (setup_record, lambda api, r: api.delete(f"{BASE}/{r['id']}"), 204),
}

# operation -> its Webitel steps: (method, path pattern, whether a lost answer of an applied request
# still ends in success: the connector reads the truth back and finishes)
STEPS = {
    "create": [("POST", "/api/users", True)],
    "change_extension": [("PATCH", "/api/users/*", True)],
    "stun": [("GET", "/api/users/*/tokens", False), ("POST", "/api/users/*/tokens", False),
             ("PUT", "/api/user/settings/phone", True), ("DELETE", "/api/users/*/tokens/*", True)],
    "change_both": [("PATCH", "/api/users/*", True), ("POST", "/api/users/*/tokens", False),
                    ("PUT", "/api/user/settings/phone", True)],
    "add_license": [("GET", "/api/license", False), ("GET", "/api/users/*", False), ("PATCH", "/api/users/*", True)],
    "remove_license": [("GET", "/api/users/*", False), ("PATCH", "/api/users/*", True)],
    "add_role": [("GET", "/api/roles/*", False), ("GET", "/api/users/*", False), ("PATCH", "/api/users/*", True)],
    "remove_role": [("GET", "/api/users/*", False), ("PATCH", "/api/users/*", True)],
    "delete": [("DELETE", "/api/users/*", True)],
}
# A token delete that Webitel keeps refusing leaves the token; the STUN change itself succeeded.
TOKEN_DELETE = ("DELETE", "/api/users/*/tokens/*")

CASES = [pytest.param(op, method, path, action, when, finishes, id=f"{op}-{method}{path}-{action}-{when}")
         for op, steps in STEPS.items() for method, path, finishes in steps for action, when in FAULTS]


def snapshot(api, emulator, ctx):
    records = api.get(BASE).json["items"]
    for r in records:
        r.pop("updated_at")
    users = {u["username"]: (u.get("extension"), sorted(g["id"] for g in u.get("license", [])),
                             sorted(r["id"] for r in u.get("roles", [])))
             for u in webitel_state(emulator)["users"]}
    return records, users


@pytest.mark.parametrize("op, method, path, action, when, finishes", CASES)
def test_a_failing_webitel_step_leaves_both_sides_agreeing(api, session, emulator, op, method, path, action, when,
                                                           finishes):
    setup, call, ok_status = OPERATIONS[op]
    ctx = setup(api, session)
    before = snapshot(api, emulator, ctx)
    emulator.add_fault(method=method, path=path, action=action, when=when, status=503)
    response = call(api, ctx)
    emulator.clear_faults()

    if (method, path) == TOKEN_DELETE and when == "before":
        # Setting STUN worked, but Webitel kept refusing to delete the short-lived token:
        # the next STUN change sweeps it.
        assert response.status_code == ok_status
        assert any("STUN token" in p for p in disagreements(session, emulator))
        api.patch(f"{BASE}/{ctx['id']}", json={"stun_enabled": False})
        assert disagreements(session, emulator) == []
        return
    if when == "after" and finishes:
        assert response.status_code == ok_status, response.json
    else:
        assert response.status_code in (502, 503, 504), response.json
        error = error_of(response)
        assert error["code"] in UPSTREAM_CODES
        assert snapshot(api, emulator, ctx) == before  # nothing changed, on either side
        assert error["steps"] and error["outcome"] in ("not_created", "not_changed", "not_deleted"), error
    assert disagreements(session, emulator) == []


class FailingCommits:
    """Makes the n-th database commit from now fail, once."""

    def __init__(self, sessions) -> None:
        self.sessions, self.count, self.fail_at = sessions, 0, None
        event.listen(sessions, "before_commit", self)

    def __call__(self, session) -> None:
        self.count += 1
        if self.count == self.fail_at:
            raise OperationalError("COMMIT", None, Exception("injected commit failure"))

    def arm(self, n: int) -> None:
        self.count, self.fail_at = 0, n

    def remove(self) -> None:
        event.remove(self.sessions, "before_commit", self)


@pytest.fixture
def failing_commits(app):
    hook = FailingCommits(app.extensions["connector"].sessions)
    yield hook
    hook.remove()


COMMITS = {"create": 2, "change_extension": 1, "stun": 1, "change_both": 1, "add_license": 1, "remove_license": 1,
           "add_role": 1, "remove_role": 1, "delete": 2}
COMMIT_CASES = [pytest.param(op, n, id=f"{op}-commit{n}") for op, count in COMMITS.items()
                for n in range(1, count + 1)]


@pytest.mark.parametrize("op, n", COMMIT_CASES)
def test_a_failing_commit_leaves_both_sides_agreeing(api, session, emulator, failing_commits, op, n):
    setup, call, _ok = OPERATIONS[op]
    ctx = setup(api, session)
    before = snapshot(api, emulator, ctx)
    failing_commits.arm(n)
    response = call(api, ctx)
    assert response.status_code == 503, response.json
    error = error_of(response)
    assert error["code"] == "database_error" and "steps" in error
    if op == "delete" and n == 2:
        # Webitel's user is gone but the record could not be removed: it says "deleting" until the
        # next call that touches it finishes the delete.
        assert error["outcome"] == "deleted_in_webitel"
        assert api.get(f"{BASE}/{ctx['id']}").json["state"] == "deleting"
        return
    if n > 1 or op != "create":
        assert error.get("compensated") is True or op == "delete"
    assert snapshot(api, emulator, ctx) == before
    assert disagreements(session, emulator) == []


@pytest.mark.parametrize("config_overrides", [{"operation_lease_s": 0}])
def test_an_interrupted_delete_is_finished_by_the_next_read(api, session, emulator, failing_commits):
    record = setup_record(api, session)
    failing_commits.arm(2)
    assert api.delete(f"{BASE}/{record['id']}").status_code == 503
    assert api.get(f"{BASE}/{record['id']}").status_code == 404
    assert disagreements(session, emulator) == []


@pytest.mark.parametrize("config_overrides", [{"operation_lease_s": 0}])
def test_an_interrupted_create_is_settled_by_the_next_create(api, session, emulator):
    """The create's answer was lost and Webitel could not even be asked: the record stays
    "creating"; the next call settles it from what Webitel holds."""
    ctx = setup_none(api, session)
    emulator.add_fault(method="POST", path="/api/users", action="timeout", when="after")
    emulator.add_fault(method="GET", path="/api/users", action="error", status=503)
    response = api.post(BASE, json={**ctx, "extension": "1010"})
    assert response.status_code == 504
    assert error_of(response)["outcome"] == "unknown"
    emulator.clear_faults()
    listed = api.get(BASE).json["items"]
    assert [r["state"] for r in listed] == ["creating"]
    settled = api.get(f"{BASE}/{listed[0]['id']}").json
    assert settled["state"] == "active" and settled["webitel_user_id"]
    assert disagreements(session, emulator) == []


@pytest.mark.parametrize("config_overrides", [{"operation_lease_s": 0}])
def test_an_interrupted_create_that_never_reached_webitel_is_dropped(api, session, emulator):
    ctx = setup_none(api, session)
    emulator.add_fault(method="POST", path="/api/users", action="timeout")
    emulator.add_fault(method="GET", path="/api/users", action="error", status=503)
    assert api.post(BASE, json={**ctx, "extension": "1010"}).status_code == 504
    emulator.clear_faults()
    response = api.post(BASE, json={**ctx, "extension": "1010"})  # the retry settles the old one first
    assert response.status_code == 201, response.json
    assert api.get(BASE).json["total"] == 1
    assert disagreements(session, emulator) == []


def test_a_record_mid_operation_within_its_lease_is_not_touched(api, session, emulator):
    ctx = setup_none(api, session)
    emulator.add_fault(method="POST", path="/api/users", action="timeout", when="after")
    emulator.add_fault(method="GET", path="/api/users", action="error", status=503)
    api.post(BASE, json={**ctx, "extension": "1010"})
    emulator.clear_faults()
    record = api.get(BASE).json["items"][0]
    response = api.patch(f"{BASE}/{record['id']}", json={"extension": "3030"})
    assert response.status_code == 409 and error_of(response)["code"] == "operation_in_progress"
    assert api.get(f"{BASE}/{record['id']}").json["state"] == "creating"
