"""A queue's members (engine ``MemberService``): model/cc_member.go ``IsValid`` / ``Patch``,
app/cc_member.go (members only in queues that are not inbound), store/sqlstore/cc_member_store.go
(reset, delete), and the emulator's choices (docs/call-center.md)."""

from __future__ import annotations

import base64
import random

import pytest

from contract_tests.call_center.conftest import CC, COMMUNICATION_TYPE, ok, refused


def number() -> str:
    return "+1555" + "".join(random.choice("0123456789") for _ in range(7))


def comm(destination: str | None = None, **fields) -> dict:
    return {"destination": destination or number(), "type": {"id": COMMUNICATION_TYPE}, **fields}


@pytest.fixture
def outbound(cc):
    return cc.queue(type=4)


def test_a_member_is_created_read_replaced_patched_and_deleted(api, cc, outbound):
    bucket, skill = cc.bucket(), cc.skill()
    path = f"{CC}/queues/{outbound['id']}/members"
    member = ok(api.post(path, json={"name": "Ann", "priority": 5, "variables": {"crm": "42"},
                                     "communications": [comm(" +15550001 ", priority=2), comm()],
                                     "bucket": {"id": bucket["id"]}, "skill": {"id": skill["id"]},
                                     "min_offering_at": "1900000000000"}))
    assert member["queue"] == {"id": outbound["id"], "name": outbound["name"]}
    assert (member["name"], member["priority"], member["variables"]) == ("Ann", 5, {"crm": "42"})
    assert member["communications"][0]["destination"] == "+15550001"  # trimmed
    assert member["bucket"] == {"id": bucket["id"], "name": bucket["name"]}
    assert member["skill"] == {"id": skill["id"], "name": skill["name"]}
    assert member["min_offering_at"] == "1900000000000" and "stop_cause" not in member
    assert ok(api.get(f"{path}/{member['id']}")) == member

    patched = ok(api.patch(f"{path}/{member['id']}", json={"priority": 9, "variables": {"crm": "", "x": "1"}}))
    assert patched["priority"] == 9 and patched["variables"] == {"x": "1"}  # "" deletes a variable
    assert patched["name"] == "Ann" and patched["bucket"] == member["bucket"]
    one = ok(api.patch(f"{CC}/members/{member['id']}", json={"name": "Anna"}))
    assert one["name"] == "Anna" and one["priority"] == 9

    replaced = ok(api.put(f"{path}/{member['id']}", json={"name": "Bo", "communications": [comm()]}))
    assert "bucket" not in replaced and "priority" not in replaced and "variables" not in replaced
    assert ok(api.delete(f"{path}/{member['id']}"))["id"] == member["id"]
    refused(api.get(f"{path}/{member['id']}"), 404, "store.sql_member.get.app_error")


def test_an_inbound_queue_has_no_members(api, cc):
    refused(api.post(f"{CC}/queues/{cc.queue(type=1)['id']}/members", json={"communications": [comm()]}), 400,
            "app.member.valid.queue")
    refused(api.post(f"{CC}/queues/999999/members", json={"communications": [comm()]}), 404,
            "store.sql_queue.get.app_error")


@pytest.mark.parametrize(("body", "error_id"), [
    ({"communications": [comm() for _ in range(21)]}, "model.member.is_valid.communications.app_error"),
    ({"communications": [{"destination": "+15550001"}]}, "model.member.is_valid.communications.type.app_error"),
    ({"communications": [comm()], "bucket": {"id": "999999"}}, "store.sql_member.save.app_error"),
    ({"communications": [comm()], "skill": {"id": "999999"}}, "store.sql_member.save.app_error"),
    ({"communications": [comm()], "agent": {"id": "999999"}}, "store.sql_member.save.app_error"),
    ({"communications": [comm()], "timezone": {"id": "999999"}}, "store.sql_member.save.app_error"),
])
def test_a_member_webitel_finds_invalid_is_refused(api, outbound, body, error_id):
    refused(api.post(f"{CC}/queues/{outbound['id']}/members", json=body), 400, error_id)


def test_bulk_members_are_made_all_or_none(api, cc, outbound):
    path = f"{CC}/queues/{outbound['id']}/members"
    made = ok(api.post(f"{path}/bulk", json={"items": [{"name": "a", "communications": [comm()]},
                                                       {"name": "b", "communications": [comm()]}]}))
    assert len(made["ids"]) == 2
    names = {m["name"] for m in ok(api.get(path))["items"]}
    assert names == {"a", "b"}
    bad = [{"name": "c", "communications": [comm()]}, {"name": "d", "communications": [comm()],
                                                       "bucket": {"id": "999999"}}]
    refused(api.post(f"{path}/bulk", json={"items": bad}), 400, "store.sql_member.bulk_save.app_error")
    refused(api.post(f"{path}/bulk", json={"items": bad[:1], "file_name": "x" * 121}), 400,
            "app.member.valid.file_name")
    assert ok(api.post(f"{path}/bulk", json={"items": []})) == {}
    assert len(ok(api.get(path))["items"]) == 2


