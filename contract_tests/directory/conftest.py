"""Helpers of the directory contract tests: objects made with unique names and removed afterwards,
and seeds for the tests that need the emulator's control plane.

Against a real Webitel (``WEBITEL_URL``) the tests share the server's data, so every name is
unique (``Target.unique``) and everything a test makes is deleted for good when it ends.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from contract_tests.target import Target


def unique_extension() -> str:
    """Digits no other test run uses (the seeds' extensions are four digits)."""
    return "7" + "".join(secrets.choice("0123456789") for _ in range(9))


def error_of(response: httpx.Response) -> tuple[int, str]:
    """(HTTP status, Webitel error id) of a refusal; the envelope itself is checked by the ``api`` hook."""
    body = response.json()
    assert body["code"] == response.status_code, body
    return response.status_code, body["id"]


def items(response: httpx.Response) -> list[dict]:
    """A list answer's items: Webitel leaves an empty ``items`` out."""
    assert response.status_code == 200, response.text
    return response.json().get("items", [])


class Made:
    """Directory objects a test makes through the API, deleted (for good) when the test ends."""

    def __init__(self, api: httpx.Client) -> None:
        self.api = api
        self.users: list[str] = []
        self.roles: list[str] = []
        self.devices: list[str] = []

    def user(self, *, params: dict | None = None, expect: int = 200, **body: Any) -> dict:
        """Create a user; ``username`` defaults to a unique one."""
        body.setdefault("username", Target.unique("ct_"))
        response = self.api.post("/users", params=params, json=body)
        assert response.status_code == expect, response.text
        user = response.json()
        if expect == 200:
            self.users.append(user["id"])
            self.devices += [d["id"] for d in user.get("devices", [])]
        return user

    def role(self, **body: Any) -> dict:
        body.setdefault("name", Target.unique("ct_role_"))
        response = self.api.post("/roles", json=body)
        assert response.status_code == 200, response.text
        self.roles.append(response.json()["id"])
        return response.json()

    def device(self, **body: Any) -> dict:
        body.setdefault("account", Target.unique("ct_dev_"))
        response = self.api.post("/devices", json=body)
        assert response.status_code == 200, response.text
        self.devices.append(response.json()["id"])
        return response.json()

    def cleanup(self) -> None:
        for user_id in reversed(self.users):
            self.api.delete(f"/users/{user_id}", params={"permanent": "true"})
        for device_id in reversed(self.devices):
            self.api.delete(f"/devices/{device_id}")
        for role_id in reversed(self.roles):
            self.api.delete(f"/roles/{role_id}")


@pytest.fixture
def made(api: httpx.Client) -> Iterator[Made]:
    objects = Made(api)
    yield objects
    objects.cleanup()


@pytest.fixture
def user_token(api: httpx.Client):
    """``user_token(user_id)``: a fresh access token of that user (``POST /users/{id}/tokens``)."""

    def mint(user_id: str) -> str:
        response = api.post(f"/users/{user_id}/tokens", json={"usage": "contract tests"})
        assert response.status_code == 200, response.text
        return response.json()["token"]

    return mint
