"""Webitel's call center read in bulk: every agent with its skills in a few calls whatever the number
of agents (the agents' list, and each skill's agents), for the drift report and the import."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..webitel import WebitelClient
from .webitel_users import remote


@dataclass
class CallCenter:
    agents: dict[str, dict] = field(default_factory=dict)  # Webitel user id -> agent
    skill_rows: dict[str, list[dict]] = field(default_factory=dict)  # agent id -> its skill rows

    def agent_of(self, webitel_user_id: str) -> tuple[dict | None, list[dict]]:
        agent = self.agents.get(webitel_user_id)
        return (agent, self.skill_rows.get(str(agent["id"]), [])) if agent is not None else (None, [])

    def held(self, webitel_user_id: str) -> remote.HeldAgent | None:
        agent, rows = self.agent_of(webitel_user_id)
        return remote.held_agent(agent, rows) if agent is not None else None


def read_call_center(webitel: WebitelClient, *, page_size: int = 500) -> CallCenter:
    found = CallCenter()
    for page in webitel.pages("/call_center/agents", {}, size=page_size):
        for agent in page:
            found.agents[str((agent.get("user") or {}).get("id"))] = agent
    for skill in webitel.skills():
        for page in webitel.pages(f"/call_center/skills/{skill['id']}/agents", {}, size=page_size):
            for row in page:
                row.setdefault("skill", {"id": skill["id"], "name": skill.get("name", "")})
                found.skill_rows.setdefault(str((row.get("agent") or {}).get("id")), []).append(row)
    return found
