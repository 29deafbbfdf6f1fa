"""HTTP face of the call center: the engine's REST paths under ``/api/call_center``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import wraps

from flask import Blueprint, request

from .. import wire
from ..errors import bad_args
from ..http import answer, endpoint, engine_page, json_body, one, patch_fields, path_id
from .serialize import Wire

bp = Blueprint("call_center", __name__, url_prefix="/api/call_center")
ENGINE_PAGE_SIZE = 40  # webitel/engine model/search_list.go


def cc_endpoint(rules: str | tuple[str, ...], methods: Sequence[str], *, permission: str,
                self_service: bool = False) -> Callable:
    """An engine view: the domain's call center brought to the clock's time before it runs."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def run(session, domain, **kwargs):
            domain.call_center.catch_up()
            return view(session, domain, **kwargs)

        endpoint(bp, rules, methods, permission=permission, self_service=self_service)(run)
        return view

    return decorate


def _query() -> wire.ListQuery:
    return wire.ListQuery.parse(request.args, default_size=ENGINE_PAGE_SIZE)


def _fields(body: dict) -> tuple[str, ...] | None:
    """None for PUT (every attribute), the changed attributes for PATCH."""
    return patch_fields(body) if request.method == "PATCH" else None


# -- teams, skills, queues: the same five operations on a record kept whole -----------------------
def _records(kind: str, plural: str, *, permission: str, patch: bool) -> None:
    """Register search, create, read, update (PUT, and PATCH when ``patch``) and delete of ``/{plural}``,
    calling the call center's ``search_{plural}``, ``save_{kind}``, ``get_{kind}``, ``delete_{kind}``
    and writing each answer with ``Wire.{kind}``."""

    def wire_of(cc):
        return getattr(Wire(cc), kind)

    def save(session, domain, record_id):
        cc, body = domain.call_center, json_body(kind)
        fields = {"fields": _fields(body)} if patch else {}
        return one(wire_of(cc)(getattr(cc, f"save_{kind}")(record_id, body, session.user_id, **fields)))

    def search(session, domain):
        query, cc = _query(), domain.call_center
        return engine_page(*getattr(cc, f"search_{plural}")(request.args, query, wire_of(cc)), query)

    def create(session, domain):
        return save(session, domain, None)

    def read(session, domain, id):
        cc = domain.call_center
        return one(wire_of(cc)(getattr(cc, f"get_{kind}")(path_id(id))))

    def update(session, domain, id):
        return save(session, domain, path_id(id))

    def delete(session, domain, id):
        cc = domain.call_center
        return answer(wire_of(cc)(getattr(cc, f"delete_{kind}")(path_id(id))))

    routes = ((search, "", ["GET"]), (create, "", ["POST"]), (read, "/<id>", ["GET"]),
              (update, "/<id>", ["PUT", "PATCH"] if patch else ["PUT"]), (delete, "/<id>", ["DELETE"]))
    for view, suffix, methods in routes:
        view.__name__ = f"{view.__name__}_{kind}"  # a distinct Flask endpoint per record kind
        cc_endpoint(f"/{plural}{suffix}", methods, permission=permission)(view)


_records("team", "teams", permission="cc_team", patch=False)
_records("skill", "skills", permission="dictionaries", patch=False)
_records("queue", "queues", permission="cc_queue", patch=True)


# -- a skill's agents -------------------------------------------------------------------------
def _ids(source, name: str) -> list[int]:
    """Ids from the query (repeated, indexed or comma forms) or from a JSON body's list."""
    value = source.get(name) if isinstance(source, dict) else None
    if isinstance(value, list):
        return [wire.parse_int64(v, name) for v in value]
    return wire.multi_int(source, name)


def _skill_rows(cc, skill_id: int, source) -> list:
    return cc.select_rows(skill_id=skill_id, ids=_ids(source, "id"), agent_ids=_ids(source, "agent_id"),
                          q=source.get("q") or None)


@cc_endpoint("/skills/<skill_id>/agents", ["GET"], permission="cc_agent")
def search_skill_agents(session, domain, skill_id):
    cc, query = domain.call_center, _query()
    rows = _skill_rows(cc, path_id(skill_id, "skill_id"), request.args)
    page, has_next = wire.page_of([Wire(cc).skill_agent_item(r) for r in rows], query)
    # aggs.enabled: no row of the selection is disabled (grpc_api/cc_skill.go SearchSkillAgent).
    return engine_page(page, has_next, query, aggs=wire.compact({"enabled": all(r.enabled for r in rows)}))


