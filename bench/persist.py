#!/usr/bin/env python3
"""Persistence benchmarks: hematite vs Redis, side by side on one machine.

Usage (standard library only; needs redis-server, redis-cli, redis-benchmark):
  python3 bench/persist.py                      # target/release/hematite vs redis-server (~10-15 min)
  HEMATITE_BIN=redis python3 bench/persist.py   # Redis vs itself: validation and noise floor
  QUICK=1 python3 bench/persist.py              # smoke run (~2 min): 100k keys, short runs
  SECTIONS=save python3 bench/persist.py        # one section only (aof, save, bgsave)

Three sections (bench/README.md, "Persistence", explains every number):

aof     SET throughput with `appendonly yes`, `appendfsync everysec` and
        `always`: `redis-benchmark -t set -r 100000 -c 50` at -P 1 and -P 16,
        ROUNDS alternating rounds (odd: hematite first), medians, ratio,
        requests per server CPU-second (utime+stime+cutime+cstime from
        /proc/PID/stat, so forked rewrites count) and the disk's flush
        requests per second during the run (/sys/dev/block/M:m/stat field 15,
        device-wide: every fsync/fdatasync that had something to write issues
        one; other processes' fsyncs count too, see the idle rate).
save    a mixed 1M-key dataset (generated once as a RESP file, loaded with
        `redis-cli --pipe` into a server running `appendonly yes`), then
        SAVE wall time and dump.rdb size, BGREWRITEAOF wall time (command to
        `aof_rewrite_in_progress:0`) and AOF directory size, and startup time
        from the RDB and from the AOF (RDB preamble): from process start to
        the first PONG (not -LOADING), plus the log's "DB loaded from ...: N
        seconds" when the server prints it. Alternating rounds, medians.
bgsave  the dataset loaded (from the save section's dump.rdb when there is
        one), then per round and server: a plain `redis-benchmark -t set
        -r <string keys> -c 50 -P 1` run, and the same run while BGSAVE is
        issued back to back for its whole length. Sampled every 50 ms: PSS
        and RSS of the server plus its children (/proc/PID/smaps_rollup).
        Reports the peak PSS overhead over the pre-save baseline, the peak
        RSS, p99 latency and throughput with and without saves.

Knobs (environment): ROUNDS (5; QUICK 2), KEYS (1000000; QUICK 100000) keys in
the dataset, BIG (100000; QUICK 10000) elements of each of the 4 big
containers, AOF_N_P1 (200000; QUICK 20000), AOF_N_P16 (1000000; QUICK
200000), BG_N (200000; QUICK 40000) requests per bgsave-section run, CLIENTS
(50), SECTIONS (aof,save,bgsave), FSYNC_MODES (everysec,always), PORT_BASE
(unset: free ports; else PORT_BASE and PORT_BASE+1), WORK_DIR (default: a new
/tmp/hematite-bench-persist-* directory, removed at the end unless KEEP=1; a
given WORK_DIR keeps the generated dataset file as a cache for the next run),
HEMATITE_BIN / HEMATITE_BIN_OVERRIDE / REDIS_SERVER (as for the other
benchmarks, see bench/servers.py), HEMATITE_ARGS (extra arguments for the
hematite side, shell-quoted), RESULTS_DIR (bench/results).
"""

import csv
import io
import math
import os
import random
import re
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import servers  # noqa: E402

QUICK = os.environ.get("QUICK", "") not in ("", "0")


def knob(name, default, quick):
    return int(os.environ.get(name, quick if QUICK else default))


ROUNDS = knob("ROUNDS", 5, 2)
KEYS = knob("KEYS", 1_000_000, 100_000)
BIG = knob("BIG", 100_000, 10_000)
AOF_N_P1 = knob("AOF_N_P1", 200_000, 20_000)
AOF_N_P16 = knob("AOF_N_P16", 1_000_000, 200_000)
BG_N = knob("BG_N", 200_000, 40_000)
CLIENTS = knob("CLIENTS", 50, 50)
SECTIONS = [s.strip() for s in os.environ.get("SECTIONS", "aof,save,bgsave").split(",") if s.strip()]
FSYNC_MODES = [s.strip() for s in os.environ.get("FSYNC_MODES", "everysec,always").split(",") if s.strip()]
HEMATITE_ARGS = shlex.split(os.environ.get("HEMATITE_ARGS", ""))
AOF_KEYSPACE = 100_000
CLK_TCK = os.sysconf("SC_CLK_TCK")

# Dataset composition (fractions of KEYS); the rest of the keys are strings.
N_HASHES = KEYS // 10
N_SMALL_COLL = KEYS // 5  # small lists, sets and zsets, a third each
N_STRINGS = KEYS - N_HASHES - N_SMALL_COLL
N_BIG = 4  # big:list, big:hash, big:set, big:zset with BIG elements each
TOTAL_KEYS = KEYS + N_BIG


