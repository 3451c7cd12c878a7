#!/usr/bin/env python3
"""Memory per key and eviction (maxmemory): hematite vs Redis, side by side on one machine.

Usage (needs redis-py for the small-hashes workload; .venv-celery has it):
  .venv-celery/bin/python bench/evict.py                     # target/release/hematite vs redis-server (~15 min)
  HEMATITE_BIN=redis .venv-celery/bin/python bench/evict.py  # Redis vs itself: validation and noise floor
  QUICK=1 .venv-celery/bin/python bench/evict.py             # smoke run (~2-3 min): smaller sizes, 2 rounds
  SECTIONS=hits ZIPF_S=0.8 .venv-celery/bin/python bench/evict.py   # one section, another skew

Three sections (bench/README.md, "Eviction", explains every number):

memory  used_memory (INFO memory) and RSS deltas of loading, into a fresh
        server each: N_KEYS strings `SET key:%010d <VALUE bytes>`, the same
        with `EX TTL`, the same with 16-byte names `key:%012d`, and SMALL hashes of 10 fields (bench/memory.py's
        "hashes" workload, listpack). Loaded through pipelines; deterministic,
        so one run each. Ratio = hematite / Redis (< 1: hematite leaner).
evict   SET throughput at the limit: both servers run `--maxmemory MAXMEMORY
        --maxmemory-policy POLICY` (64mb, allkeys-lru), are pre-filled over the
        limit, then `redis-benchmark -t set -r RANGE -d VALUE -c CLIENTS -n N
        -P 1|16`, ROUNDS alternating rounds (odd: hematite first), medians,
        spread = min-max of the per-round ratios, requests per server
        CPU-second (utime+stime of /proc/PID/stat), evicted_keys per run,
        keys held, error replies, and the largest used_memory / maxmemory
        sampled every SAMPLE_MS ms from a side connection during the run.
        With BASELINE=1 (default) the same pre-fill and rounds are then run on
        two fresh servers without maxmemory, to show what eviction costs.
hits    hit ratio of a cache-aside loop (GET; on a miss SET) over a Zipf(ZIPF_S)
        sequence of HIT_REQUESTS keys drawn from HIT_KEYS possible keys with
        HIT_VALUE-byte values, for each policy of HIT_POLICIES, with
        `--maxmemory HIT_MAXMEMORY`. The same seeded sequence for both servers;
        pipelined in batches of BATCH GETs followed by the SETs of that batch's
        (distinct) misses; the first HIT_WARMUP requests are not counted; the
        run is paced to last at least HIT_SECONDS (both LRU and LFU clocks
        tick in seconds/minutes, so short runs would make the policies
        degenerate). Hit ratio counted by the client, cross-checked with the
        keyspace_hits / keyspace_misses deltas of INFO stats.

Knobs (environment; QUICK=1 defaults in parentheses): SECTIONS (memory,evict,hits),
N_KEYS 1000000 (200000), VALUE 100, TTL 100000, SMALL 100000 (20000); ROUNDS 5 (2),
MAXMEMORY 64mb, POLICY allkeys-lru, PREFILL 1000000 (600000), BASELINE 1, RANGE 10000000,
N_P1 400000 (100000), N_P16 1500000 (400000), CLIENTS 50, SAMPLE_MS 100; HIT_KEYS 1000000
(200000), HIT_VALUE 1000, HIT_MAXMEMORY 160mb (32mb), HIT_REQUESTS 2000000 (400000),
HIT_WARMUP 500000 (100000), HIT_SECONDS 90 (12), HIT_POLICIES allkeys-lru,allkeys-lfu,
ZIPF_S 1.0, SEED 1, BATCH 100; HEMATITE_BIN / HEMATITE_BIN_OVERRIDE / REDIS_SERVER
(bench/servers.py), HEMATITE_ARGS (extra arguments for the hematite side, shell-quoted),
RESULTS_DIR (bench/results). The report is printed and saved as
bench/results/<timestamp>-evict.md; progress goes to stderr.
"""

import itertools
import math
import os
import random
import shlex
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import servers  # noqa: E402
import persist  # noqa: E402
from persist import BENCHMARKS, Conn, RespError, fi, fr, median, mib, ratio, spread  # noqa: E402

QUICK = os.environ.get("QUICK", "") not in ("", "0")


def knob(name, default, quick=None):
    v = os.environ.get(name)
    if v is not None:
        return type(default)(v)
    return quick if (QUICK and quick is not None) else default


