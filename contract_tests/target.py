"""What the contract tests run against: the emulator in process, or a real Webitel server."""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx
import pytest

from emulator.testing import EmulatorHandle

from .schema import contract


class ContractViolation(AssertionError):
    """An answer whose body does not validate against Webitel's OpenAPI definitions."""


def _validating_hook(api_prefix: str):
    def check(response: httpx.Response) -> None:
        response.read()
        path = response.request.url.path
        if path.startswith(api_prefix):
            path = path[len(api_prefix):] or "/"
        try:
            body = response.json()
        except ValueError:
            text = response.text[:200]
            raise ContractViolation(f"{response.request.method} {path}: answer is not JSON: {text!r}") from None
        errors = contract().errors(response.request.method, path, response.status_code, body)
        if errors:
            raise ContractViolation("\n".join(errors) + f"\nbody: {body}")

    return check


@dataclass
class Target:
    base_url: str
    token: str
    transport: httpx.BaseTransport | None = None
    emulator: EmulatorHandle | None = None

    @property
    def is_emulator(self) -> bool:
        return self.emulator is not None

    def api_client(self, token: str | None = None) -> httpx.Client:
        """A client of the Webitel API whose every answer is checked against the OpenAPI files."""
        return httpx.Client(base_url=self.base_url, transport=self.transport, timeout=30,
                            headers={"X-Webitel-Access": token or self.token},
                            event_hooks={"response": [_validating_hook(urlsplit(self.base_url).path.rstrip("/"))]})

    def require(self, met: bool, what: str) -> None:
        """A precondition the test cannot make itself (a license with a free seat, a domain setting
        left unset). The emulator's seed always provides it, so there a missing one fails the test; a
        real Webitel may lack it, and then the test is skipped, saying what to add to run it."""
        if met:
            return
        if self.is_emulator:
            pytest.fail(f"the emulator's seed should provide {what}")
        pytest.skip(f"the Webitel at {self.base_url} lacks {what}, which this test needs and cannot make "
                    f"itself; provide it there to run the test")

    @staticmethod
    def unique(prefix: str) -> str:
        """A name no other test run uses (tests against a real Webitel share its data)."""
        return f"{prefix}{uuid.uuid4().hex[:10]}"


def real_webitel() -> Target | None:
    url, token = os.environ.get("WEBITEL_URL"), os.environ.get("WEBITEL_TOKEN")
    if url and token:
        return Target(base_url=url.rstrip("/"), token=token)
    return None