def log(msg):
    print(msg, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------
# A minimal RESP client (enough for PING, INFO, SAVE, BGSAVE, DBSIZE, ...).


class RespError(Exception):
    pass


class Conn:
    def __init__(self, port, timeout=600):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.f = self.sock.makefile("rb")

    def close(self):
        self.f.close()
        self.sock.close()

    def send(self, *args):
        out = [b"*%d\r\n" % len(args)]
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            out.append(b"$%d\r\n%s\r\n" % (len(a), a))
        self.sock.sendall(b"".join(out))

    def read(self):
        line = self.f.readline()
        if not line:
            raise ConnectionError("server closed the connection")
        kind, rest = line[:1], line[1:-2]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            return RespError(rest.decode())
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            if n < 0:
                return None
            data = self.f.read(n + 2)
            return data[:-2]
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self.read() for _ in range(n)]
        raise ConnectionError(f"unexpected reply line {line!r}")

    def cmd(self, *args):
        self.send(*args)
        reply = self.read()
        if isinstance(reply, RespError):
            raise reply
        return reply

    def info(self, section):
        text = self.cmd("INFO", section)
        out = {}
        for line in text.decode().splitlines():
            if ":" in line and not line.startswith("#"):
                k, v = line.split(":", 1)
                out[k] = v
        return out


# --------------------------------------------------------------------------
# Server processes. Unlike servers.Server, the data directory outlives the
# process (a server is restarted on the files its predecessor wrote) and
# startup is timed.

class Proc:
    def __init__(self, name, argv0, port, datadir, args, tag):
        self.name = name
        self.port = port
        self.dir = datadir
        os.makedirs(datadir, exist_ok=True)
        self.log = os.path.join(datadir, f"{tag}.log")
        argv = argv0 + ["--port", str(port), "--bind", "127.0.0.1", "--dir", datadir,
                        "--dbfilename", "dump.rdb", *args]
        with open(self.log, "wb") as logf:
            self.t0 = time.monotonic()
            self.proc = subprocess.Popen(argv, cwd=datadir, stdin=subprocess.DEVNULL, stdout=logf,
                                         stderr=subprocess.STDOUT, start_new_session=True)
        self.pid = self.proc.pid
        self.ready_s = self._wait_ready()
        c = Conn(port)
        try:
            pid = c.info("server").get("process_id")
        except RespError:
            pid = None
        c.close()
        if pid is not None and int(pid) != self.pid:
            raise SystemExit(f"{name}: port {port} is answered by pid {pid}, not by the server started "
                             f"(pid {self.pid}); is the port taken?")

    def _wait_ready(self, timeout=600):
        """Seconds from process start to the first +PONG (retrying on -LOADING)."""
        deadline = self.t0 + timeout
        conn = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"{self.name} exited at startup:\n{self.log_tail()}")
            try:
                if conn is None:
                    conn = Conn(self.port, timeout=30)
                conn.send("PING")
                reply = conn.read()
                if reply == "PONG":
                    elapsed = time.monotonic() - self.t0
                    conn.close()
                    return elapsed
                if not (isinstance(reply, RespError) and str(reply).startswith("LOADING")):
                    raise SystemExit(f"{self.name}: unexpected PING reply {reply!r}")
            except OSError:
                if conn is not None:
                    conn.close()
                conn = None
            time.sleep(0.005)
        raise SystemExit(f"{self.name} did not answer PONG on port {self.port}:\n{self.log_tail()}")

    def log_text(self):
        try:
            with open(self.log, "rb") as f:
                return f.read().decode(errors="replace")
        except OSError:
            return ""

    def log_tail(self, n=20):
        return "\n".join(self.log_text().splitlines()[-n:]) or "(no log)"

    def loaded_seconds(self):
        """The "DB loaded from disk: N seconds" / "... append only file: N seconds" log value."""
        m = re.findall(r"DB loaded from (?:disk|append only file): ([0-9.]+) seconds", self.log_text())
        return float(m[-1]) if m else float("nan")

    def conn(self):
        return Conn(self.port)

    def cpu_seconds(self):
        """utime + stime + cutime + cstime: all threads, and reaped children (forked saves)."""
        with open(f"/proc/{self.pid}/stat") as f:
            fields = f.read().rsplit(") ", 1)[1].split()
        return sum(int(x) for x in fields[11:15]) / CLK_TCK

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.proc.wait()


class Sides(servers.Contenders):
    """The two contenders: argv0 and port of "hematite" (or its stand-in) and "redis"."""

    def __init__(self):
        super().__init__()
        base = os.environ.get("PORT_BASE")
        if base:
            self.port = {"hematite": int(base), "redis": int(base) + 1}
        else:
            self.port = {"hematite": servers.free_port(), "redis": servers.free_port()}

    def start(self, name, datadir, args, tag):
        extra = HEMATITE_ARGS if name == "hematite" else []
        p = Proc(name, self.argv0[name], self.port[name], datadir, list(args) + extra, tag)
        self.live.append(p)
        return p


order = servers.order


# --------------------------------------------------------------------------
# Measurements helpers.

