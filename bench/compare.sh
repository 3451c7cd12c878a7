#!/usr/bin/env bash
# Side-by-side throughput and CPU-efficiency benchmark: hematite vs redis-server.
#
# Usage: bench/compare.sh            (see bench/README.md for everything else)
#
# Environment knobs (all optional):
#   ROUNDS=5               alternating rounds (odd: hematite first, even: Redis first)
#   N_P1=200000            requests per redis-benchmark run at pipeline 1
#   N_P16=2000000          requests per redis-benchmark run at pipeline 16
#   CLIENTS=50             redis-benchmark -c
#   TESTS=ping,set,get,incr,mset,lpush,rpop,lrange_100,hset,sadd,spop,zadd,zpopmin
#                          redis-benchmark -t list ("ping" = ping_inline + ping_mbulk;
#                          lrange_N runs `LRANGE mylist 0 N-1` on a prefilled list)
#   PIPELINES="1 16"       pipeline depths to run
#   HEMATITE_BIN_OVERRIDE  unset: build and run target/release/hematite;
#                          "redis": run a second redis-server as the "hematite" side
#                          (measures the noise floor, Redis vs itself);
#                          a path: run that hematite binary as is (no build).
#   HEMATITE_BIN           the same as HEMATITE_BIN_OVERRIDE (which wins if both are set)
#   HEMATITE_ARGS          extra arguments for `hematite server`, shell-quoted
#                          (default: "--save '' --appendonly no", as for Redis;
#                          set to "" to pass none)
#   SKIP_BUILD=1           don't run cargo build (use the existing target/release/hematite)
#   REDIS_SERVER=redis-server   the reference server binary
#   SERVER_CPUS / BENCH_CPUS    if set, pin servers / redis-benchmark with taskset -c
#   RESULTS_DIR=bench/results   where the markdown report (and raw TSV) is written
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROUNDS="${ROUNDS:-5}"
N_P1="${N_P1:-200000}"
N_P16="${N_P16:-2000000}"
CLIENTS="${CLIENTS:-50}"
TESTS="${TESTS:-ping,set,get,incr,mset,lpush,rpop,lrange_100,hset,sadd,spop,zadd,zpopmin}"
PIPELINES="${PIPELINES:-1 16}"
REDIS_SERVER="${REDIS_SERVER:-redis-server}"
# HEMATITE_BIN (as bench/memory.py and bench/celery_bench.py take it) means the same.
HEMATITE_BIN_OVERRIDE="${HEMATITE_BIN_OVERRIDE:-${HEMATITE_BIN:-}}"
# Same persistence settings as the Redis side unless told otherwise.
HEMATITE_ARGS="${HEMATITE_ARGS-"--save '' --appendonly no"}"
eval "H_ARGS=($HEMATITE_ARGS)"
SKIP_BUILD="${SKIP_BUILD:-0}"
SERVER_CPUS="${SERVER_CPUS:-}"
BENCH_CPUS="${BENCH_CPUS:-}"
RESULTS_DIR="${RESULTS_DIR:-$ROOT/bench/results}"
CLK_TCK="$(getconf CLK_TCK)"

for tool in redis-benchmark redis-cli python3 "$REDIS_SERVER"; do
    command -v "$tool" >/dev/null || { echo "compare.sh: $tool not found" >&2; exit 1; }
done

WORK="$(mktemp -d "${TMPDIR:-/tmp}/hematite-bench.XXXXXX")"
H_PID=""
R_PID=""
cleanup() {
    local pid
    for pid in $H_PID $R_PID; do
        if kill -0 "$pid" 2>/dev/null; then
            kill "$pid" 2>/dev/null || true
            # Give it a moment to exit cleanly, then insist.
            for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            kill -9 "$pid" 2>/dev/null || true
        fi
    done
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- which binary plays "hematite" -----------------------------------------
H_KIND=hematite
case "$HEMATITE_BIN_OVERRIDE" in
    "")
        H_BIN="$ROOT/target/release/hematite"
        if [ "$SKIP_BUILD" != 1 ]; then
            echo "building hematite (release)..." >&2
            (cd "$ROOT" && cargo build --release -p hematite) >&2
        fi
        ;;
    redis)
        H_KIND=redis
        H_BIN="$(command -v "$REDIS_SERVER")"
        ;;
    *)
        H_BIN="$HEMATITE_BIN_OVERRIDE"
        ;;
esac
[ -x "$H_BIN" ] || { echo "compare.sh: $H_BIN is not an executable" >&2; exit 1; }

# --- two free ports, held open together so they differ ----------------------
read -r H_PORT R_PORT < <(python3 - <<'EOF'
import socket
socks = []
for _ in range(2):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(*(s.getsockname()[1] for s in socks))
EOF
)

