"""Properties of the dialer (``emulator/callcenter/dialer.py``) over generated outbound campaigns:
after every step (members answered, missed or hung up on; agents pausing and coming back; the
clock moving), in the emulator's own state:

- an attempt in progress is offered to an agent eligible for its member: in the queue's team,
  with an enabled skill meeting an enabled queue skill (the member's skill, when it has one) at a
  capacity in range, for the member's bucket; the member's own agent when it has one;
- a member has at most one attempt in progress, and it is the one the member points at;
- no member ready to call waits while a free agent is eligible for it;
- a member's attempt count is the number of its attempts that are over.

Eligibility is written out again here, plainly, so that the properties do not lean on the code
they check.
"""

from __future__ import annotations

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from emulator.callcenter.agent_skills import AgentSkills
from emulator.callcenter.agents import Agents
from emulator.callcenter.calls import CALL_ENDED, CALL_OFFERING, Call, Switchboard
from emulator.callcenter.members import Members
from emulator.callcenter.queue_buckets import QueueBuckets
from emulator.callcenter.queue_skills import QueueSkills
from emulator.callcenter.queues import Queues
from emulator.state import Domain
from emulator.testing import in_process

SKILLS, BUCKETS, TEAMS = ("A", "B"), ("gold", "iron"), ("Red", "Blue")
capacity = st.sampled_from((5, 10, 50, 90, 100))
mostly = st.sampled_from((True, True, True, False))


@st.composite
def campaigns(draw) -> dict:
    queue_skills = [{"skill": s, "lvl": draw(st.integers(0, 2)), "min_capacity": draw(st.sampled_from((0, 10, 50))),
                     "max_capacity": draw(st.sampled_from((50, 90, 100))), "enabled": draw(mostly),
                     **({"buckets": [draw(st.sampled_from(BUCKETS))]} if draw(st.integers(0, 3)) == 0 else {})}
                    for s in draw(st.lists(st.sampled_from(SKILLS), min_size=1, max_size=2, unique=True))]
    users = []
    for i in range(draw(st.integers(1, 5))):
        skills = [{"skill": s, "capacity": draw(capacity), "enabled": draw(mostly)}
                  for s in draw(st.lists(st.sampled_from(SKILLS), min_size=1, max_size=2, unique=True))]
        users.append({"username": f"agent{i}", "licenses": ["cc"], "presence": "sip",
                      "agent": {"team": draw(st.sampled_from(TEAMS)), "skills": skills,
                                "status": draw(st.sampled_from(("online", "online", "pause")))}})
    members = []
    for i in range(draw(st.integers(1, 12))):
        member: dict = {"name": f"m{i}", "priority": draw(st.integers(0, 3)),
                        "communications": [{"destination": f"+1555{i:04d}"}]}
        if draw(st.integers(0, 2)) == 0:
            member["bucket"] = draw(st.sampled_from(BUCKETS))
        if draw(st.integers(0, 4)) == 0:
            member["skill"] = draw(st.sampled_from(SKILLS))
        if draw(st.integers(0, 5)) == 0:
            member["agent"] = draw(st.sampled_from(users))["username"]
        members.append(member)
    queue = {"name": "Out", "type": 4, "team": draw(st.sampled_from((None, None, *TEAMS))), "skills": queue_skills,
             "payload": {"max_attempts": draw(st.integers(0, 3)),
                         "wait_between_retries": draw(st.sampled_from((0, 30)))},
             "buckets": [{"bucket": b, "priority": draw(st.integers(0, 5)), "disabled": draw(st.booleans())}
                         for b in draw(st.lists(st.sampled_from(BUCKETS), unique=True))],
             "members": members}
    if queue["team"] is None:
        del queue["team"]
    return {"domains": [{"name": "acme", "admin": {"token": "acme-token"},
                         "licenses": [{"id": "cc", "product": "CALL_CENTER", "limit": 10}],
                         "teams": [{"name": t, "strategy": draw(st.sampled_from(("top-down", "longest-idle-agent",
                                                                                 "round-robin")))} for t in TEAMS],
                         "skills": [{"name": s} for s in SKILLS], "buckets": [{"name": b} for b in BUCKETS],
                         "queues": [queue], "users": users}]}