def run_benchmark(port, n, pipeline, keyspace, background=False, clients=None, extra=()):
    """`redis-benchmark -t set` (plus `extra` arguments); its CSV row as a dict."""
    argv = ["redis-benchmark", "-h", "127.0.0.1", "-p", str(port), "-c", str(clients or CLIENTS), "-n", str(n),
            "-P", str(pipeline), "-r", str(keyspace), "-t", "set", "--csv", "-q", *extra]
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    BENCHMARKS.append(p)
    if background:
        return p
    return finish_benchmark(p)


BENCHMARKS = []  # redis-benchmark processes, killed on the way out if still running


def finish_benchmark(p):
    out, err = p.communicate()
    BENCHMARKS.remove(p)
    if p.returncode != 0:
        raise SystemExit(f"redis-benchmark failed: {err.decode(errors='replace')}")
    rows = [r for r in csv.reader(io.StringIO(out.decode())) if r and r[0] != "test"]
    if len(rows) != 1:
        raise SystemExit(f"unexpected redis-benchmark output: {out!r}")
    r = rows[0]
    return {"rps": float(r[1]), "p50": float(r[4]), "p99": float(r[6]), "max": float(r[7])}


def flush_stat_path(path):
    """/sys/dev/block/M:m/stat of the block device holding `path`, if it has a flush counter."""
    st = os.stat(path)
    p = f"/sys/dev/block/{os.major(st.st_dev)}:{os.minor(st.st_dev)}/stat"
    try:
        with open(p) as f:
            if len(f.read().split()) >= 16:
                return p
    except OSError:
        pass
    return None


def read_flushes(p):
    if p is None:
        return None
    with open(p) as f:
        return int(f.read().split()[15])


def dir_size(path):
    total = 0
    for dirpath, _, files in os.walk(path):
        for fn in files:
            try:
                total += os.path.getsize(os.path.join(dirpath, fn))
            except OSError:
                pass
    return total


def proc_children(pid):
    kids = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            try:
                with open(f"/proc/{pid}/task/{tid}/children") as f:
                    kids += [int(x) for x in f.read().split()]
            except OSError:
                pass
    except OSError:
        pass
    return kids


def pss_rss(pid):
    """(PSS, RSS) in bytes from /proc/PID/smaps_rollup, (0, 0) if the process is gone."""
    pss = rss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    pss = int(line.split()[1]) * 1024
                elif line.startswith("Rss:"):
                    rss = int(line.split()[1]) * 1024
    except OSError:
        pass
    return pss, rss


def tree_mem(pid):
    """PSS and RSS of a server plus its direct children (a forked save), and the child count."""
    kids = proc_children(pid)
    pss, rss = pss_rss(pid)
    for k in kids:
        p, r = pss_rss(k)
        pss += p
        rss += r
    return pss, rss, len(kids)


def field(info, name, who):
    """A required INFO field: a clear error instead of a hang when the server lacks it."""
    if name not in info:
        raise SystemExit(f"{who}: INFO has no `{name}` field (needed by this benchmark)")
    return info[name]


def median(xs):
    xs = [x for x in xs if x is not None and not math.isnan(x)]
    return statistics.median(xs) if xs else float("nan")


def ratio(a, b):
    if a is None or b is None or b == 0 or math.isnan(a) or math.isnan(b):
        return float("nan")
    return a / b


def fr(x, digits=2):
    return "n/a" if x is None or math.isnan(x) or math.isinf(x) else f"{x:.{digits}f}"


def fi(x):
    return "n/a" if x is None or math.isnan(x) else f"{x:,.0f}"


def mib(x):
    return "n/a" if x is None or math.isnan(x) else f"{x / 1048576:,.1f}"


def spread(per_round):
    xs = [x for x in per_round if not math.isnan(x)]
    return f"{min(xs):.2f}–{max(xs):.2f}" if xs else "n/a"


# --------------------------------------------------------------------------
# Section 1: SET throughput with AOF.

