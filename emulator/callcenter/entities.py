"""The call center's records (Webitel's ``call_center.cc_*`` tables), as plain picklable data."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..audit import Audit

# Agent statuses (webitel-api.md §2.6): the first three are set through the API, break_out only
# by the system after too many missed offers.
OFFLINE, ONLINE, PAUSE, BREAK_OUT = "offline", "online", "pause", "break_out"
SETTABLE_STATUSES = (ONLINE, PAUSE, OFFLINE)

# States of an agent's call channel (cc_agent_channel.state).
WAITING, OFFERING, BRIDGED, WRAP_TIME, MISSED = "waiting", "offering", "bridged", "wrap_time", "missed"

CALL_CHANNEL = "call"
INBOUND_QUEUE = 1  # queue type 1: inbound calls (webitel-ui-sdk QueueType.enum.js)


@dataclass
class Team(Audit):
    id: int = 0
    name: str = ""
    description: str = ""
    strategy: str = ""
    max_no_answer: int = 0
    no_answer_delay_time: int = 0
    wrap_up_time: int = 0
    call_timeout: int = 0
    admin_ids: list[int] = field(default_factory=list)
    invite_chat_timeout: int = 0
    task_accept_timeout: int = 0
    forecast_calculation_id: int | None = None
    screen_control: bool = False


@dataclass
class Skill(Audit):
    id: int = 0
    name: str = ""
    description: str = ""


@dataclass
class Agent(Audit):
    id: int = 0
    user_id: int = 0
    team_id: int | None = None
    description: str = ""
    progressive_count: int = 0
    chat_count: int = 0
    task_count: int = 0
    extra_chat_count: int = 0
    allow_channels: list[str] = field(default_factory=lambda: [CALL_CHANNEL])
    supervisor_ids: list[int] = field(default_factory=list)
    auditor_ids: list[int] = field(default_factory=list)
    region_id: int | None = None
    greeting_media_id: int | None = None
    is_supervisor: bool = False
    screen_control: bool = False
    # Runtime state: the status and the call channel.
    status: str = OFFLINE
    status_payload: str = ""
    last_status_change: int = 0
    channel_state: str = WAITING
    channel_joined_at: int = 0
    channel_timeout: int = 0  # unix ms the wrap_time / missed state ends; 0 = none
    call_id: int | None = None  # the call offered to or bridged with the agent
    no_answers: int = 0
    # Routing statistics the team strategies order by.
    idle_since: int = 0
    calls_answered: int = 0
    last_bridge_end: int = 0


@dataclass
class AgentSkill(Audit):
    id: int = 0
    agent_id: int = 0
    skill_id: int = 0
    capacity: int = 0
    enabled: bool = False


@dataclass
class Queue(Audit):
    id: int = 0
    name: str = ""
    type: int = 0
    strategy: str = ""
    enabled: bool = False
    priority: int = 0
    team_id: int | None = None
    description: str = ""
    timeout: int = 0
    sec_locate_agent: int = 0
    sticky_agent: bool = False
    variables: dict[str, str] = field(default_factory=dict)
    payload: Any = None
    tags: list[str] = field(default_factory=list)
    # References to objects the emulator does not serve (calendars, lists, schemas, media):
    # kept as given, by id.
    refs: dict[str, int] = field(default_factory=dict)


@dataclass
class QueueSkill:
    id: int = 0
    queue_id: int = 0
    skill_id: int = 0
    bucket_ids: list[int] = field(default_factory=list)
    lvl: int = 0
    min_capacity: int = 0
    max_capacity: int = 0
    enabled: bool = False