SECTIONS = [s.strip() for s in os.environ.get("SECTIONS", "memory,evict,hits").split(",") if s.strip()]
# memory
N_KEYS = knob("N_KEYS", 1_000_000, 200_000)
VALUE = knob("VALUE", 100)
TTL = knob("TTL", 100_000)
SMALL = knob("SMALL", 100_000, 20_000)
# evict
ROUNDS = knob("ROUNDS", 5, 2)
MAXMEMORY = knob("MAXMEMORY", "64mb")
POLICY = knob("POLICY", "allkeys-lru")
PREFILL = knob("PREFILL", 1_000_000, 600_000)
BASELINE = knob("BASELINE", 1)
RANGE = knob("RANGE", 10_000_000)
N_P1 = knob("N_P1", 400_000, 100_000)
N_P16 = knob("N_P16", 1_500_000, 400_000)
CLIENTS = knob("CLIENTS", 50)
SAMPLE_MS = knob("SAMPLE_MS", 100)
# hits
HIT_KEYS = knob("HIT_KEYS", 1_000_000, 200_000)
HIT_VALUE = knob("HIT_VALUE", 1000)
HIT_MAXMEMORY = knob("HIT_MAXMEMORY", "160mb", "32mb")
HIT_REQUESTS = knob("HIT_REQUESTS", 2_000_000, 400_000)
HIT_WARMUP = knob("HIT_WARMUP", 500_000, 100_000)
HIT_SECONDS = knob("HIT_SECONDS", 90.0, 12.0)
HIT_POLICIES = [s.strip() for s in knob("HIT_POLICIES", "allkeys-lru,allkeys-lfu").split(",") if s.strip()]
ZIPF_S = knob("ZIPF_S", 1.0)
SEED = knob("SEED", 1)
BATCH = knob("BATCH", 100)

HEMATITE_ARGS = shlex.split(os.environ.get("HEMATITE_ARGS", ""))
LOAD_BATCH = 10_000  # commands per round trip when loading
NAMES = servers.NAMES


def log(msg):
    print(msg, file=sys.stderr, flush=True)


order = servers.order


def pct(x):
    return "n/a" if x is None or math.isnan(x) else f"{100 * x:.2f}%"


# --------------------------------------------------------------------------
# Servers and small protocol helpers.

class Sides(servers.Contenders):
    def start(self, name, args=()):
        extra = HEMATITE_ARGS if name == "hematite" else []
        srv = servers.Server(name, self.argv0[name], list(args) + extra)
        self.live.append(srv)
        c = Conn(srv.port)
        pid = c.info("server").get("process_id")
        c.close()
        if pid is not None and int(pid) != srv.proc.pid:
            raise SystemExit(f"{name}: port {srv.port} is answered by pid {pid}, not by the server started "
                             f"(pid {srv.proc.pid}); is the port taken?")
        return srv


def alive_or_die(srv, what):
    if srv.proc.poll() is not None:
        raise SystemExit(f"{srv.name} died during {what} (exit status {srv.proc.returncode}):\n{srv.log_tail(40)}")


def info_int(info, key, default=None):
    v = info.get(key)
    if v is None:
        return default
    try:
        return int(v)
    except ValueError:
        return default


def bulk(a):
    a = a if isinstance(a, bytes) else str(a).encode()
    return b"$%d\r\n%s\r\n" % (len(a), a)


def command(*args):
    return b"*%d\r\n" % len(args) + b"".join(bulk(a) for a in args)


def pipeline_ok(c, cmds, who):
    """Sends the commands in one write and checks that every reply is +OK."""
    c.sock.sendall(b"".join(cmds))
    expect = b"+OK\r\n" * len(cmds)
    got = c.f.read(len(expect))
    if got != expect:
        bad = next((line for line in got.split(b"\r\n") if line and line != b"+OK"), got[:200])
        raise SystemExit(f"{who}: loading failed, reply {bad[:200]!r}")


class Sampler(threading.Thread):
    """Polls INFO memory on its own connection; keeps the largest used_memory seen."""

    def __init__(self, port, interval_s):
        super().__init__(daemon=True)
        self.conn = Conn(port)
        self.interval = interval_s
        self.stop_ev = threading.Event()
        self.max_used = 0
        self.samples = 0
        self.error = None

    def run(self):
        try:
            while True:
                used = info_int(self.conn.info("memory"), "used_memory", 0)
                self.max_used = max(self.max_used, used)
                self.samples += 1
                if self.stop_ev.wait(self.interval):
                    break
        except (OSError, ConnectionError, RespError) as e:
            self.error = e

    def finish(self):
        self.stop_ev.set()
        self.join()
        self.conn.close()
        return self.max_used