def section_aof(sides, work, out):
    flush_path = flush_stat_path(work)
    idle = float("nan")
    if flush_path:
        f0 = read_flushes(flush_path)
        time.sleep(2)
        idle = (read_flushes(flush_path) - f0) / 2
    results = {}  # (mode, pipeline) -> name -> list of per-round dicts
    for mode in FSYNC_MODES:
        procs = {}
        for name in ("hematite", "redis"):
            d = os.path.join(work, f"aof-{mode}-{name}")
            procs[name] = sides.start(name, d, ["--save", "", "--appendonly", "yes", "--appendfsync", mode,
                                                "--aof-use-rdb-preamble", "yes"], "aof")
        for rnd in range(1, ROUNDS + 1):
            for pipeline in (1, 16):
                n = AOF_N_P1 if pipeline == 1 else AOF_N_P16
                for name in order(rnd):
                    p = procs[name]
                    cpu0, fl0, t0 = p.cpu_seconds(), read_flushes(flush_path), time.monotonic()
                    res = run_benchmark(p.port, n, pipeline, AOF_KEYSPACE)
                    t1, fl1, cpu1 = time.monotonic(), read_flushes(flush_path), p.cpu_seconds()
                    if not p.alive():
                        raise SystemExit(f"{name} died during the AOF benchmark:\n{p.log_tail()}")
                    cpu = cpu1 - cpu0
                    res["req_cpu_s"] = n / cpu if cpu > 0 else float("nan")
                    res["flushes_s"] = (fl1 - fl0) / (t1 - t0) if fl0 is not None else float("nan")
                    res["per_flush"] = ratio(res["rps"], res["flushes_s"])
                    results.setdefault((mode, pipeline), {}).setdefault(name, []).append(res)
                    log(f"  aof {mode:8} round {rnd} -P {pipeline:<2} {name:8} {res['rps']:>10,.0f} rps "
                        f"{res['req_cpu_s']:>10,.0f} req/CPU-s  p99 {res['p99']:.2f} ms  "
                        f"{res['flushes_s']:,.0f} flushes/s")
        for name in ("hematite", "redis"):
            c = procs[name].conn()
            st = c.info("persistence").get("aof_last_write_status")
            c.close()
            if st not in (None, "ok"):
                log(f"  warning: {name} aof_last_write_status:{st}")
            sides.stop(procs[name])
            shutil.rmtree(procs[name].dir, ignore_errors=True)

    out.append("## SET throughput with AOF")
    out.append("")
    out.append(f"`redis-benchmark -t set -r {AOF_KEYSPACE} -c {CLIENTS}`, {AOF_N_P1:,} requests at -P 1, "
               f"{AOF_N_P16:,} at -P 16; `--appendonly yes --aof-use-rdb-preamble yes --save ''`; "
               f"{ROUNDS} alternating rounds, medians. *ratio* = hematite / Redis (> 1: hematite faster, or "
               "less CPU per request). *flushes/s*: the disk's completed flush requests per second during the "
               "run (device-wide: each fsync that wrote something is one; "
               + (f"idle rate before the runs: {idle:.1f}/s" if not math.isnan(idle) else "not available here")
               + "); *SETs/flush* = rps / flushes/s, how many writes share one fsync (group commit).")
    out.append("")
    out.append("| appendfsync | -P | hematite rps | Redis rps | **ratio** | spread | hematite req/CPU-s "
               "| Redis req/CPU-s | **CPU ratio** | CPU spread | p99 ms h / R | flushes/s h / R | SETs/flush h / R |")
    out.append("|---|---:|---:|---:|---:|---|---:|---:|---:|---|---|---|---|")
    for (mode, pipeline), by in results.items():
        h, r = by["hematite"], by["redis"]
        rps_h, rps_r = median([x["rps"] for x in h]), median([x["rps"] for x in r])
        cpu_h, cpu_r = median([x["req_cpu_s"] for x in h]), median([x["req_cpu_s"] for x in r])
        out.append(
            f"| {mode} | {pipeline} | {fi(rps_h)} | {fi(rps_r)} | **{fr(ratio(rps_h, rps_r))}** "
            f"| {spread([ratio(a['rps'], b['rps']) for a, b in zip(h, r)])} | {fi(cpu_h)} | {fi(cpu_r)} "
            f"| **{fr(ratio(cpu_h, cpu_r))}** "
            f"| {spread([ratio(a['req_cpu_s'], b['req_cpu_s']) for a, b in zip(h, r)])} "
            f"| {fr(median([x['p99'] for x in h]))} / {fr(median([x['p99'] for x in r]))} "
            f"| {fi(median([x['flushes_s'] for x in h]))} / {fi(median([x['flushes_s'] for x in r]))} "
            + (f"| {fr(median([x['per_flush'] for x in h]), 1)} / {fr(median([x['per_flush'] for x in r]), 1)} |"
               if mode == "always" else "| — |"))
    out.append("")


# --------------------------------------------------------------------------
# The mixed dataset.

WORDS = [b"alpha", b"beta", b"gamma", b"delta", b"task", b"queue", b"celery", b"result", b"pending",
         b"SUCCESS", b"kombu", b"body", b"headers", b"id", b"2026-11-25T10:00:00"]