@cc_endpoint("/skills/<skill_id>/agents", ["POST"], permission="cc_agent")
def add_skill_agents(session, domain, skill_id):
    cc, body = domain.call_center, json_body()
    sid = path_id(skill_id, "skill_id")
    agent_ids = wire.ref_list(body.get("agent"), "agent")
    row = {"skill": {"id": sid}, "capacity": body.get("capacity"), "enabled": body.get("enabled")}
    rows = cc.add_rows(agent_ids, [row] * len(agent_ids), session.user_id)
    return answer(wire.compact({"items": [Wire(cc).skill_agent_item(r) for r in rows]}))


@cc_endpoint("/skills/<skill_id>/agents", ["PATCH"], permission="cc_agent")
def patch_skill_agents(session, domain, skill_id):
    cc, body = domain.call_center, json_body()
    rows = cc.patch_rows(_skill_rows(cc, path_id(skill_id, "skill_id"), body), body, session.user_id,
                         patch_fields(body))
    return answer(wire.compact({"items": [Wire(cc).skill_agent_item(r) for r in rows]}))


@cc_endpoint("/skills/<skill_id>/agents", ["DELETE"], permission="cc_agent")
def delete_skill_agents(session, domain, skill_id):
    cc, body = domain.call_center, json_body()
    rows = cc.delete_rows(_skill_rows(cc, path_id(skill_id, "skill_id"), body or request.args))
    return answer(wire.compact({"items": [Wire(cc).skill_agent_item(r) for r in rows]}))


# -- agents -----------------------------------------------------------------------------------
@cc_endpoint("/agents", ["GET"], permission="cc_agent")
def search_agents(session, domain):
    query = _query()
    cc = domain.call_center
    return engine_page(*cc.search_agents(request.args, query, Wire(cc).agent), query)


@cc_endpoint("/agents", ["POST"], permission="cc_agent")
def create_agent(session, domain):
    cc = domain.call_center
    return one(Wire(cc).agent(cc.create_agent(json_body("agent"), session.user_id)))


@cc_endpoint("/agents/<id>", ["GET"], permission="cc_agent")
def read_agent(session, domain, id):
    cc = domain.call_center
    return one(Wire(cc).agent(cc.get_agent(path_id(id))))


@cc_endpoint("/agents/<id>", ["PUT", "PATCH"], permission="cc_agent")
def update_agent(session, domain, id):
    cc, body = domain.call_center, json_body("agent")
    return one(Wire(cc).agent(cc.update_agent(path_id(id), body, session.user_id, fields=_fields(body))))


@cc_endpoint("/agents/<id>", ["DELETE"], permission="cc_agent")
def delete_agent(session, domain, id):
    cc = domain.call_center
    return answer(Wire(cc).agent(cc.delete_agent(path_id(id))))


@cc_endpoint("/agents/<id>/status", ["PATCH"], permission="cc_agent", self_service=True)
def agent_status(session, domain, id):
    domain.call_center.set_agent_status(path_id(id), json_body(), user_id=session.user_id, admin=session.root)
    return answer({"status": "OK"})  # engine.Response (grpc_api ResponseOk)


@cc_endpoint("/lookups/agents/users", ["GET"], permission="cc_agent")
def users_not_agents(session, domain):
    query = _query()
    return engine_page(*domain.call_center.users_not_agents(query), query)


@cc_endpoint("/lookups/agents/skills/<agent_id>", ["GET"], permission="cc_agent")
def skills_not_on_agent(session, domain, agent_id):
    query = _query()
    cc = domain.call_center
    return engine_page(*cc.search_skills({}, query, Wire.skill_lookup,
                                         exclude_agent=path_id(agent_id, "agent_id")), query)


# -- an agent's skills ------------------------------------------------------------------------
@cc_endpoint("/agents/<agent_id>/skills", ["GET"], permission="cc_agent")
def search_agent_skills(session, domain, agent_id):
    cc, query = domain.call_center, _query()
    rows = cc.select_rows(agent_id=path_id(agent_id, "agent_id"), ids=wire.multi_int(request.args, "id"),
                          skill_ids=wire.multi_int(request.args, "skill_id"), q=query.q)
    items = [Wire(cc).agent_skill_item(r) for r in rows]
    # AgentSkill.DefaultOrder is the skill's name.
    page, has_next = wire.page_of(items, query, default_sort=lambda r: (r["skill"].get("name", "").casefold(),
                                                                        int(r["id"])))
    return engine_page(page, has_next, query)