def eligible(domain: Domain, agent_id: int, member_id: int) -> bool:
    """Plainly: may the dialer offer this member to this agent?"""
    agent = domain.store(Agents).rows[agent_id]
    member = domain.store(Members).rows[member_id]
    queue = domain.store(Queues).rows[member.queue_id]
    if queue.team_id is not None and agent.team_id != queue.team_id:
        return False
    if member.agent_id is not None and member.agent_id != agent_id:
        return False
    rows = domain.store(AgentSkills).of(agent_id).values()
    for qs in domain.store(QueueSkills).of(queue.id):
        if not qs.enabled or (member.skill_id is not None and qs.skill_id != member.skill_id):
            continue
        if qs.bucket_ids and (member.bucket_id or 0) not in qs.bucket_ids:
            continue
        if any(r.enabled and r.skill_id == qs.skill_id and qs.min_capacity <= (r.capacity or 0) <= qs.max_capacity
               for r in rows):
            return True
    return False


def free(domain: Domain, agent_id: int) -> bool:
    agent = domain.store(Agents).rows[agent_id]
    return agent.status == "online" and agent.channel_state == "waiting" and agent.call_id is None


def ready(domain: Domain, member_id: int, now: int) -> bool:
    member = domain.store(Members).rows[member_id]
    row = domain.store(QueueBuckets).of(member.queue_id, member.bucket_id)
    return (not member.stop_cause and member.attempt_id is None and member.ready_at <= now
            and (row is None or not row.disabled) and any(not c.stop_at for c in member.communications))


def check(domain: Domain) -> None:
    board, members = domain.store(Switchboard), domain.store(Members)
    live: dict[int, Call] = {}
    for call_id in board.live:
        call = board.calls[call_id]
        if call.member_id is None:
            continue
        assert call.member_id not in live, f"member {call.member_id} has two attempts in progress"
        live[call.member_id] = call
        assert call.agent_id is not None, (call, "a member's attempt is offered to an agent")
        assert eligible(domain, call.agent_id, call.member_id), (call, "offered to an agent not eligible")
        assert domain.store(Agents).rows[call.agent_id].call_id == call.id
    now = domain.now()
    for member in members:
        attempt = live.get(member.id)
        assert member.attempt_id == (attempt.id if attempt else None)
        over = [board.calls[i] for i in board.of_member.get(member.id, ()) if board.calls[i].state == CALL_ENDED]
        assert member.attempts == len(over)
        if ready(domain, member.id, now):
            waiting_for = [a.id for a in domain.store(Agents) if free(domain, a.id) and eligible(domain, a.id,
                                                                                                   member.id)]
            assert not waiting_for, f"member {member.id} waits while agents {waiting_for} are free and eligible"


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(doc=campaigns(), steps=st.lists(st.tuples(st.sampled_from(("answer", "miss", "hangup", "pause", "online",
                                                                  "clock")), st.integers(0, 20)), max_size=25))
def test_the_dialer_offers_members_only_to_eligible_free_agents_and_leaves_none_behind(doc, steps):
    handle = in_process(doc)
    try:
        domain = handle.app.extensions["webitel_emulator"].world.domains[1]
        board = domain.store(Switchboard)
        check(domain)
        for verb, pick in steps:
            offered = sorted(i for i in board.live if board.calls[i].state == CALL_OFFERING)
            active = sorted(i for i in board.live if board.calls[i].state != CALL_OFFERING)
            agents = sorted(a.id for a in domain.store(Agents))
            if verb == "answer" and offered:
                handle.answer(offered[pick % len(offered)])
            elif verb == "miss" and offered:
                handle.miss(offered[pick % len(offered)])
            elif verb == "hangup" and (offered or active):
                pool = active or offered
                handle.hangup(pool[pick % len(pool)])
            elif verb in ("pause", "online"):
                with handle.api_client("acme-token") as api:
                    api.patch(f"/call_center/agents/{agents[pick % len(agents)]}/status", json={"status": verb})
            elif verb == "clock":
                handle.advance_clock(pick * 3)
            with handle.app.extensions["webitel_emulator"].backend.lock:
                board.catch_up()
                check(domain)
        made = sum(1 for c in board.calls.values() if c.member_id is not None)
        event(f"attempts made: {'none' if not made else 'a few' if made < 4 else 'several'}")
    finally:
        handle.close()