def resp(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


def gen_dataset(path):
    """Writes the dataset as RESP commands. Deterministic (seeded): both servers get the same data.

    Strings "key:%012d" (the names `redis-benchmark -r` uses, so the bgsave section overwrites them):
    30% integers, 30% 4-20 bytes, 30% 20-100 bytes of text (LZF-compressible), 9% 100-1000 bytes of
    random letters, 1% 1-10 KB of text. Hashes "hash:%08d" of 3-10 short fields; lists "list:%08d",
    sets "set:%08d" (half integers: intset) and zsets "zset:%08d" of 3-10 elements; four big
    containers of BIG elements. 20% of the keys of every kind get a TTL of 1-7 days.
    """
    rnd = random.Random(42)
    letters = bytes(range(97, 123))
    rand_pool = [bytes(rnd.choice(letters) for _ in range(1000)) for _ in range(64)]

    def text(n):
        parts, size = [], 0
        while size < n:
            w = rnd.choice(WORDS)
            parts.append(w)
            size += len(w) + 1
        return b" ".join(parts)[:n]

    def ttl():
        return str(rnd.randint(86400, 7 * 86400)).encode()

    with open(path, "wb", buffering=1 << 20) as f:
        w = f.write
        for i in range(N_STRINGS):
            key = b"key:%012d" % i
            c = rnd.random()
            if c < 0.30:
                val = str(rnd.randint(-10**9, 10**12)).encode()
            elif c < 0.60:
                val = rand_pool[i % 64][: rnd.randint(4, 20)]
            elif c < 0.90:
                val = text(rnd.randint(20, 100))
            elif c < 0.99:
                off = rnd.randint(0, 900)
                val = rand_pool[i % 64][off: off + rnd.randint(100, 1000 - off)]
            else:
                val = text(rnd.randint(1000, 10000))
            if rnd.random() < 0.2:
                w(resp(b"SET", key, val, b"EX", ttl()))
            else:
                w(resp(b"SET", key, val))

        def maybe_expire(key):
            if rnd.random() < 0.2:
                w(resp(b"EXPIRE", key, ttl()))

        for i in range(N_HASHES):
            key = b"hash:%08d" % i
            args = [b"HSET", key]
            for j in range(rnd.randint(3, 10)):
                args += [b"field%d" % j, rand_pool[(i + j) % 64][: rnd.randint(1, 30)]]
            w(resp(*args))
            maybe_expire(key)
        third = N_SMALL_COLL // 3
        for i in range(third):
            key = b"list:%08d" % i
            w(resp(b"RPUSH", key, *[text(rnd.randint(5, 40)) for _ in range(rnd.randint(3, 10))]))
            maybe_expire(key)
        for i in range(third):
            key = b"set:%08d" % i
            n = rnd.randint(3, 10)
            if i % 2:
                members = [str(rnd.randint(0, 10**6)).encode() for _ in range(n)]
            else:
                members = [b"member:%d" % rnd.randint(0, 10**6) for _ in range(n)]
            w(resp(b"SADD", key, *members))
            maybe_expire(key)
        for i in range(N_SMALL_COLL - 2 * third):
            key = b"zset:%08d" % i
            args = [b"ZADD", key]
            for _ in range(rnd.randint(3, 10)):
                args += [b"%.3f" % (rnd.random() * 1000), b"m%d" % rnd.randint(0, 10**6)]
            w(resp(*args))
            maybe_expire(key)
        for start in range(0, BIG, 1000):
            ids = range(start, min(BIG, start + 1000))
            w(resp(b"RPUSH", b"big:list", *[b"element:%d" % i for i in ids]))
            hargs = [b"HSET", b"big:hash"]
            for i in ids:
                hargs += [b"field:%d" % i, b"value:%d" % i]
            w(resp(*hargs))
            w(resp(b"SADD", b"big:set", *[b"member:%d" % i for i in ids]))
            zargs = [b"ZADD", b"big:zset"]
            for i in ids:
                zargs += [b"%d" % i, b"member:%d" % i]
            w(resp(*zargs))
        w(resp(b"EXPIRE", b"big:zset", b"604800"))


def load_dataset(p, path):
    t0 = time.monotonic()
    with open(path, "rb") as f:
        r = subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", str(p.port), "--pipe"], stdin=f,
                           capture_output=True, timeout=1800)
    elapsed = time.monotonic() - t0
    text = (r.stdout + r.stderr).decode(errors="replace")
    m = re.search(r"errors: (\d+), replies: (\d+)", text)
    if r.returncode != 0 or not m or m.group(1) != "0":
        raise SystemExit(f"{p.name}: redis-cli --pipe failed:\n{text}")
    check_keys(p)
    return elapsed


def check_keys(p):
    c = p.conn()
    n = c.cmd("DBSIZE")
    ks = c.info("keyspace").get("db0", "")
    c.close()
    if n != TOTAL_KEYS:
        raise SystemExit(f"{p.name}: DBSIZE {n}, expected {TOTAL_KEYS}")
    return ks


def ensure_dataset(work):
    path = os.path.join(work, f"dataset-{KEYS}-{BIG}.resp")
    if not os.path.exists(path):
        t0 = time.monotonic()
        gen_dataset(path + ".tmp")
        os.rename(path + ".tmp", path)
        log(f"  dataset: {TOTAL_KEYS:,} keys, {os.path.getsize(path) / 1048576:,.0f} MiB of RESP, "
            f"generated in {time.monotonic() - t0:.1f}s")
    return path


# --------------------------------------------------------------------------
# Section 2: SAVE, BGREWRITEAOF, startup load.

