"""The Webitel API calls the connector makes, by name, on top of :class:`WebitelHTTP`.

Bodies and answers are Webitel's own JSON (snake_case, int64 ids as strings); the services turn
them into the connector's records.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

import httpx

from .as_user import AsUser, acting, sweep
from .errors import WebitelNotFound
from .http import WebitelHTTP

if TYPE_CHECKING:
    from ..config import Config

PAGE_SIZE = 100
MAX_PAGES = 1000  # a guard against a server whose "next" never ends


class WebitelClient:
    def __init__(self, http: WebitelHTTP) -> None:
        self.http = http

    @classmethod
    def from_config(cls, config: Config, transport: httpx.BaseTransport | None = None) -> WebitelClient:
        return cls(WebitelHTTP(config.webitel_url, config.webitel_token,
                               connect_timeout_s=config.webitel_connect_timeout_s,
                               read_timeout_s=config.webitel_read_timeout_s, retries=config.webitel_retries,
                               backoff_s=config.webitel_backoff_s, transport=transport))

    def close(self) -> None:
        self.http.close()

    # -- service --------------------------------------------------------------------------------
    def userinfo(self, *, timeout_s: float | None = None) -> dict:
        timeout = httpx.Timeout(timeout_s) if timeout_s else None
        return self.http.request("GET", "/userinfo", timeout=timeout, retries=0 if timeout_s else None)

    # -- users ----------------------------------------------------------------------------------
    def create_user(self, body: dict) -> dict:
        """``POST /users`` with a default SIP device whose password Webitel generates, so that the
        SIP password never passes through the connector."""
        params = {"generate_device": "true", "device.generate_password": "true"}
        return self.http.request("POST", "/users", params=params, json_body=body)

    def get_user(self, user_id: str) -> dict:
        return self.http.request("GET", f"/users/{user_id}")

    def find_user(self, user_id: str) -> dict | None:
        """The user, or None when Webitel has none, or deleted it softly (it stays readable with
        ``deleted_at``, but is gone: it signs in nowhere and lists leave it out)."""
        user = self._find(f"/users/{user_id}")
        return None if user is None or user.get("deleted_at") else user

    def find_user_by_username(self, username: str) -> dict | None:
        """The user whose username equals ``username`` case-insensitively, soft-deleted ones included
        (they still hold their username in Webitel)."""
        key = username.casefold()
        for user in self._pages("/users", {"username": username, "any": "true"}):
            if str(user.get("username", "")).casefold() == key:
                return user
        return None

    def all_users(self) -> Iterator[dict]:
        """Every user of the domain (soft-deleted ones left out, as Webitel lists them)."""
        return self._pages("/users", {})

    def find_user_by_extension(self, extension: str) -> dict | None:
        for user in self._pages("/users", {"extension": extension, "any": "true"}):
            if user.get("extension") == extension:
                return user
        return None

    def patch_user(self, user_id: str, body: dict) -> dict:
        # Absolute values only (an extension, a whole license set): repeating it changes nothing more.
        return self.http.request("PATCH", f"/users/{user_id}", json_body=body, idempotent=True)

    def delete_user(self, user_id: str) -> None:
        """Delete for good (``permanent=true``, as Webitel's admin UI does): a soft-deleted user
        would keep holding its username and extension."""
        self.http.request("DELETE", f"/users/{user_id}", params={"permanent": "true"})

    # -- licenses and roles ---------------------------------------------------------------------
    def licenses(self, *, product: str | None = None, q: str | None = None) -> list[dict]:
        params = {"product": product} if product else {}
        if q:
            params["q"] = q
        return list(self._pages("/license", params))

    def find_license(self, serial: str) -> dict | None:
        return next((lic for lic in self._pages("/license", {"id": serial}) if lic.get("id") == serial), None)

    def roles(self, *, q: str | None = None) -> list[dict]:
        return list(self._pages("/roles", {"q": q} if q else {}))

    def find_role(self, role_id: str) -> dict | None:
        return self._find(f"/roles/{role_id}")

    # -- user access tokens and the user's own settings -----------------------------------------
    def add_token(self, user_id: str, usage: str) -> dict:
        return self.http.request("POST", f"/users/{user_id}/tokens", json_body={"usage": usage})

    def tokens(self, user_id: str) -> list[dict]:
        return list(self._pages(f"/users/{user_id}/tokens", {}))

    def delete_token(self, user_id: str, token_id: str) -> None:
        with contextlib.suppress(WebitelNotFound):  # already gone: what we wanted
            self.http.request("DELETE", f"/users/{user_id}/tokens/{token_id}")

    def as_user(self, user_id: str, *, sweep_first: bool = True) -> AbstractContextManager[AsUser]:
        """Act as the user (a short-lived token of its own) for the calls only its own token may make:
        ``with client.as_user(uid) as user: user.phone_settings()`` (:mod:`connector.webitel.as_user`)."""
        return acting(self, user_id, sweep_first=sweep_first)

    def sweep_tokens(self, user_id: str, *, quiet: bool = True) -> int:
        """Delete the tokens an act as the user left behind; how many."""
        return sweep(self, user_id, quiet=quiet)

    # -- call center ----------------------------------------------------------------------------
    def teams(self, *, q: str | None = None) -> list[dict]:
        return list(self._pages("/call_center/teams", {"q": q} if q else {}))

    def find_team(self, team_id: str) -> dict | None:
        return self._find(f"/call_center/teams/{team_id}")

    def skills(self, *, q: str | None = None) -> list[dict]:
        return list(self._pages("/call_center/skills", {"q": q} if q else {}))

    def find_skill(self, skill_id: str) -> dict | None:
        return self._find(f"/call_center/skills/{skill_id}")

    def pause_causes(self, *, q: str | None = None) -> list[dict]:
        return list(self._pages("/call_center/pause_causes", {"q": q} if q else {}))

    def pause_causes_of(self, agent_ids: list[str]) -> dict[str, str]:
        """The cause of each paused agent's break, by agent id: Webitel's agent does not carry it, its
        status report does (which wants a time range: the last minute, the figures are not used)."""
        now_ms = int(time.time() * 1000)
        params = {"agent_id": agent_ids, "status": ["pause"], "time.from": now_ms - 60_000, "time.to": now_ms}
        return {str(row.get("agent_id")): str(row.get("pause_cause") or "")
                for row in self._pages("/call_center/agents/reports/status", params, size=len(agent_ids))}

    def agents(self, **filters: Any) -> Iterator[dict]:
        """Agents, e.g. ``agents(user_id=...)``, ``agents(id=[...])``; all of them without filters."""
        size = filters.pop("size", PAGE_SIZE)
        return self._pages("/call_center/agents", {k: v for k, v in filters.items() if v is not None}, size=size)

    def find_agent_of(self, user_id: str) -> dict | None:
        return next((a for a in self.agents(user_id=user_id) if str((a.get("user") or {}).get("id")) == user_id),
                    None)

    def get_agent(self, agent_id: str) -> dict:
        return self.http.request("GET", f"/call_center/agents/{agent_id}")

    def create_agent(self, body: dict) -> dict:
        return self.http.request("POST", "/call_center/agents", json_body=body)

    def patch_agent(self, agent_id: str, body: dict) -> dict:
        return self.http.request("PATCH", f"/call_center/agents/{agent_id}", json_body=body, idempotent=True)

    def delete_agent(self, agent_id: str) -> None:
        with contextlib.suppress(WebitelNotFound):  # already gone: what we wanted
            self.http.request("DELETE", f"/call_center/agents/{agent_id}")

    def set_agent_status(self, agent_id: str, status: str, pause_cause: str | None = None) -> None:
        body: dict[str, Any] = {"status": status}
        if pause_cause:
            body["payload"] = pause_cause
        self.http.request("PATCH", f"/call_center/agents/{agent_id}/status", json_body=body, idempotent=True)

    def agent_skills(self, agent_id: str) -> list[dict]:
        return list(self._pages(f"/call_center/agents/{agent_id}/skills", {}))

    def add_agent_skill(self, agent_id: str, skill_id: str, *, capacity: int, enabled: bool) -> dict:
        # ``enabled`` always sent: Webitel stores an omitted one as false (inactive).
        body = {"skill": {"id": skill_id}, "capacity": capacity, "enabled": enabled}
        return self.http.request("POST", f"/call_center/agents/{agent_id}/skills", json_body=body)

    def patch_agent_skill(self, agent_id: str, row_id: str, *, capacity: int, enabled: bool) -> dict:
        return self.http.request("PATCH", f"/call_center/agents/{agent_id}/skills/{row_id}",
                                 json_body={"capacity": capacity, "enabled": enabled}, idempotent=True)

    def delete_agent_skill(self, agent_id: str, row_id: str) -> None:
        with contextlib.suppress(WebitelNotFound):
            self.http.request("DELETE", f"/call_center/agents/{agent_id}/skills/{row_id}")

    def skill_agents(self, skill_id: str) -> Iterator[dict]:
        """Every agent-skill row of one skill (agents with their capacity and flag)."""
        return self._pages(f"/call_center/skills/{skill_id}/agents", {})

    def _find(self, path: str) -> dict | None:
        try:
            return self.http.request("GET", path)
        except WebitelNotFound:
            return None

    # -- paging ---------------------------------------------------------------------------------
    def user_pages(self, *, size: int, fields: list[str] | None = None) -> Iterator[list[dict]]:
        """Every user of the domain (not the soft-deleted ones), a page at a time."""
        return self.pages("/users", {"fields": fields} if fields else {}, size=size)

    def pages(self, path: str, params: dict[str, Any], *, size: int = PAGE_SIZE) -> Iterator[list[dict]]:
        """A list endpoint's pages, until Webitel says there is no next one."""
        for page in range(1, MAX_PAGES + 1):
            answer = self.http.request("GET", path, params={**params, "page": page, "size": max(size, 1)}) or {}
            yield list(answer.get("items") or [])
            if not answer.get("next"):
                return

    def _pages(self, path: str, params: dict[str, Any], *, size: int = PAGE_SIZE) -> Iterator[dict]:
        for items in self.pages(path, params, size=size):
            yield from items
