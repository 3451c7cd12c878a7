"""Celery end to end: a real prefork worker whose broker and result backend are the server under test.

See README.md for what each test exercises on the server side. In short (from a
MONITOR of one run against Redis 7.0.15): LPUSH/RPUSH, BRPOP on three priority
sub-queues with a 1 s timeout, LLEN; MULTI/EXEC pipelines of ZADD/HSET (deliver)
and ZREM/HDEL (ack) on `unacked_index`/`unacked`; SETEX + PUBLISH of results and
SUBSCRIBE/UNSUBSCRIBE per pending result (RESP3); PUBLISH/PSUBSCRIBE for events
and the pidbox; SET NX PX lock, ZRANGE BYSCORE REV LIMIT WITHSCORES and
WATCH/MULTI/EXEC to restore unacked messages; EVALSHA/SCRIPT LOAD of kombu's
binding scripts, redis-py's lock release and Celery's chord scripts.
"""

import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid

import pytest
from celery import chord, group
from celery.exceptions import TaskRevokedError
from celery.result import ResultSet

from conftest import HERE, PASSWORD, tail

T = 60  # default timeout for a result


def queued_task_ids(client, queue):
    """Task ids of the messages waiting in kombu's list for `queue`."""
    return [json.loads(m)["headers"]["id"] for m in client.lrange(queue, 0, -1)]


def unacked_task_ids(client):
    """Task ids of the messages in kombu's `unacked` hash (delivered, not yet acked)."""
    out = {}
    for tag, payload in client.hgetall("unacked").items():
        message, _exchange, _routing_key = json.loads(payload)
        out[message["headers"]["id"]] = tag
    return out


# Every command the MONITOR capture (README.md) saw, top level or from Lua.
CELERY_COMMANDS = """
    AUTH HELLO PING CLIENT SELECT GET SET SETEX MGET DEL EXISTS EXPIRE TIME
    LPUSH RPUSH BRPOP LLEN LRANGE HSET HGET HDEL HGETALL SADD SREM SMEMBERS SISMEMBER
    ZADD ZREM ZSCORE ZCOUNT ZRANGE ZRANGEBYSCORE MULTI EXEC WATCH UNWATCH
    PUBLISH SUBSCRIBE UNSUBSCRIBE PSUBSCRIBE PUNSUBSCRIBE EVALSHA EVAL SCRIPT
""".split()


def test_server_has_the_commands_celery_uses(server):
    """First, so that a server lacking commands says which, before the rest fail."""
    client = server.client()
    client.set_response_callback("COMMAND", lambda response, **options: response)  # raw: nil = unknown
    infos = client.execute_command("COMMAND", "INFO", *CELERY_COMMANDS)
    missing = [name for name, info in zip(CELERY_COMMANDS, infos) if not info]
    assert not missing, f"{server.kind} lacks commands Celery uses: {' '.join(missing)}"


def test_delay_get(worker, app):
    from celery_app import add
    assert add.delay(2, 3).get(timeout=T) == 5
    r = add.apply_async(("x", "y"))
    assert r.get(timeout=T) == "xy"
    assert r.successful() and r.state == "SUCCESS"


def test_retry_with_countdown(worker, app):
    from celery_app import flaky
    t0 = time.time()
    r = flaky.delay(2)
    assert r.get(timeout=T) == 2
    # Two retries, each with countdown=1.
    assert time.time() - t0 >= 1.9


def test_countdown_and_eta_go_through_unacked(worker, app, server):
    from celery_app import when
    from datetime import datetime, timedelta, timezone
    client = server.client()
    t0 = time.time()
    r1 = when.apply_async(countdown=5)
    r2 = when.apply_async(eta=datetime.now(timezone.utc) + timedelta(seconds=5))
    # The worker holds both messages until their time: they sit in kombu's
    # `unacked` hash, indexed by delivery time in the `unacked_index` zset.
    deadline = time.time() + 4.5
    seen = {}
    while time.time() < deadline and not {r1.id, r2.id} <= set(seen):
        seen = unacked_task_ids(client)
        time.sleep(0.05)
    assert {r1.id, r2.id} <= set(seen), seen
    for tag in (seen[r1.id], seen[r2.id]):
        assert client.zscore("unacked_index", tag) is not None
    for r in (r1, r2):
        ran_at = r.get(timeout=T)
        assert ran_at >= t0 + 4.9
    # Acked: gone from both.
    left = unacked_task_ids(client)
    assert r1.id not in left and r2.id not in left
    assert client.zscore("unacked_index", seen[r1.id]) is None