def section_save(sides, work, out):
    data = ensure_dataset(work)
    dirs = {name: os.path.join(work, f"data-{name}") for name in ("hematite", "redis")}
    aof_args = ["--save", "", "--appendonly", "yes", "--appendfsync", "everysec", "--aof-use-rdb-preamble", "yes"]
    procs, pipe_s, keyspace = {}, {}, {}
    for name in ("hematite", "redis"):
        shutil.rmtree(dirs[name], ignore_errors=True)
        procs[name] = sides.start(name, dirs[name], aof_args, "fill")
        pipe_s[name] = load_dataset(procs[name], data)
        keyspace[name] = check_keys(procs[name])
        log(f"  {name}: loaded {TOTAL_KEYS:,} keys with redis-cli --pipe in {pipe_s[name]:.1f}s ({keyspace[name]})")
    expires = {n: re.search(r"expires=(\d+)", keyspace[n]) for n in keyspace}
    if all(expires.values()) and len({m.group(1) for m in expires.values()}) != 1:
        log(f"  warning: the two servers hold different numbers of keys with a TTL: {keyspace}")

    m = {}  # metric -> name -> list

    def add(metric, name, value):
        m.setdefault(metric, {}).setdefault(name, []).append(value)

    conns = {name: procs[name].conn() for name in procs}
    for rnd in range(1, ROUNDS + 1):
        for name in order(rnd):
            t0 = time.monotonic()
            conns[name].cmd("SAVE")
            add("save_s", name, time.monotonic() - t0)
            add("rdb_size", name, os.path.getsize(os.path.join(dirs[name], "dump.rdb")))
            log(f"  save round {rnd} {name:8} SAVE {m['save_s'][name][-1]:.2f}s, "
                f"dump.rdb {m['rdb_size'][name][-1] / 1048576:.1f} MiB")
    for rnd in range(1, ROUNDS + 1):
        for name in order(rnd):
            c = conns[name]
            t0 = time.monotonic()
            c.cmd("BGREWRITEAOF")
            time.sleep(0.01)
            while True:
                info = c.info("persistence")
                if (field(info, "aof_rewrite_in_progress", name) == "0"
                        and info.get("aof_rewrite_scheduled", "0") == "0"):
                    break
                if time.monotonic() - t0 > 1800:
                    raise SystemExit(f"{name}: BGREWRITEAOF still running after 30 minutes")
                time.sleep(0.01)
            add("rewrite_s", name, time.monotonic() - t0)
            if info.get("aof_last_bgrewrite_status", "ok") != "ok":
                raise SystemExit(f"{name}: BGREWRITEAOF failed: {info}")
            add("aof_size", name, dir_size(os.path.join(dirs[name], "appendonlydir")))
            log(f"  rewrite round {rnd} {name:8} BGREWRITEAOF {m['rewrite_s'][name][-1]:.2f}s, "
                f"appendonlydir {m['aof_size'][name][-1] / 1048576:.1f} MiB")
    for name in procs:
        conns[name].close()
        sides.stop(procs[name])

    empty = os.path.join(work, "empty")
    for rnd in range(1, ROUNDS + 1):
        for what, args in (("empty", ["--save", "", "--appendonly", "no"]),
                           ("rdb", ["--save", "", "--appendonly", "no"]),
                           ("aof", ["--save", "", "--appendonly", "yes", "--appendfsync", "everysec"])):
            for name in order(rnd):
                shutil.rmtree(empty, ignore_errors=True)
                d = empty if what == "empty" else dirs[name]
                p = sides.start(name, d, args, f"load-{what}-{rnd}")
                if what != "empty":
                    check_keys(p)
                add(f"{what}_ready_s", name, p.ready_s)
                add(f"{what}_log_s", name, p.loaded_seconds())
                sides.stop(p)
                log(f"  load round {rnd} {what:5} {name:8} PONG after {p.ready_s:.2f}s "
                    f"(log: {fr(p.loaded_seconds(), 3)}s)")
    shutil.rmtree(empty, ignore_errors=True)

    out.append(f"## SAVE and load of {TOTAL_KEYS:,} keys")
    out.append("")
    out.append(f"Dataset: {N_STRINGS:,} strings (30% integers, sizes 4 B–10 KB), {N_HASHES:,} small hashes, "
               f"{N_SMALL_COLL // 3:,} small lists, sets and zsets each, 4 containers of {BIG:,} elements "
               "(list, hash, set, zset), 20% of the keys with a TTL; loaded with `redis-cli --pipe` into "
               "`--appendonly yes --appendfsync everysec` "
               f"(hematite {pipe_s['hematite']:.1f}s, Redis {pipe_s['redis']:.1f}s, one run each, one after "
               f"the other). {ROUNDS} alternating rounds, medians; *ratio* = hematite / Redis "
               "(**< 1: hematite faster / smaller**). Startup: process start → first PONG (PING answered "
               "with -LOADING meanwhile is retried); *log* is the server's own \"DB loaded from ...: N "
               "seconds\" line.")
    out.append("")
    out.append("| measure | hematite | Redis | **ratio** | spread |")
    out.append("|---|---:|---:|---:|---|")

    def row(label, metric, fmt, scale=1.0):
        h, r = m[metric]["hematite"], m[metric]["redis"]
        mh, mr = median(h), median(r)
        out.append(f"| {label} | {fmt(mh * scale)} | {fmt(mr * scale)} | **{fr(ratio(mh, mr))}** "
                   f"| {spread([ratio(a, b) for a, b in zip(h, r)])} |")

    secs = lambda x: fr(x, 3)  # noqa: E731
    row("SAVE, s", "save_s", secs)
    row("dump.rdb, MiB", "rdb_size", lambda x: fr(x, 1), 1 / 1048576)
    row("startup from dump.rdb → PONG, s", "rdb_ready_s", secs)
    row("startup from dump.rdb, log, s", "rdb_log_s", secs)
    row("BGREWRITEAOF → done, s", "rewrite_s", secs)
    row("appendonlydir after rewrite, MiB", "aof_size", lambda x: fr(x, 1), 1 / 1048576)
    row("startup from AOF (RDB preamble) → PONG, s", "aof_ready_s", secs)
    row("startup from AOF, log, s", "aof_log_s", secs)
    row("startup, empty dir → PONG, s", "empty_ready_s", secs)
    out.append("")