@cc_endpoint("/agents/<agent_id>/skills", ["POST"], permission="cc_agent")
def add_agent_skill(session, domain, agent_id):
    cc = domain.call_center
    [row] = cc.add_rows([path_id(agent_id, "agent_id")], [json_body()], session.user_id)
    return one(Wire(cc).agent_skill(row))


@cc_endpoint("/agents/<agent_id>/skills/bulk", ["POST"], permission="cc_agent")
def add_agent_skills(session, domain, agent_id):
    cc, body = domain.call_center, json_body()
    items = body.get("items") or []
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise bad_args("items: expected a list of agent skills")
    rows = cc.add_rows([path_id(agent_id, "agent_id")] * len(items), items, session.user_id)
    return answer(wire.compact({"ids": [str(r.id) for r in rows]}))


def _agent_rows(cc, agent_id: int, source) -> list:
    return cc.select_rows(agent_id=agent_id, ids=_ids(source, "id"), skill_ids=_ids(source, "skill_id"))


@cc_endpoint("/agents/<agent_id>/skills", ["PATCH"], permission="cc_agent")
def patch_agent_skills(session, domain, agent_id):
    cc, body = domain.call_center, json_body()
    rows = cc.patch_rows(_agent_rows(cc, path_id(agent_id, "agent_id"), body), body, session.user_id,
                         patch_fields(body))
    return answer(wire.compact({"items": [Wire(cc).agent_skill_item(r) for r in rows]}))


@cc_endpoint("/agents/<agent_id>/skills", ["DELETE"], permission="cc_agent")
def delete_agent_skills(session, domain, agent_id):
    cc = domain.call_center
    rows = cc.delete_rows(_agent_rows(cc, path_id(agent_id, "agent_id"), request.args))
    return answer(wire.compact({"items": [Wire(cc).agent_skill_item(r) for r in rows]}))


@cc_endpoint("/agents/<agent_id>/skills/<id>", ["GET"], permission="cc_agent")
def read_agent_skill(session, domain, agent_id, id):
    cc = domain.call_center
    return one(Wire(cc).agent_skill(cc.get_row(path_id(agent_id, "agent_id"), path_id(id))))


@cc_endpoint("/agents/<agent_id>/skills/<id>", ["PUT", "PATCH"], permission="cc_agent")
def update_agent_skill(session, domain, agent_id, id):
    cc, body = domain.call_center, json_body()
    row = cc.update_row(path_id(agent_id, "agent_id"), path_id(id), body, session.user_id, fields=_fields(body))
    return one(Wire(cc).agent_skill(row))


@cc_endpoint("/agents/<agent_id>/skills/<id>", ["DELETE"], permission="cc_agent")
def delete_agent_skill(session, domain, agent_id, id):
    cc = domain.call_center
    [row] = cc.delete_rows([cc.get_row(path_id(agent_id, "agent_id"), path_id(id))])
    return answer(Wire(cc).agent_skill(row))


# -- queue skills ---------------------------------------------------------------------------
@cc_endpoint("/queues/<queue_id>/skills", ["GET"], permission="cc_queue")
def search_queue_skills(session, domain, queue_id):
    query = _query()
    cc = domain.call_center
    return engine_page(*cc.search_queue_skills(path_id(queue_id, "queue_id"), request.args, query,
                                               Wire(cc).queue_skill), query)


@cc_endpoint("/queues/<queue_id>/skills", ["POST"], permission="cc_queue")
def create_queue_skill(session, domain, queue_id):
    cc = domain.call_center
    return one(Wire(cc).queue_skill(cc.save_queue_skill(path_id(queue_id, "queue_id"), None, json_body(),
                                                        fields=None)))


@cc_endpoint("/queues/<queue_id>/skills/<id>", ["GET"], permission="cc_queue")
def read_queue_skill(session, domain, queue_id, id):
    cc = domain.call_center
    return one(Wire(cc).queue_skill(cc.get_queue_skill(path_id(queue_id, "queue_id"), path_id(id))))


@cc_endpoint("/queues/<queue_id>/skills/<id>", ["PUT", "PATCH"], permission="cc_queue")
def update_queue_skill(session, domain, queue_id, id):
    cc, body = domain.call_center, json_body()
    qs = cc.save_queue_skill(path_id(queue_id, "queue_id"), path_id(id), body, fields=_fields(body))
    return one(Wire(cc).queue_skill(qs))


@cc_endpoint("/queues/<queue_id>/skills/<id>", ["DELETE"], permission="cc_queue")
def delete_queue_skill(session, domain, queue_id, id):
    cc = domain.call_center
    return answer(Wire(cc).queue_skill(cc.delete_queue_skill(path_id(queue_id, "queue_id"), path_id(id))))