def to_bytes(size):
    """Redis-style memory size ("64mb", "1gb", "1000") in bytes."""
    s = size.strip().lower()
    for suffix, mult in (("kb", 1024), ("mb", 1024 ** 2), ("gb", 1024 ** 3), ("k", 1000), ("m", 1000 ** 2),
                         ("g", 1000 ** 3), ("b", 1)):
        if s.endswith(suffix):
            return int(s[: -len(suffix)]) * mult
    return int(s)


# --------------------------------------------------------------------------
# Section 1: memory per key.

POOL = bytes(random.Random(7).choice(b"abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(4096))


def string_value(i, size):
    off = (i * 37) % (len(POOL) - size) if size < len(POOL) else 0
    return POOL[off: off + size]


def load_strings(srv, ttl, digits=10):
    c = Conn(srv.port)
    ex = [b"EX", str(TTL).encode()] if ttl else []
    fmt = b"key:%0" + str(digits).encode() + b"d"
    for start in range(0, N_KEYS, LOAD_BATCH):
        cmds = [command(b"SET", fmt % i, string_value(i, VALUE), *ex)
                for i in range(start, min(N_KEYS, start + LOAD_BATCH))]
        pipeline_ok(c, cmds, srv.name)
    n = c.cmd("DBSIZE")
    ks = c.info("keyspace").get("db0", "")
    encoding = c.cmd("OBJECT", "ENCODING", fmt % 0)
    c.close()
    if n != N_KEYS:
        raise SystemExit(f"{srv.name}: DBSIZE {n} after loading {N_KEYS} keys")
    if ttl and f"expires={N_KEYS}" not in ks:
        raise SystemExit(f"{srv.name}: INFO keyspace says {ks!r}, expected expires={N_KEYS}")
    return N_KEYS, encoding.decode() if isinstance(encoding, bytes) else encoding


def load_hashes(srv):
    import memory  # bench/memory.py (needs redis-py)
    import redis
    memory.SMALL = SMALL
    r = redis.Redis(host="127.0.0.1", port=srv.port, socket_timeout=120)
    count, expected, encoding = memory.load_small_hashes(r)
    r.close()
    if count != expected:
        raise SystemExit(f"{srv.name}: DBSIZE {count} after loading {expected} hashes")
    return count, encoding.decode() if isinstance(encoding, bytes) else encoding


def section_memory(sides, out):
    workloads = [
        (f"{N_KEYS:,} strings of {VALUE} B", lambda s: load_strings(s, False)),
        (f"{N_KEYS:,} strings of {VALUE} B with EX {TTL}", lambda s: load_strings(s, True)),
        (f"{N_KEYS:,} strings of {VALUE} B, 16-byte names `key:%012d`", lambda s: load_strings(s, False, 12)),
        (f"{SMALL:,} hashes of 10 fields", load_hashes),
    ]
    rows = []
    for label, load in workloads:
        res = {}
        for name in NAMES:
            srv = sides.start(name)
            c = Conn(srv.port)
            time.sleep(0.2)
            used0, rss0 = info_int(c.info("memory"), "used_memory"), srv.rss_bytes()
            t0 = time.monotonic()
            keys, encoding = load(srv)
            load_s = time.monotonic() - t0
            time.sleep(0.2)
            used1, rss1 = info_int(c.info("memory"), "used_memory"), srv.rss_bytes()
            enc = encoding
            c.close()
            alive_or_die(srv, "loading")
            sides.stop(srv)
            res[name] = dict(used=used1 - used0, rss=rss1 - rss0, keys=keys, enc=enc, load_s=load_s)
            log(f"  memory {label:36} {name:8} used_memory +{mib(used1 - used0)} MiB "
                f"({(used1 - used0) / keys:.1f} B/key), RSS +{mib(rss1 - rss0)} MiB, {enc}, "
                f"loaded in {load_s:.1f}s")
        rows.append((label, res))

    out.append("## Memory per key")
    out.append("")
    out.append("Delta of INFO `used_memory` and of the process RSS around loading one workload into a fresh "
               "server (no maxmemory), loaded through pipelines of "
               f"{LOAD_BATCH:,} commands; one run each (deterministic). *ratio* = hematite / Redis "
               "(**< 1: hematite leaner**; goal ≤ 0.8). Keys `key:%010d` (14 bytes) unless said otherwise: Redis "
               "keeps a key name of up to 14 bytes in a 16-byte allocation (sdshdr5 + NUL) and a 16-byte one "
               "in 32 bytes, hence the third row. Hashes: `HSET user:%08d f0 value:0 … f9 value:9` "
               "(bench/memory.py's small hashes).")
    out.append("")
    out.append("| workload | hematite MiB | Redis MiB | **ratio** | hematite B/key | Redis B/key "
               "| RSS MiB h / R | RSS ratio | encoding h / R | load s h / R |")
    out.append("|---|---:|---:|---:|---:|---:|---|---:|---|---|")
    for label, res in rows:
        h, r = res["hematite"], res["redis"]
        out.append(f"| {label} | {mib(h['used'])} | {mib(r['used'])} | **{fr(ratio(h['used'], r['used']))}** "
                   f"| {h['used'] / h['keys']:.1f} | {r['used'] / r['keys']:.1f} "
                   f"| {mib(h['rss'])} / {mib(r['rss'])} | {fr(ratio(h['rss'], r['rss']))} "
                   f"| {h['enc']} / {r['enc']} | {h['load_s']:.1f} / {r['load_s']:.1f} |")
    out.append("")


# --------------------------------------------------------------------------
# Section 2: SET throughput while evicting.

def run_benchmark(port, n, pipeline):
    return persist.run_benchmark(port, n, pipeline, RANGE, clients=CLIENTS, extra=["-d", str(VALUE)])


def stats(c):
    st = c.info("stats")
    return info_int(st, "evicted_keys"), info_int(st, "total_error_replies")


def probe_write(c, who):
    """A SET of a new key must succeed under allkeys-*: returns None or the error text."""
    try:
        c.cmd("SET", f"evict:probe:{who}:{time.monotonic_ns()}", "x" * VALUE)
        return None
    except RespError as e:
        return str(e)


def evict_pass(sides, limited):
    """Starts both servers (with or without the limit), pre-fills them, runs the rounds."""
    args = ["--maxmemory", MAXMEMORY, "--maxmemory-policy", POLICY] if limited else []
    tag = "evict" if limited else "no-limit"
    procs, conns, maxmem, prefill = {}, {}, {}, {}
    try:
        for name in NAMES:
            srv = sides.start(name, args)
            procs[name] = srv
            c = conns[name] = Conn(srv.port)
            maxmem[name] = int(c.cmd("CONFIG", "GET", "maxmemory")[1])
            if limited and maxmem[name] != to_bytes(MAXMEMORY):
                log(f"  warning: {name} reports maxmemory {maxmem[name]}, asked for {MAXMEMORY}")
            sampler = Sampler(srv.port, SAMPLE_MS / 1000)
            sampler.start()
            t0 = time.monotonic()
            run_benchmark(srv.port, PREFILL, 16)
            peak = sampler.finish()
            alive_or_die(srv, "the pre-fill")
            ev, err = stats(c)
            used = info_int(c.info("memory"), "used_memory")
            prefill[name] = dict(evicted=ev, errors=err, used=used, peak=peak, keys=c.cmd("DBSIZE"),
                                 s=time.monotonic() - t0)
            log(f"  {tag} pre-fill {name:8} {PREFILL:,} SETs in {prefill[name]['s']:.1f}s: "
                f"{prefill[name]['keys']:,} keys, used_memory {mib(used)} MiB (max sampled {mib(peak)}), "
                f"evicted_keys {ev}, error replies {err}")
            if limited and not ev:
                log(f"  warning: {name}: no key evicted by the pre-fill (PREFILL too small for MAXMEMORY?)")

        results = {}  # pipeline -> name -> list of dicts
        for rnd in range(1, ROUNDS + 1):
            for pipeline in (1, 16):
                n = N_P1 if pipeline == 1 else N_P16
                for name in order(rnd):
                    srv, c = procs[name], conns[name]
                    ev0, err0 = stats(c)
                    sampler = Sampler(srv.port, SAMPLE_MS / 1000)
                    sampler.start()
                    cpu0 = srv.cpu_seconds()
                    res = run_benchmark(srv.port, n, pipeline)
                    cpu = srv.cpu_seconds() - cpu0
                    peak = sampler.finish()
                    alive_or_die(srv, f"the -P {pipeline} run")
                    ev1, err1 = stats(c)
                    mm = maxmem[name] or float("nan")
                    res.update(
                        req_cpu_s=n / cpu if cpu > 0 else float("nan"),
                        evicted=(ev1 - ev0) if ev0 is not None and ev1 is not None else float("nan"),
                        errors=(err1 - err0) if err0 is not None and err1 is not None else float("nan"),
                        peak=peak, peak_frac=peak / mm, keys=c.cmd("DBSIZE"), samples=sampler.samples,
                        probe=probe_write(c, name) if limited else None)
                    if sampler.error:
                        log(f"  warning: {name}: the INFO sampler failed: {sampler.error}")
                    results.setdefault(pipeline, {}).setdefault(name, []).append(res)
                    log(f"  {tag} round {rnd} -P {pipeline:<2} {name:8} {res['rps']:>10,.0f} rps "
                        f"{res['req_cpu_s']:>10,.0f} req/CPU-s  p99 {res['p99']:.2f} ms  evicted {res['evicted']:,} "
                        f"keys {res['keys']:,}  max used {mib(peak)} MiB"
                        + (f" = {res['peak_frac']:.4f} of maxmemory" if limited else "")
                        + f" ({res['samples']} samples)  errors {res['errors']}"
                        + (f"  PROBE SET FAILED: {res['probe']}" if res["probe"] else ""))
        own_peak = {name: info_int(conns[name].info("memory"), "used_memory_peak") for name in NAMES}
    finally:
        for name in list(procs):
            if name in conns:
                conns[name].close()
            sides.stop(procs[name])
    return dict(results=results, prefill=prefill, maxmem=maxmem, own_peak=own_peak)


def section_evict(sides, out):
    lim = evict_pass(sides, True)
    base = evict_pass(sides, False) if BASELINE else None
    results, prefill, maxmem, own_peak = lim["results"], lim["prefill"], lim["maxmem"], lim["own_peak"]

    out.append(f"## SET throughput at the limit ({MAXMEMORY}, {POLICY})")
    out.append("")
    out.append(f"Both servers run `--maxmemory {MAXMEMORY} --maxmemory-policy {POLICY}` and were pre-filled with "
               f"`redis-benchmark -t set -r {RANGE} -d {VALUE} -P 16 -n {PREFILL:,}` (hematite: "
               f"{prefill['hematite']['keys']:,} keys, {prefill['hematite']['evicted']:,} evicted, used_memory "
               f"{mib(prefill['hematite']['used'])} MiB; Redis: {prefill['redis']['keys']:,} keys, "
               f"{prefill['redis']['evicted']:,} evicted, {mib(prefill['redis']['used'])} MiB). Runs: "
               f"`redis-benchmark -t set -r {RANGE} -d {VALUE} -c {CLIENTS}`, {N_P1:,} requests at -P 1, "
               f"{N_P16:,} at -P 16 (almost every SET creates a key, so almost every SET evicts one); {ROUNDS} "
               "alternating rounds, medians; *ratio* = hematite / Redis (> 1: hematite faster, or less CPU per "
               "request); spread = min–max of the per-round ratios. *evicted* = evicted_keys delta per run; "
               "*keys held* = DBSIZE after the run (more = less memory per key); *max used/maxmemory* = "
               f"the largest INFO used_memory sampled every {SAMPLE_MS} ms during the run over maxmemory "
               "(median over rounds; the largest of all runs below); *errors* = total_error_replies delta "
               "(should be 0: allkeys policies never answer -OOM while keys remain)."
               + (" Rows *no limit*: the same pre-fill and runs on two other fresh servers without maxmemory "
                  "(the cost of eviction is the difference)." if base else ""))
    out.append("")
    out.append("| limit | -P | hematite rps | Redis rps | **ratio** | spread | hematite req/CPU-s | Redis req/CPU-s "
               "| **CPU ratio** | CPU spread | p99 ms h / R | evicted/run h / R | keys held h / R "
               "| max used/maxmemory h / R | errors h / R |")
    out.append("|---|---:|---:|---:|---:|---|---:|---:|---:|---|---|---|---|---|---|")
    m = lambda xs, k: median([x[k] for x in xs])  # noqa: E731
    passes = [(MAXMEMORY, results)] + ([("no limit", base["results"])] if base else [])
    for label, res_by in passes:
        for pipeline, by in res_by.items():
            h, r = by["hematite"], by["redis"]
            frac = (f"{fr(m(h, 'peak_frac'), 4)} / {fr(m(r, 'peak_frac'), 4)}" if label != "no limit"
                    else f"({mib(m(h, 'peak'))} / {mib(m(r, 'peak'))} MiB)")
            out.append(
                f"| {label} | {pipeline} | {fi(m(h, 'rps'))} | {fi(m(r, 'rps'))} "
                f"| **{fr(ratio(m(h, 'rps'), m(r, 'rps')))}** "
                f"| {spread([ratio(a['rps'], b['rps']) for a, b in zip(h, r)])} "
                f"| {fi(m(h, 'req_cpu_s'))} | {fi(m(r, 'req_cpu_s'))} "
                f"| **{fr(ratio(m(h, 'req_cpu_s'), m(r, 'req_cpu_s')))}** "
                f"| {spread([ratio(a['req_cpu_s'], b['req_cpu_s']) for a, b in zip(h, r)])} "
                f"| {fr(m(h, 'p99'))} / {fr(m(r, 'p99'))} | {fi(m(h, 'evicted'))} / {fi(m(r, 'evicted'))} "
                f"| {fi(m(h, 'keys'))} / {fi(m(r, 'keys'))} | {frac} "
                f"| {fi(sum(x['errors'] for x in h))} / {fi(sum(x['errors'] for x in r))} |")
    out.append("")
    if base:
        parts = []
        for pipeline in results:
            for name, label in (("hematite", "hematite"), ("redis", "Redis")):
                a, b = results[pipeline][name], base["results"][pipeline][name]
                parts.append(f"{label} -P {pipeline}: {fr(ratio(m(a, 'rps'), m(b, 'rps')))} of the rps, "
                             f"{fr(ratio(m(a, 'req_cpu_s'), m(b, 'req_cpu_s')))} of the req/CPU-s")
        out.append("At the limit vs no limit (same server, medians): " + "; ".join(parts) + ".")
        out.append("")
    worst, failed_probes = {}, []
    for name in NAMES:
        worst[name] = max(x["peak"] for by in results.values() for x in by[name])
        failed_probes += [(name, p, x["probe"]) for p, by in results.items() for x in by[name] if x["probe"]]

    def over(name, x):
        return f"{x / maxmem[name]:.4f} ({(x - maxmem[name]) / 1024:+,.0f} KiB)" if x else "n/a"

    out.append("Largest used_memory / maxmemory (and its distance to maxmemory) sampled in any run: hematite "
               f"{over('hematite', worst['hematite'])}, Redis {over('redis', worst['redis'])}; during the pre-fill: "
               f"hematite {over('hematite', prefill['hematite']['peak'])}, Redis "
               f"{over('redis', prefill['redis']['peak'])}; the servers' own `used_memory_peak` at the end: "
               f"hematite {over('hematite', own_peak['hematite'])}, Redis {over('redis', own_peak['redis'])}. "
               "Errors are summed over the rounds.")
    if failed_probes:
        out.append("")
        out.append("**A SET of a new key after a run failed:** " +
                   "; ".join(f"{n} after -P {p}: `{e}`" for n, p, e in failed_probes))
    out.append("")


# --------------------------------------------------------------------------
# Section 3: hit ratio of a cache-aside loop on a Zipf-distributed key sequence.

def zipf_sequence():
    """HIT_REQUESTS key ids in [0, HIT_KEYS): rank r drawn with weight 1/(r+1)^s, ranks mapped to ids by a
    seeded permutation (the hot keys are spread over the key names)."""
    rng = random.Random(SEED)
    cum = list(itertools.accumulate(1.0 / (r + 1) ** ZIPF_S for r in range(HIT_KEYS)))
    ranks = rng.choices(range(HIT_KEYS), cum_weights=cum, k=HIT_REQUESTS)
    perm = list(range(HIT_KEYS))
    rng.shuffle(perm)
    return [perm[x] for x in ranks], cum


def hit_value(i):
    head = b"%010d:" % i
    return head + POOL[: HIT_VALUE - len(head)] if HIT_VALUE > len(head) else head[:HIT_VALUE]


def cache_run(srv, seq):
    """The cache-aside loop; returns the counts of the measured part (after HIT_WARMUP)."""
    c = Conn(srv.port)
    nbatches = (len(seq) + BATCH - 1) // BATCH
    hits = misses = set_errors = bad_values = 0
    error_text = None
    base = None
    sampler = Sampler(srv.port, SAMPLE_MS / 1000)
    sampler.start()
    t0 = time.monotonic()
    t_measure = t0
    for b in range(nbatches):
        start = b * BATCH
        if start >= HIT_WARMUP and base is None:
            st = c.info("stats")
            base = (info_int(st, "keyspace_hits"), info_int(st, "keyspace_misses"), info_int(st, "evicted_keys"))
            t_measure = time.monotonic()
        due = t0 + HIT_SECONDS * b / nbatches
        now = time.monotonic()
        if now < due:
            time.sleep(due - now)
        keys = seq[start: start + BATCH]
        c.sock.sendall(b"".join(b"*2\r\n$3\r\nGET\r\n$14\r\nobj:%010d\r\n" % k for k in keys))
        missed = {}
        h = 0
        for k in keys:
            v = c.read()
            if v is None:
                missed[k] = True
            elif isinstance(v, RespError):
                raise SystemExit(f"{srv.name}: GET obj:{k:010d} failed: {v}")
            else:
                h += 1
                if len(v) != HIT_VALUE:
                    bad_values += 1
        if start >= HIT_WARMUP:
            hits += h
            misses += len(keys) - h
        if missed:
            c.sock.sendall(b"".join(command(b"SET", b"obj:%010d" % k, hit_value(k)) for k in missed))
            for _ in missed:
                v = c.read()
                if isinstance(v, RespError):
                    set_errors += 1
                    error_text = error_text or str(v)
    elapsed = time.monotonic() - t_measure
    total = time.monotonic() - t0
    peak = sampler.finish()
    st = c.info("stats")
    mem = c.info("memory")
    keys_held = c.cmd("DBSIZE")
    c.close()
    alive_or_die(srv, "the cache-aside run")
    if base is None:
        base = (None, None, None)

    def delta(k, i):
        v = info_int(st, k)
        return v - base[i] if v is not None and base[i] is not None else None

    ih, im, ev = delta("keyspace_hits", 0), delta("keyspace_misses", 1), delta("evicted_keys", 2)
    return dict(hits=hits, misses=misses, ratio=ratio(hits, hits + misses),
                info_ratio=ratio(ih, ih + im) if ih is not None and im is not None else float("nan"),
                info_hits=ih, info_misses=im, evicted=ev, keys=keys_held,
                used=info_int(mem, "used_memory"), maxmemory=info_int(mem, "maxmemory"),
                peak=peak, seconds=elapsed, total_s=total, set_errors=set_errors, error_text=error_text,
                bad_values=bad_values, rps=(hits + misses) / elapsed if elapsed > 0 else float("nan"))


def section_hits(sides, out):
    t0 = time.monotonic()
    seq, cum = zipf_sequence()
    measured = seq[HIT_WARMUP:]
    distinct = len(set(seq))
    log(f"  hits: {len(seq):,} requests generated in {time.monotonic() - t0:.1f}s "
        f"({distinct:,} distinct keys of {HIT_KEYS:,})")
    maxmem = to_bytes(HIT_MAXMEMORY)
    approx_fit = maxmem // (HIT_VALUE + 80)
    # What an oracle keeping the `approx_fit` most popular keys would hit (a reference, not a bound
    # for LRU: it knows the distribution).
    ideal = cum[min(approx_fit, HIT_KEYS) - 1] / cum[-1] if approx_fit else float("nan")
    results = {}
    for i, policy in enumerate(HIT_POLICIES):
        for name in order(i + 1):
            srv = sides.start(name, ["--maxmemory", HIT_MAXMEMORY, "--maxmemory-policy", policy])
            res = cache_run(srv, seq)
            sides.stop(srv)
            results.setdefault(policy, {})[name] = res
            log(f"  hits {policy:12} {name:8} hit ratio {pct(res['ratio'])} (INFO {pct(res['info_ratio'])}), "
                f"{res['keys']:,} keys held, evicted {res['evicted']}, max used/maxmemory "
                f"{res['peak'] / maxmem:.4f}, measured part {res['seconds']:.1f}s ({res['rps']:,.0f} req/s), "
                f"SET errors {res['set_errors']}" + (f" ({res['error_text']})" if res["error_text"] else "")
                + (f", {res['bad_values']} GETs returned a value of the wrong size" if res["bad_values"] else ""))

    out.append(f"## Hit ratio, Zipf s={ZIPF_S}, maxmemory {HIT_MAXMEMORY}")
    out.append("")
    out.append(f"Cache-aside loop (GET obj:%010d; on a miss SET it to a {HIT_VALUE}-byte value) over "
               f"{HIT_REQUESTS:,} requests drawn from {HIT_KEYS:,} possible keys with Zipf s={ZIPF_S} "
               f"(seed {SEED}, the same sequence for both servers; {distinct:,} distinct keys requested), "
               f"`--maxmemory {HIT_MAXMEMORY}`. Pipelined: {BATCH} GETs per round trip, then one SET per "
               f"distinct key that missed in that batch (so a key missing twice in a batch misses twice, on "
               f"both servers). The first {HIT_WARMUP:,} requests are warm-up; the other {len(measured):,} are "
               f"counted. Runs are paced to last at least {HIT_SECONDS:g} s: both servers keep the LRU clock "
               "in seconds (1 s resolution) and LFU decay in minutes, so a short run would give many keys the "
               "same access time. *hit ratio* = hits / (hits + misses) counted by the client; *INFO* = "
               "keyspace_hits / (keyspace_hits + keyspace_misses) deltas over the counted part. *keys held* = "
               "DBSIZE at the end: how many values fit (memory per key matters as much as the policy). "
               f"Reference: keeping the ~{approx_fit:,} most popular keys (≈ maxmemory / "
               f"({HIT_VALUE} + 80) B) would give {pct(ideal)}. Goal: hematite ≥ Redis.")
    out.append("")
    out.append("| policy | hematite hit ratio | Redis hit ratio | **h − R** | INFO hit ratio h / R "
               "| keys held h / R | evicted h / R | max used/maxmemory h / R | counted part s h / R "
               "| SET errors h / R |")
    out.append("|---|---:|---:|---:|---|---|---|---|---|---|")
    for policy, by in results.items():
        h, r = by["hematite"], by["redis"]
        out.append(f"| {policy} | {pct(h['ratio'])} | {pct(r['ratio'])} | **{100 * (h['ratio'] - r['ratio']):+.2f} pp** "
                   f"| {pct(h['info_ratio'])} / {pct(r['info_ratio'])} | {fi(h['keys'])} / {fi(r['keys'])} "
                   f"| {fi(h['evicted'] if h['evicted'] is not None else float('nan'))} / "
                   f"{fi(r['evicted'] if r['evicted'] is not None else float('nan'))} "
                   f"| {h['peak'] / maxmem:.4f} / {r['peak'] / maxmem:.4f} "
                   f"| {h['seconds']:.1f} / {r['seconds']:.1f} | {h['set_errors']} / {r['set_errors']} |")
    out.append("")
    for policy, by in results.items():
        for name in NAMES:
            x = by[name]
            if x["info_hits"] is not None and x["info_hits"] != x["hits"]:
                out.append(f"- note: {policy} {name}: INFO counted {x['info_hits']:,} hits / {x['info_misses']:,} "
                           f"misses, the client {x['hits']:,} / {x['misses']:,}.")
            if x["bad_values"]:
                out.append(f"- **{policy} {name}: {x['bad_values']} GETs returned a value of the wrong size.**")
            if x["error_text"]:
                out.append(f"- **{policy} {name}: {x['set_errors']} SETs failed, e.g. `{x['error_text']}`.**")
    out.append("")


# --------------------------------------------------------------------------

def main():
    sides = Sides()
    h_label = "hematite" if sides.kind == "hematite" else "redis (as hematite)"
    out = [f"# Memory per key and eviction — {time.strftime('%Y-%m-%d %H:%M:%S')}", "",
           f"- hematite side: {h_label}: {servers.version(sides.argv0['hematite'])}"
           + (f" (extra args: `{shlex.join(HEMATITE_ARGS)}`)" if HEMATITE_ARGS else ""),
           f"- Redis side: {servers.version(sides.argv0['redis'])}",
           f"- {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at start"
           + (" (QUICK)" if QUICK else ""),
           "- hematite's default `eviction-protected-keys` (Celery/kombu names) matches none of the keys used "
           "here, so both servers may evict every key.",
           ""]
    t_start = time.monotonic()
    try:
        for s in SECTIONS:
            t0 = time.monotonic()
            if s == "memory":
                section_memory(sides, out)
            elif s == "evict":
                section_evict(sides, out)
            elif s == "hits":
                section_hits(sides, out)
            else:
                raise SystemExit(f"unknown section {s!r} (memory, evict, hits)")
            log(f"section {s} done in {time.monotonic() - t0:.0f}s")
    finally:
        for b in BENCHMARKS:
            if b.poll() is None:
                b.kill()
                b.wait()
        sides.stop_all()
    out.append(f"Total run time {time.monotonic() - t_start:.0f}s.")
    path = servers.write_report("\n".join(out) + "\n", "evict")
    log(f"report: {path}")


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    main()