# --------------------------------------------------------------------------
# Section 3: BGSAVE under write load.

def section_bgsave(sides, work, out):
    procs = {}
    for name in ("hematite", "redis"):
        d = os.path.join(work, f"data-{name}")
        have_dump = os.path.exists(os.path.join(d, "dump.rdb"))
        if not have_dump:
            shutil.rmtree(d, ignore_errors=True)
        p = sides.start(name, d, ["--save", "", "--appendonly", "no"], "bgsave")
        if have_dump:
            check_keys(p)
        else:
            load_dataset(p, ensure_dataset(work))
        procs[name] = p
    keyspace = N_STRINGS
    res = {}  # kind -> name -> list

    for rnd in range(1, ROUNDS + 1):
        for name in order(rnd):
            p = procs[name]
            # Plain run, with the same sampling (for the baseline overhead).
            plain = sampled_run(p, keyspace, save=False)
            saved = sampled_run(p, keyspace, save=True)
            saved["p99_factor"] = ratio(saved["p99"], plain["p99"])
            res.setdefault("plain", {}).setdefault(name, []).append(plain)
            res.setdefault("save", {}).setdefault(name, []).append(saved)
            log(f"  bgsave round {rnd} {name:8} plain: {plain['rps']:,.0f} rps p99 {plain['p99']:.2f} ms, "
                f"PSS +{mib(plain['pss_over'])} MiB | with {saved['saves']} BGSAVEs "
                f"(median {fr(saved['save_s'])}s): {saved['rps']:,.0f} rps p99 {saved['p99']:.2f} ms, "
                f"PSS +{mib(saved['pss_over'])} MiB over {mib(saved['pss_base'])}, peak RSS "
                f"{mib(saved['rss_peak'])} MiB")
    for name in procs:
        sides.stop(procs[name])

    out.append(f"## BGSAVE of {TOTAL_KEYS:,} keys under writes")
    out.append("")
    out.append(f"Per round and server: `redis-benchmark -t set -r {keyspace} -c {CLIENTS} -P 1 -n {BG_N:,}` "
               "(overwrites the dataset's strings) once plain and once with BGSAVE issued back to back for "
               "the whole run (the next as soon as one ends). PSS and RSS of the server and its children "
               "sampled every 50 ms from /proc/PID/smaps_rollup; *overhead* = peak PSS − PSS sampled just "
               "before the first BGSAVE (PSS counts pages shared with a forked child once). "
               f"{ROUNDS} alternating rounds, medians; *ratio* = hematite / Redis (**≤ 1 is the goal**; "
               "1.2 for memory).")
    out.append("")
    out.append("| measure | hematite | Redis | **ratio** | spread |")
    out.append("|---|---:|---:|---:|---|")

    def row(label, kind, key, fmt, with_ratio=True):
        h = [x[key] for x in res[kind]["hematite"]]
        r = [x[key] for x in res[kind]["redis"]]
        mh, mr = median(h), median(r)
        if not with_ratio:
            out.append(f"| {label} | {fmt(mh)} | {fmt(mr)} | — | — |")
            return
        out.append(f"| {label} | {fmt(mh)} | {fmt(mr)} | **{fr(ratio(mh, mr))}** "
                   f"| {spread([ratio(a, b) for a, b in zip(h, r)])} |")

    row("PSS before the saves, MiB", "save", "pss_base", mib)
    row("**peak PSS overhead during BGSAVE, MiB**", "save", "pss_over", mib)
    row("peak PSS overhead without BGSAVE, MiB", "plain", "pss_over", mib, with_ratio=False)
    row("peak RSS, server + children, during BGSAVE, MiB", "save", "rss_peak", mib)
    row("peak RSS without BGSAVE, MiB", "plain", "rss_peak", mib)
    row("BGSAVE duration under load, s", "save", "save_s", lambda x: fr(x, 2))
    row("BGSAVEs completed per run", "save", "saves", lambda x: fr(x, 1))
    row("**p99 latency during BGSAVE, ms**", "save", "p99", lambda x: fr(x, 2))
    row("p99 latency without BGSAVE, ms", "plain", "p99", lambda x: fr(x, 2))
    row("p99 during / p99 without (same round)", "save", "p99_factor", lambda x: fr(x, 2))
    row("max latency during BGSAVE, ms", "save", "max", lambda x: fr(x, 2))
    row("max latency without BGSAVE, ms", "plain", "max", lambda x: fr(x, 2))
    row("SET rps during BGSAVE", "save", "rps", fi)
    row("SET rps without BGSAVE", "plain", "rps", fi)
    out.append("")
    out.append("Memory and latency ratios are the goals (overhead ≤ 1.2×, p99 ≤ 1.0×); throughput rows > 1: "
               "hematite faster.")
    out.append("")


