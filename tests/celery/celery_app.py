"""Celery application and tasks used by the end-to-end suite (and bench/celery_bench.py).

Everything is configured from the environment so that the same module serves
the test process (the producer), every worker the suite starts, and the
`celery inspect` command line:

  CELERY_TEST_BROKER   broker URL, e.g. redis://:pw@127.0.0.1:7405/0
  CELERY_TEST_BACKEND  result backend URL (default: the broker URL with
                       `?protocol=3`, so results are read over RESP3 pub/sub)
  CELERY_TEST_VISIBILITY  kombu visibility_timeout in seconds (default 3600;
                       the crash test gives its workers 5)
  CELERY_TEST_BROKER_RESP3=1  also speak RESP3 on the broker connections
                       (kombu has no option for it: see Resp3Transport)
  CELERY_TEST_PLAIN=1  Celery's defaults for task tracking (bench/celery_bench.py)

Both the broker and the result backend are the server under test.
"""

import os
import tempfile
import time

from celery import Celery
from kombu.transport import redis as kombu_redis


class Resp3Channel(kombu_redis.Channel):
    """kombu's Redis channel, but every connection negotiates RESP3 (HELLO 3).

    kombu builds redis-py's connection parameters itself and passes no
    `protocol`, so the broker side is RESP2 unless we ask here.
    """

    def _connparams(self, asynchronous=False):
        params = super()._connparams(asynchronous=asynchronous)
        params["protocol"] = 3
        return params


class Resp3Transport(kombu_redis.Transport):
    Channel = Resp3Channel


def _urls():
    broker = os.environ.get("CELERY_TEST_BROKER", "redis://127.0.0.1:6379/0")
    backend = os.environ.get("CELERY_TEST_BACKEND")
    if not backend:
        backend = broker + ("&" if "?" in broker else "?") + "protocol=3"
    return broker, backend


BROKER_URL, BACKEND_URL = _urls()
VISIBILITY = float(os.environ.get("CELERY_TEST_VISIBILITY", "3600"))

app = Celery("celery_app", broker=BROKER_URL, backend=BACKEND_URL)
app.conf.update(
    broker_transport_options={
        "visibility_timeout": VISIBILITY,
        # Sweep the unacked index every second (the default is every
        # 10 x 10 s), so a small visibility_timeout takes effect quickly.
        "unacked_restore_interval": 1,
        "unacked_restore_throttle": 1,
        # A worker killed while holding the restore mutex must not block the
        # next one for the default 5 minutes.
        "unacked_mutex_expire": 10,
    },
    broker_connection_retry_on_startup=True,
    result_expires=600,
    task_track_started=True,
    task_send_sent_event=True,
    worker_send_task_events=True,
    worker_prefetch_multiplier=4,
    worker_hijack_root_logger=False,
    # Pidbox queues get x-expires, as in production setups: kombu then keeps
    # binding deadlines in a zset through its Lua scripts.
    control_queue_expires=60,
)
if os.environ.get("CELERY_TEST_PLAIN") == "1":
    # bench/celery_bench.py: Celery's defaults (no STARTED state, no task-sent events).
    app.conf.update(task_track_started=False, task_send_sent_event=False)
if os.environ.get("CELERY_TEST_BROKER_RESP3") == "1":
    app.conf.broker_transport = "celery_app:Resp3Transport"


@app.task
def add(x, y):
    return x + y


@app.task
def tsum(numbers):
    return sum(numbers)


@app.task
def sleep_task(seconds):
    time.sleep(seconds)
    return seconds


@app.task
def when():
    """Returns the time it ran (for ETA/countdown checks)."""
    return time.time()


@app.task(bind=True, max_retries=5)
def flaky(self, failures):
    """Fails `failures` times, retrying after 1 s each time, then returns the retry count."""
    if self.request.retries < failures:
        raise self.retry(exc=RuntimeError("flaky"), countdown=1)
    return self.request.retries


@app.task(bind=True, acks_late=True)
def crash_once(self, marker):
    """First run: writes `marker` and sleeps (the test kills the worker with SIGKILL).

    A later run (the redelivered message) finds the marker and returns at once.
    """
    if os.path.exists(marker):
        return {"run": "second", "redelivered": bool(self.request.delivery_info.get("redelivered"))}
    with open(marker + ".tmp", "w") as f:
        f.write(str(os.getpid()))
    os.rename(marker + ".tmp", marker)
    time.sleep(120)
    return {"run": "first"}


@app.task
def noop():
    return None


@app.task
def fail(message):
    raise ValueError(message)


@app.task
def record(directory, token):
    """Leaves a new file `token.*` in `directory` per run (the memory-pressure test counts them)."""
    fd, _path = tempfile.mkstemp(prefix=token + ".", dir=directory)
    os.close(fd)
    return token
