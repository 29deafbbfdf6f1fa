"""Fixtures of the call-center contract tests: a builder that makes what a test needs through
Webitel's own API (unique names) and deletes it afterwards, so the tests also run against a
real Webitel that others share."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from contract_tests.makers import maker
from contract_tests.target import Target

CC = "/call_center"
CAUSES = f"{CC}/pause_causes"
# A calendar open every minute of every day (day 0 is Monday; minutes 0..1440).
ALWAYS = [{"day": day, "start_time_of_day": 0, "end_time_of_day": 1440} for day in range(7)]
COMMUNICATION_TYPE = 1  # a member's number's type: the first communication type of a Webitel domain


def ok(response: httpx.Response) -> Any:
    """The JSON of a 200 answer (the answer's text in the failure otherwise)."""
    assert response.status_code == 200, f"{response.request.method} {response.request.url}: " \
                                        f"{response.status_code} {response.text}"
    return response.json()


def refused(response: httpx.Response, code: int, error_id: str) -> dict:
    """Webitel's error envelope with this HTTP status and id."""
    body = response.json()
    assert (response.status_code, body.get("id")) == (code, error_id), body
    assert body["code"] == code
    return body


class Builder:
    """Creates call-center records (and users holding a CALL_CENTER license) for one test."""

    def __init__(self, api: httpx.Client, target: Target) -> None:
        self.api = api
        self.target = target
        self._undo: list[str] = []
        self._serial: str | None = None
        self._calendar: dict | None = None

    def _made(self, path: str) -> None:
        self._undo.append(path)

    def close(self) -> None:
        # What refers to others goes first: agents (their skill rows go with them), queues (their
        # skills, buckets and members too), then teams, skills and buckets, calendars, the users.
        order = ("/call_center/agents", "/call_center/queues", "/call_center/", "/calendars", "/users")
        for path in sorted(reversed(self._undo), key=lambda p: next(i for i, o in enumerate(order) if p.startswith(o))):
            response = self.api.delete(path)
            assert response.status_code in (200, 404), f"cleanup DELETE {path}: {response.text}"

    # -- directory --------------------------------------------------------------------------------
    def cc_license(self) -> str:
        """The serial of a valid CALL_CENTER license with a free seat."""
        if self._serial is None:
            items = ok(self.api.get("/license", params={"product": "CALL_CENTER", "size": 100})).get("items", [])
            free = [lic for lic in items if lic.get("remain", 0) > 0 and not lic.get("status", {}).get("errors")]
            self.target.require(bool(free), "a valid CALL_CENTER license with a free seat")
            self._serial = free[0]["id"]
        return self._serial

    def user(self, *, licensed: bool = True, **fields: Any) -> dict:
        body = {"username": Target.unique("cc_user_"), "name": Target.unique("CC User "), **fields}
        if licensed:
            body["license"] = [{"id": self.cc_license()}]
        user = ok(self.api.post("/users", json=body))
        self._made(f"/users/{user['id']}?permanent=true")
        return user

    def token_of(self, user: dict) -> str:
        """An access token that authenticates as ``user`` (not an administrator)."""
        return ok(self.api.post(f"/users/{user['id']}/tokens", json={"usage": "contract tests"}))["token"]

    # -- call center ------------------------------------------------------------------------------
    def team(self, **fields: Any) -> dict:
        team = ok(self.api.post(f"{CC}/teams", json={"name": Target.unique("team "), "strategy": "longest-idle-agent",
                                                     **fields}))
        self._made(f"{CC}/teams/{team['id']}")
        return team

    def skill(self, **fields: Any) -> dict:
        skill = ok(self.api.post(f"{CC}/skills", json={"name": Target.unique("skill "), **fields}))
        self._made(f"{CC}/skills/{skill['id']}")
        return skill

    def agent(self, user: dict | None = None, **fields: Any) -> dict:
        user = user or self.user()
        body = {"user": {"id": user["id"]}, "task_count": 1, "chat_count": 1, "progressive_count": 1, **fields}
        agent = ok(self.api.post(f"{CC}/agents", json=body))
        self._made(f"{CC}/agents/{agent['id']}")
        return agent

    def agent_skill(self, agent: dict, skill: dict, capacity: int = 50, enabled: bool = True) -> dict:
        return ok(self.api.post(f"{CC}/agents/{agent['id']}/skills",
                                json={"skill": {"id": skill["id"]}, "capacity": capacity, "enabled": enabled}))

    def calendar(self) -> dict:
        """A calendar for queues (Webitel's ``cc_queue.calendar_id`` is NOT NULL): one open every
        minute of every day, made once per test."""
        if self._calendar is None:
            self._calendar = self.make_calendar(accepts=ALWAYS)
        return {"calendar": {"id": self._calendar["id"]}}

    def make_calendar(self, **fields: Any) -> dict:
        body = {"name": Target.unique("calendar "), "timezone": {"id": self.timezone("UTC")["id"]}, **fields}
        calendar = ok(self.api.post("/calendars", json=body))
        self._made(f"/calendars/{calendar['id']}")
        return calendar

    def timezone(self, name: str) -> dict:
        [zone] = [z for z in ok(self.api.get("/calendars/timezones", params={"q": name, "size": 100}))["items"]
                  if z["name"] == name]
        return zone

    def bucket(self, **fields: Any) -> dict:
        bucket = ok(self.api.post(f"{CC}/buckets", json={"name": Target.unique("bucket "), **fields}))
        self._made(f"{CC}/buckets/{bucket['id']}")
        return bucket

    def member(self, queue: dict, number: str | None = None, **fields: Any) -> dict:
        body = {"name": Target.unique("member "), "communications": [
            {"destination": number or Target.unique("+1555")[:12], "type": {"id": COMMUNICATION_TYPE}}], **fields}
        return ok(self.api.post(f"{CC}/queues/{queue['id']}/members", json=body))

    def queue_body(self, **fields: Any) -> dict:
        return {"name": Target.unique("queue "), "type": 1, "enabled": True, **self.calendar(), **fields}

    def queue(self, **fields: Any) -> dict:
        queue = ok(self.api.post(f"{CC}/queues", json=self.queue_body(**fields)))
        self._made(f"{CC}/queues/{queue['id']}")
        return queue

    def queue_skill(self, queue: dict, skill: dict, **fields: Any) -> dict:
        body = {"skill": {"id": skill["id"]}, "lvl": 0, "min_capacity": 0, "max_capacity": 100, "enabled": True,
                **fields}
        return ok(self.api.post(f"{CC}/queues/{queue['id']}/skills", json=body))


@pytest.fixture
def cc(api: httpx.Client, webitel: Target, request: pytest.FixtureRequest) -> Iterator[Builder]:
    builder = Builder(api, webitel)
    yield builder
    # Tests on the control plane only ever run on the emulator, which the next test resets; their
    # calls may still hold agents, which Webitel would not let go of.
    if not request.node.get_closest_marker("control_plane"):
        builder.close()


@pytest.fixture
def cause(api: httpx.Client) -> Iterator[Callable[..., dict]]:
    """``cause(**body)`` makes a pause cause with a unique name, deleted after the test."""
    yield from maker(api, CAUSES, lambda: {"name": Target.unique("ct_cause_")})