def sampled_run(p, keyspace, save):
    c = p.conn()
    bench = run_benchmark(p.port, BG_N, 1, keyspace, background=True)
    time.sleep(0.3)
    base_pss, base_rss, _ = tree_mem(p.pid)
    peak_pss, peak_rss = base_pss, base_rss
    durations, in_progress, t_save, issued = [], False, 0.0, 0
    while True:
        now = time.monotonic()
        running = bench.poll() is None
        if save:
            info = c.info("persistence")
            ip = field(info, "rdb_bgsave_in_progress", p.name) == "1"
            if in_progress and not ip:
                durations.append(now - t_save)
                in_progress = False
                if info.get("rdb_last_bgsave_status", "ok") != "ok":
                    raise SystemExit(f"{p.name}: BGSAVE failed:\n{p.log_tail()}")
            if not ip and running:
                try:
                    c.cmd("BGSAVE")
                    t_save, issued = now, issued + 1
                    in_progress = True
                except RespError as e:
                    if "in progress" not in str(e):
                        raise SystemExit(f"{p.name}: BGSAVE: {e}")
                    in_progress = True
        if not running and not in_progress:
            break
        pss, rss, _ = tree_mem(p.pid)
        peak_pss, peak_rss = max(peak_pss, pss), max(peak_rss, rss)
        time.sleep(0.05)
    c.close()
    res = finish_benchmark(bench)
    if not p.alive():
        raise SystemExit(f"{p.name} died during the BGSAVE benchmark:\n{p.log_tail()}")
    res.update(pss_base=base_pss, pss_over=peak_pss - base_pss, rss_peak=peak_rss, p99_factor=float("nan"),
               saves=len(durations), save_s=median(durations))
    if save and len(durations) < 2:
        log(f"  note: only {len(durations)} BGSAVE(s) completed during the run; raise BG_N")
    return res


# --------------------------------------------------------------------------

def main():
    sides = Sides()
    given = os.environ.get("WORK_DIR")
    work = given or tempfile.mkdtemp(prefix="hematite-bench-persist-")
    os.makedirs(work, exist_ok=True)
    keep = os.environ.get("KEEP", "") not in ("", "0")
    h_label = "hematite" if sides.kind == "hematite" else "redis (as hematite)"
    out = [f"# Persistence — {time.strftime('%Y-%m-%d %H:%M:%S')}", "",
           f"- hematite side: {h_label}: {servers.version(sides.argv0['hematite'])}"
           + (f" (extra args: `{shlex.join(HEMATITE_ARGS)}`)" if HEMATITE_ARGS else ""),
           f"- Redis side: {servers.version(sides.argv0['redis'])}",
           f"- {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at start; "
           f"ROUNDS={ROUNDS} KEYS={KEYS} BIG={BIG}" + (" (QUICK)" if QUICK else ""),
           "- Noise: on a shared 2-core VM, Redis against itself (`HEMATITE_BIN=redis`) gives ratios "
           "away from 1.00 by the amounts in bench/README.md (Persistence, noise floor); only ratios clearly "
           "outside that band, ideally with the whole spread on one side of 1.0, say something.",
           ""]
    t_start = time.monotonic()
    try:
        for s in SECTIONS:
            t0 = time.monotonic()
            if s == "aof":
                section_aof(sides, work, out)
            elif s == "save":
                section_save(sides, work, out)
            elif s == "bgsave":
                section_bgsave(sides, work, out)
            else:
                raise SystemExit(f"unknown section {s!r} (aof, save, bgsave)")
            log(f"section {s} done in {time.monotonic() - t0:.0f}s")
    finally:
        for b in BENCHMARKS:
            if b.poll() is None:
                b.kill()
                b.wait()
        sides.stop_all()
        if not keep and not given:
            shutil.rmtree(work, ignore_errors=True)
        elif not keep:  # a given WORK_DIR keeps the generated dataset as a cache
            for d in os.listdir(work):
                if os.path.isdir(os.path.join(work, d)):
                    shutil.rmtree(os.path.join(work, d), ignore_errors=True)
    out.append(f"Total run time {time.monotonic() - t_start:.0f}s.")
    path = servers.write_report("\n".join(out) + "\n", "persist")
    log(f"report: {path}")


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    main()
