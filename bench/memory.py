#!/usr/bin/env python3
"""Memory per data structure: hematite vs Redis (`used_memory` delta).

Usage (needs redis-py; scripts/test.sh's .venv-celery has it):
  .venv-celery/bin/python bench/memory.py            # target/release/hematite vs redis-server
  HEMATITE_BIN=redis .venv-celery/bin/python bench/memory.py   # Redis vs itself (validation)
  N=100000 SMALL=10000 ... bench/memory.py            # smaller run

For each workload, each server is started fresh (one after the other), its
`used_memory` (INFO memory) and RSS are read, the data is loaded through
redis-py pipelines of variadic commands (1000 elements per command), and
both are read again. Workloads:
  list   one key, N elements "value:%010d" (RPUSH)
  hash   one key, N fields "field:%010d" -> "value:%010d" (HSET)
  set    one key, N members "member:%010d" (SADD; strings, so a hashtable)
  zset   one key, N members "member:%010d" scored i (ZADD; skiplist)
  hashes SMALL keys "user:%08d", 10 fields "f0".."f9" -> "value:%d" each (listpack)
Prints a markdown table: delta of used_memory per server, bytes per element,
the ratio hematite / Redis (< 1: hematite uses less), the RSS deltas, and
OBJECT ENCODING. Element counts are checked after loading. The table is
also saved as bench/results/<timestamp>-memory.md (RESULTS_DIR).
"""

import os
import signal
import sys
import time

import redis

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import servers  # noqa: E402

N = int(os.environ.get("N", "1000000"))
SMALL = int(os.environ.get("SMALL", "100000"))
BATCH = 1000  # elements per command
PIPE = 50  # commands per pipeline round trip


def load_big(r, kind):
    key = "big:" + kind
    pipe = r.pipeline(transaction=False)
    for start in range(0, N, BATCH):
        ids = range(start, min(N, start + BATCH))
        if kind == "list":
            pipe.rpush(key, *[f"value:{i:010d}" for i in ids])
        elif kind == "hash":
            pipe.hset(key, mapping={f"field:{i:010d}": f"value:{i:010d}" for i in ids})
        elif kind == "set":
            pipe.sadd(key, *[f"member:{i:010d}" for i in ids])
        elif kind == "zset":
            pipe.zadd(key, {f"member:{i:010d}": i for i in ids})
        if len(pipe) >= PIPE:
            pipe.execute()
    pipe.execute()
    count = {"list": r.llen, "hash": r.hlen, "set": r.scard, "zset": r.zcard}[kind](key)
    return count, N, r.object("encoding", key)


def load_small_hashes(r):
    pipe = r.pipeline(transaction=False)
    for k in range(SMALL):
        pipe.hset(f"user:{k:08d}", mapping={f"f{j}": f"value:{j}" for j in range(10)})
        if len(pipe) >= PIPE * 10:
            pipe.execute()
    pipe.execute()
    return r.dbsize(), SMALL, r.object("encoding", "user:00000000")


WORKLOADS = [
    ("list", f"list, {N:,} elements", lambda r: load_big(r, "list"), N),
    ("hash", f"hash, {N:,} fields", lambda r: load_big(r, "hash"), N),
    ("set", f"set, {N:,} members", lambda r: load_big(r, "set"), N),
    ("zset", f"sorted set, {N:,} members", lambda r: load_big(r, "zset"), N),
    ("hashes", f"{SMALL:,} hashes of 10 fields", load_small_hashes, SMALL),
]


def used_memory(r):
    return int(r.info("memory")["used_memory"])


def measure(name, argv0, load):
    with servers.Server(name, argv0) as srv:
        r = redis.Redis(host="127.0.0.1", port=srv.port, socket_timeout=120)
        time.sleep(0.2)
        before, rss_before = used_memory(r), srv.rss_bytes()
        t0 = time.time()
        try:
            count, expected, encoding = load(r)
        except redis.RedisError as e:
            raise SystemExit(f"{name} ({' '.join(argv0)}): loading failed: {e}")
        load_s = time.time() - t0
        if count != expected:
            raise SystemExit(f"{name}: loaded {count} elements/keys, expected {expected}")
        time.sleep(0.2)
        after, rss_after = used_memory(r), srv.rss_bytes()
        r.close()
        encoding = encoding.decode() if isinstance(encoding, bytes) else encoding
        return after - before, rss_after - rss_before, encoding, load_s


def mib(x):
    return f"{x / 1048576:,.1f}"


def main():
    kind, h_argv0 = servers.hematite_side()
    r_argv0 = [servers.redis_server()]
    h_label = "hematite" if kind == "hematite" else "redis (as hematite)"
    rows = []
    for key, label, load, elements in WORKLOADS:
        res = {}
        for name, argv0 in (("hematite", h_argv0), ("redis", r_argv0)):
            res[name] = measure(name, argv0, load)
            print(f"  {label:32} {name:8} used_memory +{mib(res[name][0])} MiB, "
                  f"RSS +{mib(res[name][1])} MiB, {res[name][2]}, loaded in {res[name][3]:.1f}s", file=sys.stderr)
        rows.append((label, elements, res))

    out = []
    emit = out.append
    emit(f"# Memory per structure — {time.strftime('%Y-%m-%d %H:%M:%S')}")
    emit("")
    emit(f"- hematite side: {h_label}: {servers.version(h_argv0)}")
    emit(f"- Redis side: {servers.version(r_argv0)}")
    emit("- delta of INFO `used_memory` around loading one workload into a fresh server; "
          "*ratio* = hematite / Redis (< 1: hematite uses less)")
    emit("")
    emit("| workload | hematite MiB | Redis MiB | **ratio** | hematite B/elem | Redis B/elem "
          "| RSS MiB h / R | encoding h / R |")
    emit("|---|---:|---:|---:|---:|---:|---|---|")
    for label, elements, res in rows:
        h, r = res["hematite"], res["redis"]
        ratio = h[0] / r[0] if r[0] > 0 else float("nan")
        emit(f"| {label} | {mib(h[0])} | {mib(r[0])} | **{ratio:.2f}** | {h[0] / elements:.1f} "
              f"| {r[0] / elements:.1f} | {mib(h[1])} / {mib(r[1])} | {h[2]} / {r[2]} |")
    emit("")
    emit("B/elem: bytes per element (per key for the small hashes).")
    text = "\n".join(out) + "\n"
    sys.stdout.write(text)
    results = os.environ.get("RESULTS_DIR", os.path.join(servers.ROOT, "bench", "results"))
    os.makedirs(results, exist_ok=True)
    path = os.path.join(results, time.strftime("%Y%m%d-%H%M%S") + "-memory.md")
    with open(path, "w") as f:
        f.write(text)
    sys.stderr.write(f"report: {path}\n")


if __name__ == "__main__":
    # Run the `finally`/`with` cleanups (servers, workers) on SIGTERM too.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    main()