def test_group(worker, app):
    from celery_app import add
    res = group(add.s(i, i) for i in range(10))()
    assert res.get(timeout=T) == [i * 2 for i in range(10)]


def test_chord(worker, app):
    from celery_app import add, tsum
    res = chord(add.s(i, i) for i in range(10))(tsum.s())
    assert res.get(timeout=T) == 90
    # A chord whose body gets the header's results in order.
    res = chord([add.s(1, 1), add.s(2, 2), add.s(3, 3)])(tsum.s())
    assert res.get(timeout=T) == 12


def test_chain_failure_and_priority(worker, app, server):
    from celery import chain
    from celery_app import add, fail
    assert chain(add.s(1, 1), add.s(10), add.s(100))().get(timeout=T) == 112
    r = fail.delay("boom")
    with pytest.raises(ValueError, match="boom"):
        r.get(timeout=T)
    assert r.state == "FAILURE" and "ValueError" in r.traceback
    # Priorities map to kombu's sub-queues "Q", "Q\x06\x163", "Q\x06\x166",
    # "Q\x06\x169" (the keys of the worker's BRPOP): on a queue nobody
    # consumes, a priority-9 message waits in the last one.
    client = server.client()
    client.delete("prio", "prio\x06\x169")
    add.apply_async((9, 0), queue="prio", priority=9)
    assert client.llen("prio\x06\x169") == 1 and client.llen("prio") == 0
    client.delete("prio\x06\x169")
    results = [add.apply_async((p, 0), priority=p) for p in (0, 5, 9)]
    assert [x.get(timeout=T) for x in results] == [0, 5, 9]


def test_revoke_before_eta(worker, app):
    from celery_app import add
    r = add.apply_async((1, 1), countdown=4)
    r.revoke()
    with pytest.raises(TaskRevokedError):
        r.get(timeout=T)
    assert r.state == "REVOKED"


def test_inspect_active_and_revoke_terminate(worker, app):
    from celery_app import sleep_task
    r = sleep_task.delay(30)
    deadline = time.time() + 20
    while r.state != "STARTED" and time.time() < deadline:
        time.sleep(0.1)
    assert r.state == "STARTED"
    active = app.control.inspect(destination=[worker.name], timeout=5).active()
    assert active and r.id in [t["id"] for t in active[worker.name]], active
    r.revoke(terminate=True, signal="SIGKILL")
    with pytest.raises(TaskRevokedError):
        r.get(timeout=T)


