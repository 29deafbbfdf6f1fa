"""The connector's operations, the Webitel calls each makes, and the check that an answer's outcome
was true: shared by the fault matrix in process (tests/connector/integration/test_consistency.py)
and over real sockets (tests/connector/e2e/test_e2e_faults.py).

``api`` is anything with ``get/post/patch/delete(path, json=)`` whose answers have ``status_code``
and a ``json`` attribute (Flask's test client, or :class:`HttpApi` over httpx)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.support.connector import error_of, webitel_agent, webitel_state
from tests.support.verbs import HttpVerbs

BASE = "/api/v1/webitel-users"
UPSTREAM_CODES = {"webitel_unavailable", "webitel_timeout", "webitel_error"}
SUPPORT, ENGLISH, BILLING = "1", "1", "2"  # the demo seed's team and skills


def setup_none(api, emulator=None):
    """A Creatio user (made through the API, so that it works in process and over sockets alike)."""
    created = api.post("/api/v1/creatio/users", json={"name": "agarcia", "contact_name": "Ana Garcia",
                                                      "type": "employee", "account_name": "Acme"})
    assert created.status_code == 201, created.json
    return {"user_id": created.json["id"]}


def setup_record(api, emulator=None):
    created = api.post(BASE, json={**setup_none(api), "extension": "1010"})
    assert created.status_code == 201, created.json
    return created.json


def setup_granted(api, emulator=None):
    record = setup_record(api)
    api.post(f"{BASE}/{record['id']}/licenses", json={"license_id": "cc-serial-1"})
    api.post(f"{BASE}/{record['id']}/roles", json={"role_id": "1"})
    return api.get(f"{BASE}/{record['id']}").json


def setup_licensed(api, emulator=None):
    """A Webitel user with a CALL_CENTER license, ready to be an agent."""
    record = setup_record(api)
    assert api.post(f"{BASE}/{record['id']}/licenses", json={"license_id": "cc-serial-1"}).status_code == 201
    return record


def setup_agent(api, emulator):
    """An agent of the team Support with the skill English (50, active), and a second team, Sales."""
    record = setup_licensed(api)
    made = api.patch(f"{BASE}/{record['id']}", json={"is_agent": True, "team_id": SUPPORT})
    assert made.status_code == 200, made.json
    assert api.post(f"{BASE}/{record['id']}/skills", json={"skill_id": ENGLISH, "capacity": 50}).status_code == 201
    sales = emulator.client.post("/call_center/teams", json={"name": "Sales", "strategy": "round-robin"}).json()
    return {**api.get(f"{BASE}/{record['id']}").json, "sales": sales["id"]}


def setup_former_agent(api, emulator):
    """A deactivated agent: its record keeps the skill English (50, active)."""
    record = setup_agent(api, emulator)
    assert api.patch(f"{BASE}/{record['id']}", json={"is_agent": False}).status_code == 200
    return record


def agent_now(emulator) -> tuple[dict | None, dict[str, tuple[int, bool]]]:
    user = remote_user(emulator)
    return webitel_agent(emulator, user["id"]) if user else (None, {})


def remote_user(emulator, username="agarcia"):
    return next((u for u in webitel_state(emulator)["users"] if u["username"] == username), None)


def stun_of(emulator, user):
    setting = next((s["value"] for s in webitel_state(emulator).get("settings", [])
                    if s["key"] == "phone" and s["user_id"] == user["id"]), {})
    return bool(setting.get("stun"))


def records(api):
    return api.get(BASE).json["items"]


# operation -> (setup, call, success status, "applied": the change is there, on both sides)
# (setup, call, success status, applied): each takes the API client and the emulator or the setup's result
Case = tuple[Callable[..., Any], Callable[..., Any], int, Callable[..., Any]]
OPERATIONS: dict[str, Case] = {
    "create": (setup_none, lambda api, ctx: api.post(BASE, json={**ctx, "extension": "1010"}), 201,
               lambda api, em: [r["extension"] for r in records(api)] == ["1010"]
               and (remote_user(em) or {}).get("extension") == "1010"),
    "change_extension": (setup_record, lambda api, r: api.patch(f"{BASE}/{r['id']}", json={"extension": "2020"}), 200,
                         lambda api, em: records(api)[0]["extension"] == "2020"
                         and remote_user(em)["extension"] == "2020"),
    "stun": (setup_record, lambda api, r: api.patch(f"{BASE}/{r['id']}", json={"stun_enabled": True}), 200,
             lambda api, em: records(api)[0]["stun_enabled"] and stun_of(em, remote_user(em))),
    "change_both": (setup_record, lambda api, r: api.patch(f"{BASE}/{r['id']}",
                                                           json={"extension": "2020", "stun_enabled": True}), 200,
                    lambda api, em: records(api)[0]["extension"] == "2020" and stun_of(em, remote_user(em))),
    "add_license": (setup_record, lambda api, r: api.post(f"{BASE}/{r['id']}/licenses",
                                                          json={"license_id": "cc-serial-1"}), 201,
                    lambda api, em: [g["id"] for g in remote_user(em).get("license", [])] == ["cc-serial-1"]),
    "remove_license": (setup_granted, lambda api, r: api.delete(f"{BASE}/{r['id']}/licenses/cc-serial-1"), 204,
                       lambda api, em: not remote_user(em).get("license") and not records(api)[0]["licenses"]),
    "add_role": (setup_record, lambda api, r: api.post(f"{BASE}/{r['id']}/roles", json={"role_id": "1"}), 201,
                 lambda api, em: [g["id"] for g in remote_user(em).get("roles", [])] == ["1"]),
    "remove_role": (setup_granted, lambda api, r: api.delete(f"{BASE}/{r['id']}/roles/1"), 204,
                    lambda api, em: not remote_user(em).get("roles") and not records(api)[0]["roles"]),
    "delete": (setup_record, lambda api, r: api.delete(f"{BASE}/{r['id']}"), 204,
               lambda api, em: records(api) == [] and remote_user(em) is None),
}

# The call-center operations (issue 10's part of the matrix): setup, call, success status, applied.
AGENT_OPERATIONS: dict[str, Case] = {
    "make_agent": (setup_licensed, lambda api, r: api.patch(f"{BASE}/{r['id']}", json={"is_agent": True,
                                                                                     "team_id": SUPPORT}), 200,
                   lambda api, em: records(api)[0]["is_agent"] and agent_now(em)[0] is not None),
    "change_team": (setup_agent, lambda api, r: api.patch(f"{BASE}/{r['id']}", json={"team_id": r["sales"]}), 200,
                    lambda api, em: (agent_now(em)[0] or {}).get("team", {}).get("id") == records(api)[0]["team"]["id"]
                    != SUPPORT),
    "deactivate": (setup_agent, lambda api, r: api.patch(f"{BASE}/{r['id']}", json={"is_agent": False}), 200,
                   lambda api, em: agent_now(em)[0] is None and len(records(api)[0]["skills"]) == 1),
    "reactivate": (setup_former_agent, lambda api, r: api.patch(f"{BASE}/{r['id']}", json={"is_agent": True}), 200,
                   lambda api, em: agent_now(em)[1] == {ENGLISH: (50, True)}),
    "add_skill": (setup_agent, lambda api, r: api.post(f"{BASE}/{r['id']}/skills",
                                                       json={"skill_id": BILLING, "capacity": 20, "active": False}),
                  201, lambda api, em: agent_now(em)[1] == {ENGLISH: (50, True), BILLING: (20, False)}),
    "change_skill": (setup_agent, lambda api, r: api.patch(f"{BASE}/{r['id']}/skills/{ENGLISH}",
                                                           json={"capacity": 70, "active": False}), 200,
                     lambda api, em: agent_now(em)[1] == {ENGLISH: (70, False)}),
    "remove_skill": (setup_agent, lambda api, r: api.delete(f"{BASE}/{r['id']}/skills/{ENGLISH}"), 204,
                     lambda api, em: agent_now(em)[1] == {} and records(api)[0]["skills"] == []),
}
OPERATIONS.update(AGENT_OPERATIONS)

AGENTS = "/api/call_center/agents"
AGENT_STEPS = {
    "make_agent": [("GET", "/api/call_center/teams/*"), ("POST", AGENTS), ("GET", f"{AGENTS}/*/skills")],
    "change_team": [("GET", "/api/call_center/teams/*"), ("GET", f"{AGENTS}/*"), ("PATCH", f"{AGENTS}/*")],
    "deactivate": [("GET", f"{AGENTS}/*"), ("PATCH", f"{AGENTS}/*/status"), ("DELETE", f"{AGENTS}/*")],
    "reactivate": [("POST", AGENTS), ("GET", f"{AGENTS}/*/skills"), ("POST", f"{AGENTS}/*/skills")],
    "add_skill": [("GET", "/api/call_center/skills/*"), ("GET", f"{AGENTS}/*"), ("POST", f"{AGENTS}/*/skills")],
    "change_skill": [("GET", f"{AGENTS}/*/skills"), ("PATCH", f"{AGENTS}/*/skills/*")],
    "remove_skill": [("GET", f"{AGENTS}/*/skills"), ("DELETE", f"{AGENTS}/*/skills/*")],
}

# operation -> the Webitel calls it makes: (method, path pattern)
STEPS = {
    "create": [("POST", "/api/users")],
    "change_extension": [("PATCH", "/api/users/*")],
    "stun": [("GET", "/api/users/*/tokens"), ("POST", "/api/users/*/tokens"), ("PUT", "/api/user/settings/phone"),
             ("DELETE", "/api/users/*/tokens/*")],
    "change_both": [("PATCH", "/api/users/*"), ("POST", "/api/users/*/tokens"), ("PUT", "/api/user/settings/phone")],
    "add_license": [("GET", "/api/license"), ("GET", "/api/users/*"), ("PATCH", "/api/users/*")],
    "remove_license": [("GET", "/api/users/*"), ("PATCH", "/api/users/*")],
    "add_role": [("GET", "/api/roles/*"), ("GET", "/api/users/*"), ("PATCH", "/api/users/*")],
    "remove_role": [("GET", "/api/users/*"), ("PATCH", "/api/users/*")],
    "delete": [("DELETE", "/api/users/*")],
}

def snapshot(api, emulator):
    listed = records(api)
    for r in listed:
        r.pop("updated_at")
        r.pop("sync")
    users = {u["username"]: (u.get("extension"), sorted(g["id"] for g in u.get("license", [])),
                             sorted(r["id"] for r in u.get("roles", [])), stun_of(emulator, u),
                             _agent_snapshot(emulator, u["id"]))
             for u in webitel_state(emulator)["users"]}
    return listed, users


def _agent_snapshot(emulator, webitel_user_id: str):
    agent, skills = webitel_agent(emulator, webitel_user_id)
    return None if agent is None else ((agent.get("team") or {}).get("id"), sorted(skills.items()))


def check_the_outcome_was_true(reconcile, api, emulator, op, response, before):
    """What the answer said holds now, and still holds after one reconcile pass (``reconcile``); the
    caller then checks that the two sides agree."""
    _setup, _call, ok_status, applied = OPERATIONS[op]
    if response.status_code == ok_status:
        outcome = "done"
    else:
        error = error_of(response)
        outcome = error.get("outcome")
        assert error.get("steps") or outcome.startswith("not_"), error
    if outcome and outcome.startswith("not_"):
        assert snapshot(api, emulator) == before  # nothing changed, on either side
    elif outcome == "pending":
        assert response.status_code in (503, 504), response.json
        if op != "delete":
            assert error_of(response)["record_id"]
    else:
        assert outcome == "done", response.json
    reconcile()
    if outcome and outcome.startswith("not_"):
        assert snapshot(api, emulator) == before
    else:
        assert applied(api, emulator), snapshot(api, emulator)
    return outcome


class HttpAnswer:
    """An httpx answer shaped like Flask's test response (``json`` is an attribute)."""

    def __init__(self, response) -> None:
        self.status_code = response.status_code
        self.json = response.json() if response.content else None
        self.text = response.text


class HttpApi(HttpVerbs):
    """The connector's API over real HTTP, with the paths the in-process tests use (``/api/v1/...``)."""

    def __init__(self, client) -> None:
        self.client = client

    def request(self, method: str, path: str, **kwargs) -> HttpAnswer:
        return HttpAnswer(self.client.request(method, path.removeprefix("/api/v1"), **kwargs))