def test_members_are_listed_by_the_engines_filters(api, cc, outbound):
    path = f"{CC}/queues/{outbound['id']}/members"
    bucket = cc.bucket()
    first = cc.member(outbound, "+15550101", priority=1)
    second = cc.member(outbound, "+15550202", priority=7, bucket={"id": bucket["id"]}, variables={"k": "v"})
    assert [m["id"] for m in ok(api.get(path))["items"]] == [second["id"], first["id"]]  # newest first ("-id")
    assert [m["id"] for m in ok(api.get(path, params={"sort": "priority"}))["items"]] == [first["id"], second["id"]]
    assert ok(api.get(path, params={"bucket_id": bucket["id"]}))["items"] == [second]
    assert ok(api.get(path, params={"destination": "+1555010*"}))["items"] == [first]
    assert ok(api.get(path, params={"priority.from": 5}))["items"] == [second]
    assert ok(api.get(path, params={"q": second["name"]}))["items"] == [second]
    everywhere = ok(api.get(f"{CC}/members", params={"queue_id": outbound["id"], "id": first["id"]}))["items"]
    assert everywhere == [first]


def test_members_are_deleted_by_filters(api, cc, outbound):
    path = f"{CC}/queues/{outbound['id']}/members"
    a, b, c = (cc.member(outbound, priority=p) for p in (1, 2, 3))
    gone = ok(api.request("DELETE", path, json={"id": [a["id"]]}))["items"]
    assert [m["id"] for m in gone] == [a["id"]]
    assert ok(api.request("DELETE", path, json={"id": [b["id"]], "without_members": True})) == {}
    assert [m["id"] for m in ok(api.get(path))["items"]] == [c["id"]]
    everywhere = ok(api.request("DELETE", f"{CC}/queues/members", json={"queue_id": [outbound["id"]]}))["items"]
    assert [m["id"] for m in everywhere] == [c["id"]]


def test_stopped_members_are_reset(api, cc, outbound):
    path = f"{CC}/queues/{outbound['id']}/members"
    failed = cc.member(outbound)
    done = cc.member(outbound)
    ok(api.patch(f"{path}/{failed['id']}", json={"stop_cause": "abandoned", "attempts": 3}))
    ok(api.patch(f"{path}/{done['id']}", json={"stop_cause": "success"}))
    assert ok(api.get(f"{path}/reset/count")) == {"count": "1"}  # "success" is final: never reset
    assert ok(api.patch(f"{path}/reset", json={})) == {"count": "1"}
    again = ok(api.get(f"{path}/{failed['id']}"))
    assert "stop_cause" not in again and "attempts" not in again
    assert ok(api.get(f"{path}/reset/count")) == {}
    refused(api.patch(f"{CC}/queues/999999/members/reset", json={}), 404, "store.sql_queue.get.app_error")


def test_a_member_patched_with_no_stop_cause_starts_over(api, cc, outbound):
    path = f"{CC}/queues/{outbound['id']}/members"
    member = cc.member(outbound)
    stopped = ok(api.patch(f"{path}/{member['id']}", json={"stop_cause": "abandoned", "attempts": 2}))
    assert (stopped["stop_cause"], stopped["attempts"]) == ("abandoned", 2)
    fresh = ok(api.patch(f"{path}/{member['id']}", json={"stop_cause": ""}))
    assert "stop_cause" not in fresh and "attempts" not in fresh


def test_members_are_exported_as_csv(api, cc, outbound):
    cc.member(outbound, "+15550303", name="Ann")
    answer = ok(api.get(f"{CC}/queues/{outbound['id']}/members/export", params={"separator": ";"}))
    lines = base64.b64decode(answer["result"]["data"]).decode().splitlines()
    assert lines[0].startswith("id;name;priority;destination")
    assert lines[1].split(";")[1:4] == ["Ann", "0", "+15550303"]
    refused(api.get(f"{CC}/queues/{outbound['id']}/members/export", params={"format": "xlsx"}), 400,
            "app.member.export.valid.format")


def test_a_missing_member(api, outbound):
    path = f"{CC}/queues/{outbound['id']}/members/999999"
    refused(api.get(path), 404, "store.sql_member.get.app_error")
    refused(api.put(path, json={"communications": [comm()]}), 404, "store.sql_member.get.app_error")
    refused(api.patch(path, json={"name": "x"}), 404, "store.sql_member.get.app_error")
    refused(api.delete(path), 404, "store.sql_member.get.app_error")
    refused(api.patch(f"{CC}/members/999999", json={"name": "x"}), 400, "store.sql_member.get_queue.not_found")
