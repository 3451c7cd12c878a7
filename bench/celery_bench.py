#!/usr/bin/env python3
"""Celery on hematite vs Celery on Redis: enqueue, drain, round trip.

Usage (needs celery + redis-py: scripts/test.sh's .venv-celery has them):
  .venv-celery/bin/python bench/celery_bench.py              # target/release/hematite vs redis-server
  HEMATITE_BIN=redis .venv-celery/bin/python bench/celery_bench.py   # Redis vs itself (validation)
  ROUNDS=1 TASKS=2000 CALLS=50 .venv-celery/bin/python bench/celery_bench.py   # quick run

Knobs: ROUNDS (3; odd rounds run hematite first, even rounds Redis first),
TASKS (10000), CALLS (200), CONCURRENCY (2), EVENTS (0; 1 runs the worker
with -E), HEMATITE_BIN / HEMATITE_BIN_OVERRIDE / REDIS_SERVER (see
bench/servers.py), RESULTS_DIR (bench/results).

Per round and server: a fresh server (`--requirepass`), a prefork worker
(`celery -A celery_app worker --pool=prefork -c 2 -Q bench`, tasks from
tests/celery/celery_app.py with Celery's default task settings) that is
broker AND result backend client of that server, then a driver process:
  1. stops the worker consuming (control cancel_consumer), so the queue fills;
  2. enqueue: TASKS x add.delay() (LPUSH + the result SUBSCRIBE each),
     timed;
  3. drain: control add_consumer, then one ResultSet.get() of all TASKS,
     timed from add_consumer to the last result;
  4. round trip: CALLS sequential add.delay().get(), median and p90.
Server CPU seconds (utime+stime from /proc) are read around 2 and 3.
The table shows medians over rounds and ratio = Redis time / hematite time
(> 1: hematite faster; for CPU: hematite uses less).
"""

import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import servers  # noqa: E402

APP_DIR = os.path.join(servers.ROOT, "tests", "celery")
PASSWORD = "bench-pw"
ROUNDS = int(os.environ.get("ROUNDS", "3"))
TASKS = int(os.environ.get("TASKS", "10000"))
CALLS = int(os.environ.get("CALLS", "200"))
CONCURRENCY = int(os.environ.get("CONCURRENCY", "2"))
EVENTS = os.environ.get("EVENTS", "0") == "1"


