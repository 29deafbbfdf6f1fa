"""Helpers for the connector's tests: Creatio users, and the check that Creatio and Webitel agree."""

from __future__ import annotations

import time

from sqlalchemy import select
from sqlalchemy.orm import Session

from connector.creatio import SystemUserType
from connector.creatio.embedded import add_system_user
from connector.models import WebitelUser
from connector.services.webitel_users.remote import RECORD_MARK
from connector.services.webitel_users.stun import TOKEN_USAGE


def creatio_user(session: Session, name: str = "agarcia", contact: str | None = None, *, type: str = "employee",
                 active: bool = True, account: str | None = "Acme"):
    """An embedded Creatio system user (its row), written through ``session``."""
    return add_system_user(session, name=name, contact_name=contact or name.title(),
                           type=SystemUserType.from_label(type), account_name=account, active=active)


def webitel_state(emulator) -> dict:
    return emulator.state()["domains"][0]


def disagreements(session: Session, emulator) -> list[str]:
    """Everything on which the connector's records and Webitel disagree (empty when they agree):
    a Webitel user the connector made without an active record, a record pointing at a missing
    Webitel user, a record left mid-operation, differing extension, licenses, roles or STUN, and a
    STUN token left behind."""
    session.expire_all()
    state = webitel_state(emulator)
    remote = {u["id"]: u for u in state["users"]}
    phone = {s["user_id"]: s["value"] for s in state.get("settings", []) if s["key"] == "phone"}
    records = list(session.scalars(select(WebitelUser)))
    problems = []
    linked = {r.webitel_user_id for r in records if r.state == "active"}
    for user in remote.values():
        if (user.get("profile") or {}).get(RECORD_MARK) and user["id"] not in linked:
            problems.append(f"Webitel user {user['username']} ({user['id']}) has no active record")
    for record in records:
        if record.state != "active":
            problems.append(f"record {record.webitel_username} left {record.state}")
        if record.sync_state != "in_sync":
            problems.append(f"record {record.webitel_username} is {record.sync_state} ({record.sync_error})")
        if not record.webitel_user_id:
            continue
        user = remote.get(record.webitel_user_id)
        if user is None:
            problems.append(f"record {record.webitel_username} points at missing Webitel user {record.webitel_user_id}")
            continue
        if (user.get("extension") or None) != record.extension:
            problems.append(f"{record.webitel_username}: extension {record.extension} here, {user.get('extension')} "
                            f"in Webitel")
        if sorted(g["id"] for g in user.get("license", [])) != sorted(lic.license_id for lic in record.licenses):
            problems.append(f"{record.webitel_username}: licenses differ")
        if sorted(r["id"] for r in user.get("roles", [])) != sorted(r.role_id for r in record.roles):
            problems.append(f"{record.webitel_username}: roles differ")
        setting = phone.get(record.webitel_user_id) or {}
        if bool(setting.get("stun")) != record.stun_enabled:
            problems.append(f"{record.webitel_username}: STUN {record.stun_enabled} here, {setting} in Webitel")
        problems += agent_disagreements(record, emulator)
    for token in state.get("tokens", []):
        if str(token.get("usage", "")).startswith(TOKEN_USAGE):
            problems.append(f"STUN token {token['id']} left for user {token.get('user', {}).get('id')}")
    return problems


def webitel_agent(emulator, webitel_user_id: str) -> tuple[dict | None, dict[str, tuple[int, bool]]]:
    """The user's agent and its skills (skill id -> (capacity, enabled)), through Webitel's own API."""
    agents = emulator.client.get("/call_center/agents", params={"user_id": webitel_user_id}).json().get("items") or []
    if not agents:
        return None, {}
    rows = emulator.client.get(f"/call_center/agents/{agents[0]['id']}/skills").json().get("items") or []
    return agents[0], {row["skill"]["id"]: (row.get("capacity", 0), bool(row.get("enabled"))) for row in rows}


def agent_disagreements(record: WebitelUser, emulator) -> list[str]:
    agent, skills = webitel_agent(emulator, record.webitel_user_id or "")
    name = record.webitel_username
    if (agent is not None) != record.is_agent:
        return [f"{name}: agent {record.is_agent} here, {agent is not None} in Webitel"]
    if agent is None:
        return []
    problems = []
    if ((agent.get("team") or {}).get("id")) != record.team_id:
        problems.append(f"{name}: team {record.team_id} here, {agent.get('team')} in Webitel")
    mine = {row.skill_id: (row.capacity, row.active) for row in record.skills}
    if mine != skills:
        problems.append(f"{name}: skills {mine} here, {skills} in Webitel")
    return problems


def finished_job(api, path: str, started, *, timeout_s: float = 30) -> dict:
    """A background job (an import, a drift check) from its start's answer, followed at ``path`` until
    it is no longer running."""
    assert started.status_code in (200, 202), started.json
    job = started.json
    deadline = time.monotonic() + timeout_s
    while job["status"] == "running":
        assert time.monotonic() < deadline, job
        time.sleep(0.05)
        job = api.get(f"{path}/{job['id']}").json
    return job


def error_of(response) -> dict:
    """The contract's error object of an answer (and a check of its shape)."""
    body = response.get_json() if hasattr(response, "get_json") else response.json
    body = body() if callable(body) else body  # httpx's json is a method; Flask's and HttpAnswer's are not
    assert set(body) == {"error"}, body
    assert isinstance(body["error"]["code"], str) and isinstance(body["error"]["message"], str), body
    return body["error"]


def reconcile(app, *, later_s: float = 3600.0, due_only: bool = False):
    """One reconcile pass of the app's connector, as if ``later_s`` seconds had passed (claims and
    late-write horizons of the operations just run have lapsed by then)."""
    from datetime import timedelta

    from connector.models import utcnow
    from connector.services.context import Context
    from connector.services.reconcile import reconcile_pass

    connector = app.extensions["connector"]
    with connector.sessions() as session:
        ctx = Context(session, connector.webitel, connector.config.sync_settings, actor="test",
                      clock=lambda: utcnow() + timedelta(seconds=later_s))
        return reconcile_pass(ctx, due_only=due_only)
