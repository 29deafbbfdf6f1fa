"""Buckets (engine ``BucketService``) and a queue's buckets (``QueueBucketService``):
store/sqlstore/cc_bucket_store.go, cc_bucket_in_queue_store.go, the FKs of ``cc_bucket``."""

from __future__ import annotations

from contract_tests.call_center.conftest import CC, ok, refused
from contract_tests.target import Target


def test_a_bucket_is_created_read_listed_replaced_and_deleted(api, cc):
    bucket = cc.bucket(description="first callers")
    assert set(bucket) == {"id", "name", "description"}
    assert ok(api.get(f"{CC}/buckets/{bucket['id']}")) == bucket
    assert ok(api.get(f"{CC}/buckets", params={"id": bucket["id"]}))["items"] == [bucket]
    assert ok(api.get(f"{CC}/buckets", params={"q": "first*"}))["items"][0]["id"] == bucket["id"]
    name = Target.unique("bucket ")
    assert ok(api.put(f"{CC}/buckets/{bucket['id']}", json={"name": name})) == {"id": bucket["id"], "name": name}
    assert ok(api.delete(f"{CC}/buckets/{bucket['id']}"))["id"] == bucket["id"]
    refused(api.get(f"{CC}/buckets/{bucket['id']}"), 404, "store.sql_bucket.get.app_error")


def test_missing_buckets(api):
    refused(api.get(f"{CC}/buckets/999999"), 404, "store.sql_bucket.get.app_error")
    refused(api.put(f"{CC}/buckets/999999", json={"name": "x"}), 404, "store.sql_bucket.get.app_error")
    refused(api.delete(f"{CC}/buckets/999999"), 404, "store.sql_bucket.get.app_error")
    refused(api.put(f"{CC}/buckets/x", json={"name": "x"}), 400, "api.process.bad_args")


def test_a_queue_serves_buckets_once_each(api, cc):
    queue, vip, rest = cc.queue(type=4), cc.bucket(name=Target.unique("a vip ")), cc.bucket(name=Target.unique("b "))
    path = f"{CC}/queues/{queue['id']}/buckets"
    first = ok(api.post(path, json={"bucket": {"id": vip["id"]}, "priority": 10, "ratio": 70}))
    assert first == {"id": first["id"], "bucket": {"id": vip["id"], "name": vip["name"]}, "priority": 10,
                     "ratio": 70}
    refused(api.post(path, json={"bucket": {"id": vip["id"]}}), 400, "store.sql_queue_bucket.save.app_error")
    second = ok(api.post(path, json={"bucket": {"id": rest["id"]}, "disabled": True}))
    # Ordered by the bucket's name (QueueBucket.DefaultOrder "bucket_name").
    assert [r["id"] for r in ok(api.get(path))["items"]] == [first["id"], second["id"]]
    assert ok(api.get(path, params={"q": "b *"}))["items"] == [second]

    patched = ok(api.patch(f"{path}/{first['id']}", json={"ratio": 30}))
    assert (patched["ratio"], patched["priority"]) == (30, 10)  # PATCH: only what is sent
    replaced = ok(api.put(f"{path}/{first['id']}", json={"bucket": {"id": vip["id"]}}))
    assert "ratio" not in replaced and "priority" not in replaced  # PUT: every attribute
    refused(api.put(f"{path}/{first['id']}", json={"bucket": {"id": rest["id"]}}), 400,
            "store.sql_queue_bucket.update.app_error")
    assert ok(api.get(f"{path}/{second['id']}")) == second
    assert ok(api.delete(f"{path}/{second['id']}")) == second
    refused(api.get(f"{path}/{second['id']}"), 404, "store.sql_queue_bucket.get.app_error")


def test_a_queue_bucket_refers_to_a_bucket_and_a_queue_that_exist(api, cc):
    queue, bucket = cc.queue(type=4), cc.bucket()
    refused(api.post(f"{CC}/queues/{queue['id']}/buckets", json={"bucket": {"id": "999999"}}), 400,
            "store.sql_queue_bucket.save.app_error")
    refused(api.post(f"{CC}/queues/999999/buckets", json={"bucket": {"id": bucket["id"]}}), 400,
            "store.sql_queue_bucket.save.app_error")
    other = cc.queue(type=4)
    row = ok(api.post(f"{CC}/queues/{queue['id']}/buckets", json={"bucket": {"id": bucket["id"]}}))
    refused(api.get(f"{CC}/queues/{other['id']}/buckets/{row['id']}"), 404, "store.sql_queue_bucket.get.app_error")


def test_a_bucket_still_used_cannot_be_deleted(api, cc):
    queue, bucket = cc.queue(type=4), cc.bucket()
    row = ok(api.post(f"{CC}/queues/{queue['id']}/buckets", json={"bucket": {"id": bucket["id"]}}))
    refused(api.delete(f"{CC}/buckets/{bucket['id']}"), 400, "store.sql_bucket.delete.app_error")
    ok(api.delete(f"{CC}/queues/{queue['id']}/buckets/{row['id']}"))
    cc.member(queue, bucket={"id": bucket["id"]})
    refused(api.delete(f"{CC}/buckets/{bucket['id']}"), 400, "store.sql_bucket.delete.app_error")


def test_a_queue_skill_names_its_buckets(api, cc):
    queue, bucket, skill = cc.queue(), cc.bucket(), cc.skill()
    row = cc.queue_skill(queue, skill, buckets=[{"id": bucket["id"]}])
    assert row["buckets"] == [{"id": bucket["id"], "name": bucket["name"]}]