def cpu_of(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(") ", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def drive(worker_name, server_pid):
    """Runs in a child process whose environment points celery_app at one server."""
    sys.path.insert(0, APP_DIR)
    from celery.result import ResultSet
    from celery_app import add, app

    def control(method):
        replies = getattr(app.control, method)("bench", destination=[worker_name], reply=True, timeout=10)
        if not replies or "ok" not in replies[0].get(worker_name, {}):
            raise SystemExit(f"{method}: unexpected reply {replies}")

    app.conf.task_routes = {add.name: {"queue": "bench"}}  # so that plain .delay() goes to the worker
    control("cancel_consumer")
    out = {}
    cpu0, t0 = cpu_of(server_pid), time.perf_counter()
    results = [add.delay(i, i) for i in range(TASKS)]
    out["enqueue_s"] = time.perf_counter() - t0
    out["enqueue_cpu"] = cpu_of(server_pid) - cpu0

    cpu0, t0 = cpu_of(server_pid), time.perf_counter()
    control("add_consumer")
    values = ResultSet(results).get(timeout=1800)
    out["drain_s"] = time.perf_counter() - t0
    out["drain_cpu"] = cpu_of(server_pid) - cpu0
    if values != [2 * i for i in range(TASKS)]:
        raise SystemExit("wrong results")

    add.delay(0, 0).get(timeout=60)  # warm-up
    rtts = []
    for i in range(CALLS):
        t0 = time.perf_counter()
        if add.delay(i, 1).get(timeout=60) != i + 1:
            raise SystemExit("wrong result")
        rtts.append(time.perf_counter() - t0)
    rtts.sort()
    out["rtt_median_ms"] = statistics.median(rtts) * 1000
    out["rtt_p90_ms"] = rtts[int(len(rtts) * 0.9) - 1] * 1000 if rtts else float("nan")
    print(json.dumps(out))


def killpg(proc, sig):
    try:
        os.killpg(proc.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def run_one(name, argv0, workdir):
    with servers.Server(name, argv0, ["--requirepass", PASSWORD]) as srv:
        url = f"redis://:{PASSWORD}@127.0.0.1:{srv.port}/0"
        env = dict(os.environ, CELERY_TEST_BROKER=url, CELERY_TEST_PLAIN="1",
                   PYTHONPATH=APP_DIR + os.pathsep + os.environ.get("PYTHONPATH", ""))
        env.pop("CELERY_TEST_BACKEND", None)
        worker_name = f"bench-{name}-{os.getpid()}@bench"
        log_path = os.path.join(workdir, f"worker-{name}.log")
        argv = [sys.executable, "-m", "celery", "-A", "celery_app", "worker", "--pool=prefork",
                "-c", str(CONCURRENCY), "-Q", "bench", "-n", worker_name, "--loglevel=WARNING"]
        if EVENTS:
            argv.append("-E")
        with open(log_path, "ab") as log:
            worker = subprocess.Popen(argv, cwd=APP_DIR, env=env, stdin=subprocess.DEVNULL, stdout=log,
                                      stderr=subprocess.STDOUT, start_new_session=True)
        try:
            wait_worker(worker, worker_name, env, log_path)
            child = subprocess.run([sys.executable, os.path.abspath(__file__), "--drive", worker_name,
                                    str(srv.proc.pid)], env=env, cwd=APP_DIR, capture_output=True,
                                   text=True, timeout=3600)
            if child.returncode != 0:
                raise SystemExit(f"driver against {name} failed:\n{child.stderr[-3000:]}\n"
                                 f"worker log:\n{tail(log_path)}\nserver log:\n{srv.log_tail()}")
            return json.loads(child.stdout.strip().splitlines()[-1])
        finally:
            if worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
                try:
                    worker.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    pass
            killpg(worker, signal.SIGKILL)
            worker.wait()


def wait_worker(worker, worker_name, env, log_path, timeout=90):
    probe = ("import sys; sys.path.insert(0, %r)\n"
             "from celery_app import app\n"
             "import time\n"
             "deadline = time.time() + %d\n"
             "while time.time() < deadline:\n"
             "    if any(%r in r for r in app.control.ping(destination=[%r], timeout=1)): sys.exit(0)\n"
             "sys.exit(1)\n") % (APP_DIR, timeout, worker_name, worker_name)
    res = subprocess.run([sys.executable, "-c", probe], env=env, cwd=APP_DIR, capture_output=True,
                         timeout=timeout + 30)
    if res.returncode != 0 or worker.poll() is not None:
        raise SystemExit(f"worker {worker_name} did not come up:\n{tail(log_path)}\n{res.stderr[-2000:]}")


def tail(path, n=30):
    try:
        with open(path, "rb") as f:
            return b"\n".join(f.read().splitlines()[-n:]).decode(errors="replace")
    except OSError:
        return "(no log)"


METRICS = [
    # key, label, format, "time" (ratio = redis / hematite) or "rate"
    ("enqueue_s", f"enqueue {TASKS:,} tasks (s)", "{:.2f}"),
    ("drain_s", f"drain {TASKS:,} tasks, -c {CONCURRENCY} prefork (s)", "{:.2f}"),
    ("rtt_median_ms", f"delay().get() round trip, median of {CALLS} (ms)", "{:.2f}"),
    ("rtt_p90_ms", "delay().get() round trip, p90 (ms)", "{:.2f}"),
    ("enqueue_cpu", "server CPU during enqueue (s)", "{:.2f}"),
    ("drain_cpu", "server CPU during drain (s)", "{:.2f}"),
]


def main():
    kind, h_argv0 = servers.hematite_side()
    r_argv0 = [servers.redis_server()]
    workdir = tempfile.mkdtemp(prefix="hematite-bench-celery-")
    runs = {"hematite": [], "redis": []}
    for rnd in range(1, ROUNDS + 1):
        order = [("hematite", h_argv0), ("redis", r_argv0)]
        if rnd % 2 == 0:
            order.reverse()
        for name, argv0 in order:
            res = run_one(name, argv0, workdir)
            runs[name].append(res)
            print(f"  round {rnd} {name:8} " + ", ".join(f"{k}={v:.2f}" for k, v in res.items()), file=sys.stderr)

    import celery
    import kombu
    import redis
    out = [f"# Celery on hematite vs Redis — {time.strftime('%Y-%m-%d %H:%M:%S')}", ""]
    h_label = "hematite" if kind == "hematite" else "**redis-server standing in for hematite (noise floor)**"
    out.append(f"- hematite side: {h_label}: {servers.version(h_argv0)}")
    out.append(f"- Redis side: {servers.version(r_argv0)}")
    out.append(f"- celery {celery.__version__}, kombu {kombu.__version__}, redis-py {redis.__version__}; "
               f"worker --pool=prefork -c {CONCURRENCY}{' -E' if EVENTS else ''}; broker and result backend "
               f"(RESP3) on the same server; {ROUNDS} rounds, alternating order, medians")
    out.append("")
    out.append("| metric | hematite | Redis | **ratio** | spread |")
    out.append("|---|---:|---:|---:|---|")
    for key, label, fmt in METRICS:
        h = [r[key] for r in runs["hematite"]]
        rd = [r[key] for r in runs["redis"]]
        hm, rm = statistics.median(h), statistics.median(rd)
        ratio = rm / hm if hm > 0 else float("nan")
        per_round = [b / a for a, b in zip(h, rd) if a > 0]
        spread = f"{min(per_round):.2f}–{max(per_round):.2f}" if per_round else "n/a"
        out.append(f"| {label} | {fmt.format(hm)} | {fmt.format(rm)} | **{ratio:.2f}** | {spread} |")
    h_drain, r_drain = (statistics.median([r["drain_s"] for r in runs[s]]) for s in ("hematite", "redis"))
    out.append("")
    out.append(f"Drain throughput: hematite {TASKS / h_drain:,.0f} tasks/s, Redis {TASKS / r_drain:,.0f} tasks/s. "
               "ratio = Redis / hematite of times (> 1: hematite faster, or less CPU); spread = per-round ratios.")
    text = "\n".join(out) + "\n"
    sys.stdout.write(text)
    results = os.environ.get("RESULTS_DIR", os.path.join(servers.ROOT, "bench", "results"))
    os.makedirs(results, exist_ok=True)
    path = os.path.join(results, time.strftime("%Y%m%d-%H%M%S") + "-celery.md")
    with open(path, "w") as f:
        f.write(text)
    print(f"report: {path} (worker logs in {workdir})", file=sys.stderr)


if __name__ == "__main__":
    # Run the `finally`/`with` cleanups (servers, workers) on SIGTERM too.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    if len(sys.argv) == 4 and sys.argv[1] == "--drive":
        drive(sys.argv[2], int(sys.argv[3]))
    else:
        main()