pin_server() { if [ -n "$SERVER_CPUS" ]; then echo taskset -c "$SERVER_CPUS"; fi; }
pin_bench() { if [ -n "$BENCH_CPUS" ]; then echo taskset -c "$BENCH_CPUS"; fi; }

start_redis() { # $1 = port, $2 = log name; prints the pid
    mkdir -p "$WORK/$2"
    # shellcheck disable=SC2046
    (cd "$WORK/$2" && exec $(pin_server) "$REDIS_SERVER" --port "$1" --bind 127.0.0.1 \
        --save '' --appendonly no --dir "$WORK/$2") >"$WORK/$2.log" 2>&1 &
    echo $!
}

start_hematite() { # $1 = port; prints the pid
    mkdir -p "$WORK/hematite"
    # shellcheck disable=SC2046
    (cd "$WORK/hematite" && exec $(pin_server) "$H_BIN" server --port "$1" --bind 127.0.0.1 \
        ${H_ARGS[@]+"${H_ARGS[@]}"}) >"$WORK/hematite.log" 2>&1 &
    echo $!
}

wait_ready() { # $1 = pid, $2 = port, $3 = name
    local i
    for i in $(seq 1 100); do
        if ! kill -0 "$1" 2>/dev/null; then
            echo "compare.sh: $3 (pid $1) exited during startup; log:" >&2
            tail -n 20 "$WORK/$3.log" >&2 || true
            exit 1
        fi
        if [ "$(redis-cli -h 127.0.0.1 -p "$2" ping 2>/dev/null || true)" = PONG ]; then
            # Make sure the server answering is the one we started (another
            # process could own the port if our bind failed).
            local served
            served="$(redis-cli -h 127.0.0.1 -p "$2" info server 2>/dev/null | tr -d '\r' |
                sed -n 's/^process_id://p' || true)"
            if [ -n "$served" ] && [ "$served" != "$1" ]; then
                echo "compare.sh: port $2 is served by pid $served, not our $3 (pid $1)" >&2
                exit 1
            fi
            return 0
        fi
        sleep 0.1
    done
    echo "compare.sh: $3 did not answer PING on port $2 within 10s" >&2
    exit 1
}

if [ "$H_KIND" = redis ]; then
    H_PID="$(start_redis "$H_PORT" hematite)"
else
    H_PID="$(start_hematite "$H_PORT")"
fi
R_PID="$(start_redis "$R_PORT" redis)"
wait_ready "$H_PID" "$H_PORT" hematite
wait_ready "$R_PID" "$R_PORT" redis

# Warn when a benchmarked command is refused: redis-benchmark counts error
# replies as answers, so the rps of such a row would be meaningless.
smoke() { # $1 = port, $2 = name
    local cmd reply
    for cmd in "PING" "SET bench:smoke v" "GET bench:smoke" "INCR bench:smoke:n" "MSET bench:smoke:a 1 bench:smoke:b 2" \
        "LPUSH bench:smoke:l a b" "RPOP bench:smoke:l" "LRANGE bench:smoke:l 0 99" "HSET bench:smoke:h f v" \
        "SADD bench:smoke:s m n" "SPOP bench:smoke:s" "ZADD bench:smoke:z 1 m" "ZPOPMIN bench:smoke:z" \
        "DEL bench:smoke bench:smoke:n bench:smoke:a bench:smoke:b bench:smoke:l bench:smoke:h bench:smoke:s bench:smoke:z"; do
        # shellcheck disable=SC2086
        reply="$(redis-cli -h 127.0.0.1 -p "$1" $cmd 2>&1 || true)"
        case "$reply" in
            ERR*|*"Error"*|*"unknown command"*) echo "compare.sh: WARNING: $2 answered '$cmd' with: $reply" >&2 ;;
        esac
    done
}
smoke "$H_PORT" hematite
smoke "$R_PORT" redis

cpu_ticks() { # utime + stime of a process (all threads), in clock ticks
    local stat rest
    stat="$(cat "/proc/$1/stat")"
    rest="${stat##*) }" # fields from 3 on; comm (field 2) may contain spaces
    # shellcheck disable=SC2086
    set -- $rest
    echo $(( ${11} + ${12} )) # fields 14 and 15
}

# "ping" selects both PING tests; run each test separately so that the CPU
# measurement is per test.
expand_tests() {
    local t
    for t in ${TESTS//,/ }; do
        case "$t" in
            ping) echo ping_inline; echo ping_mbulk ;;
            *) echo "$t" ;;
        esac
    done
}
mapfile -t TEST_LIST < <(expand_tests)

