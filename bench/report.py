#!/usr/bin/env python3
"""Turns the raw TSV written by bench/compare.sh into a markdown report.

Input columns: round, pipeline, server (hematite|redis), test, n, rps, p50_ms,
cpu_ticks (server utime+stime consumed during the run, in clock ticks).

For every workload (test x pipeline) it prints the median requests/second of
each server, their ratio (hematite / Redis; > 1 means hematite is faster), the
min-max of the per-round ratios (the noise), the median requests per server
CPU-second of each server and the ratio of those (> 1 means hematite spends
less CPU per request). Run information comes from environment variables set
by compare.sh. Standard library only.
"""

import csv
import math
import os
import platform
import statistics
import sys
import time
from collections import OrderedDict, defaultdict


def fmt_int(x):
    if x is None or math.isnan(x) or math.isinf(x):
        return "n/a"
    return f"{x:,.0f}"


def fmt_ratio(x):
    if x is None or math.isnan(x) or math.isinf(x):
        return "n/a"
    return f"{x:.2f}"


def safe_div(a, b):
    if b == 0 or a is None or b is None or math.isnan(a) or math.isnan(b):
        return float("nan")
    return a / b


def median(xs):
    xs = [x for x in xs if not math.isnan(x)]
    return statistics.median(xs) if xs else float("nan")


def geomean(xs):
    xs = [x for x in xs if x > 0 and not math.isnan(x) and not math.isinf(x)]
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else float("nan")


def main(path):
    clk_tck = int(os.environ.get("CLK_TCK", os.sysconf("SC_CLK_TCK")))
    # (test, pipeline) -> server -> round -> (rps, req per cpu-s, p50)
    data = OrderedDict()
    with open(path, newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            key = (row["test"], int(row["pipeline"]))
            ticks = int(row["cpu_ticks"])
            cpu_s = ticks / clk_tck
            per_cpu = int(row["n"]) / cpu_s if ticks > 0 else float("nan")
            data.setdefault(key, defaultdict(dict))[row["server"]][int(row["round"])] = (
                float(row["rps"]),
                per_cpu,
                float(row["p50_ms"]),
            )

    kind = os.environ.get("H_KIND", "hematite")
    out = []
    out.append(f"# hematite vs Redis — {time.strftime('%Y-%m-%d %H:%M:%S')}")
    out.append("")
    h_desc = os.environ.get("H_VERSION") or os.environ.get("H_BIN", "?")
    if kind == "redis":
        h_desc = "**redis-server standing in for hematite (HEMATITE_BIN_OVERRIDE=redis: noise-floor run)**"
    if kind != "redis":
        h_desc += f" (`hematite server --port P --bind 127.0.0.1 {os.environ.get('HEMATITE_ARGS', '')}`)"
    out.append(f"- hematite side: {h_desc}")
    out.append(f"- Redis side: {os.environ.get('R_VERSION', '?')}")
    out.append(
        f"- redis-benchmark -c {os.environ.get('CLIENTS', '?')}, rounds {os.environ.get('ROUNDS', '?')} "
        f"(alternating order), n = {os.environ.get('N_P1', '?')} at -P 1, {os.environ.get('N_P16', '?')} at -P 16"
    )
    pins = ""
    if os.environ.get("SERVER_CPUS") or os.environ.get("BENCH_CPUS"):
        pins = f", servers pinned to CPUs {os.environ.get('SERVER_CPUS') or 'any'}, " \
               f"benchmark to {os.environ.get('BENCH_CPUS') or 'any'}"
    out.append(f"- host: {platform.node()}, {os.cpu_count()} CPUs, Linux {platform.release()}{pins}")
    out.append("")
    out.append("Medians over rounds. *ratio* = hematite / Redis (> 1: hematite faster); *spread* = min–max of "
               "the per-round ratios. *req/CPU-s* = requests per second of server CPU (user+sys, all threads); "
               "*CPU ratio* > 1: hematite uses less CPU per request.")
    out.append("")
    out.append("| test | -P | hematite rps | Redis rps | ratio | spread | hematite req/CPU-s | Redis req/CPU-s "
               "| CPU ratio | CPU spread | p50 ms h / R |")
    out.append("|---|---:|---:|---:|---:|---|---:|---:|---:|---|---|")

    by_pipeline = defaultdict(lambda: ([], []))
    for (test, p), servers in sorted(data.items(), key=lambda kv: (kv[0][1], list(data).index(kv[0]))):
        h, r = servers.get("hematite", {}), servers.get("redis", {})
        h_rps = median([v[0] for v in h.values()])
        r_rps = median([v[0] for v in r.values()])
        h_cpu = median([v[1] for v in h.values()])
        r_cpu = median([v[1] for v in r.values()])
        h_p50 = median([v[2] for v in h.values()])
        r_p50 = median([v[2] for v in r.values()])
        rounds = sorted(set(h) & set(r))
        ratios = [safe_div(h[i][0], r[i][0]) for i in rounds]
        cpu_ratios = [safe_div(h[i][1], r[i][1]) for i in rounds]
        ratios_ok = [x for x in ratios if not math.isnan(x)]
        cpu_ok = [x for x in cpu_ratios if not math.isnan(x)]
        spread = f"{min(ratios_ok):.2f}–{max(ratios_ok):.2f}" if ratios_ok else "n/a"
        cpu_spread = f"{min(cpu_ok):.2f}–{max(cpu_ok):.2f}" if cpu_ok else "n/a"
        ratio = safe_div(h_rps, r_rps)
        cpu_ratio = safe_div(h_cpu, r_cpu)
        by_pipeline[p][0].append(ratio)
        by_pipeline[p][1].append(cpu_ratio)
        out.append(
            f"| {test} | {p} | {fmt_int(h_rps)} | {fmt_int(r_rps)} | **{fmt_ratio(ratio)}** | {spread} "
            f"| {fmt_int(h_cpu)} | {fmt_int(r_cpu)} | **{fmt_ratio(cpu_ratio)}** | {cpu_spread} "
            f"| {h_p50:.3f} / {r_p50:.3f} |"
        )
    out.append("")
    for p in sorted(by_pipeline):
        rat, cpu = by_pipeline[p]
        out.append(f"- -P {p}: geometric mean ratio {fmt_ratio(geomean(rat))}, CPU ratio {fmt_ratio(geomean(cpu))}")
    print("\n".join(out))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: report.py RAW.tsv")
    main(sys.argv[1])
