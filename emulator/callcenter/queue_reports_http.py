"""HTTP face of the engine's ``QueueService``, beyond the queue records (``queues_http.py``):
the general queue report, the queues' global on/off switch and their tags. The report's figures
come from the simulation's calls; ``queue_load`` (``agent_reports_http.py``) gives the members and
agents of a queue now.

The report over the calls that joined a queue within ``joined_at`` (unix ms): ``count`` calls,
``processed`` (answered), ``abandoned`` (ended unanswered), ``missed`` (offers that rang out),
``attempts`` (offers made), ``transferred``, ``waiting`` now, ``sum_bill_sec``, ``avg_awt_sec``
(wait of every call until answered or ended), ``avg_asa_sec`` (wait of the answered ones),
``avg_aht_sec`` (talk and hold of the answered ones plus the team's wrap-up), ``avg_wrap_sec``,
``bridged`` (% answered), ``sl20`` / ``sl30`` (% answered within 20 / 30 s)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..api.request import Call as Request
from ..api.service import listing
from ..errors import bad_request
from ..store import any_ilike, paginate
from .agent_reports_http import queue_load
from .base import ENGINE_PAGE_SIZE
from .calls import CALL_ENDED, Call, Switchboard
from .members_http import ref
from .queues import Queue, Queues
from .queues_http import api
from .ranges import between
from .teams import Teams

E_REPORT_JOINED = "grpc.queue.report.general"


def _avg(values: list[float]) -> float:
    return round(sum(values) / len(values), 2) if values else 0.0


def _share(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 2) if whole else 0.0


def queue_report(domain: Any, queue: Queue, calls: Iterable[Call], now: int) -> dict[str, Any]:
    """The general report's row of one queue over the calls that joined it in the range."""
    mine = [c for c in calls if c.queue_id == queue.id]
    answered = [c for c in mine if c.answered_at]
    ended_unanswered = [c for c in mine if c.state == CALL_ENDED and not c.answered_at]
    wrap = domain.store(Teams).setting(queue.team_id, "wrap_up_time")
    waits = [float(((c.answered_at or c.ended_at or now) - c.created_at) // 1000) for c in mine]
    answer_waits = [float((c.answered_at - c.created_at) // 1000) for c in answered]
    talks = [float(((c.ended_at or now) - c.answered_at) // 1000) for c in answered]  # whole seconds, as bill_sec
    load = queue_load(domain, queue)
    team = domain.store(Teams).find(queue.team_id)
    return {"queue": ref(queue.name, queue.id), "team": ref(team.name if team else None, queue.team_id),
            "agent_status": load["agents"], "missed": sum(len(c.missed_by) for c in mine),
            "processed": len(answered), "waiting": load["waiting"], "count": len(mine),
            "transferred": sum(1 for c in mine if c.transfer_to), "abandoned": len(ended_unanswered),
            "attempts": sum(c.offers for c in mine), "sum_bill_sec": float(sum(talks)),
            "avg_wrap_sec": float(wrap) if answered else 0.0, "avg_awt_sec": _avg(waits),
            "avg_asa_sec": _avg(answer_waits), "avg_aht_sec": _avg([t + wrap for t in talks]),
            "bridged": _share(len(answered), len(mine)),
            "sl20": _share(sum(1 for w in answer_waits if w <= 20), len(mine)),
            "sl30": _share(sum(1 for w in answer_waits if w <= 30), len(mine))}


def _queues(call: Request, q: str | None) -> list[Queue]:
    args = call.query
    return call.store(Queues).search(ids=call.ids("id") if "id" in args else (), types=call.ids("type"),
                                     teams=call.ids("team_id"), tags=args.get("tags", []), q=q)


@api.operation("SearchQueueReportGeneral")
def report_general(call: Request) -> dict:
    bounds = between(call.query, "joined_at")
    if bounds is None:
        raise bad_request(E_REPORT_JOINED, "filter joined_at is required")
    query, now = call.list_query(ENGINE_PAGE_SIZE), call.domain.now()
    start, end = bounds[0], bounds[1] or now
    wanted = set(call.ids("queue_id"))
    board = call.store(Switchboard)
    joined = [c for c in board.calls.values() if c.queue_id is not None and start <= c.created_at <= end]
    queues = [q for q in _queues(call, query.q) if not wanted or q.id in wanted]
    rows = {q.id: queue_report(call.domain, q, joined, now) for q in queues}
    totals = {k: sum(r["agent_status"][k] for r in rows.values())
              for k in ("online", "pause", "offline", "free", "total", "busy")}
    return listing(call, query, paginate(queues, query, lambda q: rows[q.id]), aggs=totals)


@api.operation("GetQueuesGlobalState")
def global_state(call: Request) -> dict:
    rows = _queues(call, call.query.get("q"))
    return {"is_all_enabled": bool(rows) and all(q.enabled for q in rows), "potential_rows": len(rows)}


@api.operation("SetQueuesGlobalState")
def set_global_state(call: Request) -> dict:
    """Every queue the filters pick is switched on or off; ``count``: how many changed."""
    body, queues = call.body, call.store(Queues)
    enabled = body.get("enabled", False)
    ids = {int(i) if str(i).isdigit() else -1 for i in body.get("id", [])}  # a malformed id names no queue
    picked = queues.search(ids=ids if body.get("id") else (), types=body.get("type", []),
                           teams=body.get("team_id", []), tags=body.get("tags", []), q=body.get("q") or None)
    changed = [q for q in picked if q.enabled != enabled]
    for queue in changed:
        queues.update(queue.id, actor=call.user_id, enabled=enabled)
    return {"count": len(changed)}


@api.operation("SearchQueueTags")
def tags(call: Request) -> dict:
    query = call.list_query(ENGINE_PAGE_SIZE)
    names = sorted({t for q in call.store(Queues) for t in q.tags if any_ilike(query.q, t)}, key=str.casefold)
    return listing(call, query, paginate(names, query, lambda name: {"name": name}))