RAW="$WORK/raw.tsv"
printf 'round\tpipeline\tserver\ttest\tn\trps\tp50_ms\tcpu_ticks\n' >"$RAW"

# `-t lrange_N` makes redis-benchmark first run N LPUSHes ("needed to
# benchmark LRANGE") in the same process, which would be measured too; so we
# fill `mylist` ourselves (unmeasured) and run `LRANGE mylist 0 N-1` as a
# custom command, reported under redis-benchmark's own test name.
LRANGE_FILL=600
prepare_list() { # $1 = port
    local len
    len="$(redis-cli -h 127.0.0.1 -p "$1" llen mylist)"
    if [ "${len:-0}" -lt "$LRANGE_FILL" ]; then
        # shellcheck disable=SC2046
        redis-cli -h 127.0.0.1 -p "$1" rpush mylist $(printf 'xxx %.0s' $(seq "$LRANGE_FILL")) >/dev/null
    fi
}

run_one() { # $1 = round, $2 = pipeline, $3 = n, $4 = server (hematite|redis), $5 = test
    local port pid before after csv row
    if [ "$4" = hematite ]; then port="$H_PORT"; pid="$H_PID"; else port="$R_PORT"; pid="$R_PID"; fi
    local what=(-t "$5") label=""
    case "$5" in
        lrange_[0-9]*)
            prepare_list "$port"
            what=(LRANGE mylist 0 "$((${5#lrange_} - 1))")
            label="LRANGE_${5#lrange_} (first ${5#lrange_} elements)"
            ;;
    esac
    before="$(cpu_ticks "$pid")"
    # shellcheck disable=SC2046
    if ! csv="$($(pin_bench) redis-benchmark -h 127.0.0.1 -p "$port" -c "$CLIENTS" -n "$3" \
        -P "$2" --csv -q "${what[@]}" 2>"$WORK/bench.err")"; then
        echo "compare.sh: redis-benchmark failed against $4 ($5 -P $2):" >&2
        cat "$WORK/bench.err" >&2
        exit 1
    fi
    after="$(cpu_ticks "$pid")"
    if ! kill -0 "$pid" 2>/dev/null; then
        echo "compare.sh: $4 died during $5 -P $2; log:" >&2
        tail -n 20 "$WORK/$4.log" >&2 || true
        exit 1
    fi
    row="$(printf '%s\n' "$csv" | python3 -c '
import csv, sys
rows = [r for r in csv.reader(sys.stdin) if r and r[0] != "test"]
if len(rows) != 1:
    sys.exit("unexpected redis-benchmark output: %r" % rows)
name, rps, p50 = rows[0][0], rows[0][1], rows[0][4]
print("%s\t%s\t%s" % (name, rps, p50))
')"
    local name rps p50
    IFS=$'\t' read -r name rps p50 <<<"$row"
    if [ -n "$label" ]; then name="$label"; fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$4" "$name" "$3" "$rps" "$p50" "$((after - before))" >>"$RAW"
    printf '  round %s  -P %-2s  %-8s  %-16s %12s rps  %6s cpu-ticks\n' "$1" "$2" "$4" "$name" "$rps" "$((after - before))" >&2
}

H_VERSION="$("$H_BIN" --version 2>/dev/null | head -n 1 || true)"
R_VERSION="$("$REDIS_SERVER" --version | head -n 1)"
echo "hematite side: $H_BIN ($H_KIND) pid $H_PID port $H_PORT; redis: pid $R_PID port $R_PORT" >&2

for round in $(seq 1 "$ROUNDS"); do
    if [ $((round % 2)) -eq 1 ]; then order="hematite redis"; else order="redis hematite"; fi
    for p in $PIPELINES; do
        if [ "$p" = 1 ]; then n="$N_P1"; elif [ "$p" = 16 ]; then n="$N_P16"; else n="$N_P16"; fi
        for t in "${TEST_LIST[@]}"; do
            for s in $order; do
                run_one "$round" "$p" "$n" "$s" "$t"
            done
        done
    done
done

mkdir -p "$RESULTS_DIR"
STAMP="$(date +%Y%m%d-%H%M%S)"
OUT="$RESULTS_DIR/$STAMP.md"
cp "$RAW" "$RESULTS_DIR/$STAMP.tsv"

export HEMATITE_ARGS H_KIND H_BIN H_VERSION R_VERSION ROUNDS N_P1 N_P16 CLIENTS CLK_TCK SERVER_CPUS BENCH_CPUS
python3 "$ROOT/bench/report.py" "$RAW" | tee "$OUT"
echo >&2
echo "report: $OUT (raw data: $RESULTS_DIR/$STAMP.tsv)" >&2