def test_cli_inspect_ping(worker, app):
    env = dict(os.environ, PYTHONPATH=HERE)
    out = subprocess.run(
        [sys.executable, "-m", "celery", "-A", "celery_app", "inspect", "ping", "-d", worker.name,
         "--timeout", "10"],
        cwd=HERE, env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "pong" in out.stdout and worker.name in out.stdout, out.stdout


def test_control_rate_limit(worker, app):
    from celery_app import noop
    replies = app.control.rate_limit(noop.name, "1000/m", destination=[worker.name], reply=True, timeout=5)
    assert replies == [{worker.name: {"ok": "new rate limit set successfully"}}], replies
    stats = app.control.inspect(destination=[worker.name], timeout=5).stats()
    assert stats[worker.name]["pool"]["max-concurrency"] == 2
    replies = app.control.rate_limit(noop.name, None, destination=[worker.name], reply=True, timeout=5)
    assert replies and "ok" in replies[0][worker.name], replies


def test_events_reach_a_receiver(worker, app):
    """The worker runs with -E: task events are published to the celeryev fanout (PUBLISH/SUBSCRIBE)."""
    from celery_app import add
    seen = {}
    target = {}

    subscribed = threading.Event()

    def on_event(event):
        subscribed.set()  # any event (a heartbeat comes every 2 s) proves the subscription
        if event.get("uuid") and event.get("uuid") == target.get("id"):
            seen.setdefault(event["type"], event)
            if "task-succeeded" in seen:
                recv.should_stop = True

    with app.connection_for_read() as conn:
        recv = app.events.Receiver(conn, handlers={"*": on_event})
        th = threading.Thread(target=lambda: recv.capture(limit=None, timeout=20, wakeup=False), daemon=True)
        th.start()
        assert subscribed.wait(15), "no event (not even a worker heartbeat) within 15 s"
        # Known before sending: the first events can arrive before apply_async returns.
        target["id"] = str(uuid.uuid4())
        add.apply_async((20, 22), task_id=target["id"])
        th.join(timeout=30)
        recv.should_stop = True
    assert "task-succeeded" in seen, sorted(seen)
    assert seen["task-succeeded"]["result"] == "42"
    assert "task-received" in seen and "task-started" in seen, sorted(seen)


def test_batch_of_1000(worker, app):
    from celery_app import add
    t0 = time.time()
    results = ResultSet([add.delay(i, 1) for i in range(1000)])
    values = results.get(timeout=240)
    assert values == [i + 1 for i in range(1000)]
    print(f"1000 tasks: {time.time() - t0:.1f}s")


def test_acks_late_redelivered_after_kill_9(server, app, start_worker, workdir):
    """acks_late task; its worker is SIGKILLed mid-task; after visibility_timeout a new worker runs it."""
    from celery_app import crash_once
    client = server.client()
    env = {"CELERY_TEST_VISIBILITY": "5"}
    first = start_worker(queues="crash", env=env, tag="crash1")
    marker = os.path.join(workdir, "crash-marker")
    t_sent = time.time()
    r = crash_once.apply_async((marker,), queue="crash")
    deadline = time.time() + 30
    while not os.path.exists(marker) and time.time() < deadline:
        time.sleep(0.05)
    assert os.path.exists(marker), tail(first.log)
    first.stop(signal.SIGKILL, timeout=10)
    # Not acked: the message is still in the unacked hash, and not in the queue.
    assert r.id in unacked_task_ids(client)
    assert r.id not in queued_task_ids(client, "crash")
    second = start_worker(queues="crash", env=env, tag="crash2")
    assert r.get(timeout=60) == {"run": "second", "redelivered": True}, tail(second.log)
    # Not restored before the visibility timeout (5 s after delivery).
    assert time.time() - t_sent >= 5
    # acks_late: the ack follows the result by a moment.
    deadline = time.time() + 10
    while r.id in unacked_task_ids(client) and time.time() < deadline:
        time.sleep(0.05)
    assert r.id not in unacked_task_ids(client)


def test_warm_shutdown_restores_unacked(server, app, start_worker):
    """SIGTERM: the running task finishes, and reserved (ETA) messages go back to the queue."""
    from celery_app import add, sleep_task
    client = server.client()
    client.delete("shutdown")
    w = start_worker(queues="shutdown", tag="shutdown")
    running = sleep_task.apply_async((3,), queue="shutdown")
    held = [add.apply_async((i, i), queue="shutdown", countdown=12) for i in range(4)]
    held_ids = {r.id for r in held}
    deadline = time.time() + 20
    while time.time() < deadline:
        if running.state == "STARTED" and held_ids <= set(unacked_task_ids(client)):
            break
        time.sleep(0.1)
    assert running.state == "STARTED"
    assert held_ids <= set(unacked_task_ids(client))
    w.stop(signal.SIGTERM, timeout=30)
    assert w.proc.returncode is not None
    assert "Restoring 4 unacknowledged message(s)" in open(w.log, errors="replace").read(), tail(w.log)
    # The running task completed during the warm shutdown.
    assert running.get(timeout=5) == 3
    # The held messages are back in the queue, and no longer unacked.
    assert set(queued_task_ids(client, "shutdown")) == held_ids
    assert not (held_ids & set(unacked_task_ids(client)))
    # Whoever consumes the queue next runs them.
    start_worker(queues="shutdown", tag="shutdown2")
    assert [r.get(timeout=T) for r in held] == [0, 2, 4, 6]


def test_worker_with_resp3_broker(server, app, start_worker):
    """A worker whose broker connections speak RESP3 too (BRPOP, pidbox and event pub/sub as push frames)."""
    from celery_app import add, flaky
    w = start_worker(queues="resp3", env={"CELERY_TEST_BROKER_RESP3": "1"}, tag="resp3")
    assert add.apply_async((40, 2), queue="resp3").get(timeout=T) == 42
    assert flaky.apply_async((1,), queue="resp3").get(timeout=T) == 1
    assert app.control.ping(destination=[w.name], timeout=5) == [{w.name: {"ok": "pong"}}]
