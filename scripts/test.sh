#!/usr/bin/env bash
# Installs what the tests need (Debian's redis-server 7.0.x for the
# differential test), then builds and tests the whole workspace.
# Usage: scripts/test.sh [extra arguments for `cargo test`]
# Environment: CELERY_SERVER=redis runs the Celery suite (tests/celery)
# against redis-server instead of target/debug/hematite; CELERY_SKIP=1 skips it.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

as_root() {
    if [ "$(id -u)" -eq 0 ]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        echo "scripts/test.sh: need root (or sudo) to run: $*" >&2
        return 1
    fi
}

apt_updated=0
apt_install() {
    export DEBIAN_FRONTEND=noninteractive
    if [ "$apt_updated" -eq 0 ]; then
        as_root apt-get update
        apt_updated=1
    fi
    as_root apt-get install -y "$@"
}

redis_is_70() {
    command -v redis-server >/dev/null 2>&1 &&
        redis-server --version 2>/dev/null | grep -q 'v=7\.0\.'
}

# A C toolchain is needed by some crates' build scripts (jemalloc).
if ! command -v cc >/dev/null 2>&1 || ! command -v make >/dev/null 2>&1; then
    echo "scripts/test.sh: installing a C toolchain (cc, make)"
    apt_install build-essential
fi

# Debian's redis-server 7.0.x is the reference for tests/diff/*.redis.
if ! redis_is_70 || ! command -v redis-cli >/dev/null 2>&1; then
    echo "scripts/test.sh: installing redis-server and redis-tools"
    apt_install redis-server redis-tools
    # The package may have started its own service on port 6379: the tests
    # start their own servers, so stop it.
    as_root service redis-server stop >/dev/null 2>&1 || true
    if [ -f /run/redis/redis-server.pid ]; then
        pid="$(cat /run/redis/redis-server.pid 2>/dev/null || true)"
        if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
            as_root kill "$pid" 2>/dev/null || true
        fi
    fi
fi
if ! redis_is_70; then
    echo "scripts/test.sh: warning: redis-server is not 7.0.x" \
        "($(redis-server --version 2>/dev/null || echo 'not found')):" \
        "differential results may not match the Redis 7.0.15 specification" >&2
fi
redis-server --version

cargo build --workspace
cargo test --workspace "$@"

# Real client libraries (redis-py 8, redis-cli) against the real binary, in a
# virtualenv of our own so the system Python is left alone.
VENV="$ROOT/.venv"
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$ROOT/tests/python/requirements.txt"
HEMATITE_BIN="$ROOT/target/debug/hematite" "$VENV/bin/python" "$ROOT/tests/python/test_clients.py"

# Celery end to end (tests/celery): real prefork workers with hematite as
# broker and result backend. Own virtualenv, pinned versions.
# CELERY_SERVER=redis runs the suite against redis-server instead (to
# validate the suite itself); CELERY_SKIP=1 skips it.
if [ "${CELERY_SKIP:-0}" != 1 ]; then
    CELERY_VENV="$ROOT/.venv-celery"
    if [ ! -x "$CELERY_VENV/bin/python" ]; then
        python3 -m venv "$CELERY_VENV"
    fi
    "$CELERY_VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
        -r "$ROOT/tests/celery/requirements.txt"
    # ~45 s against Redis; the timeout is a backstop (the suite kills its
    # workers and server on SIGTERM).
    (
        cd "$ROOT/tests/celery"
        CELERY_TEST_SERVER="${CELERY_SERVER:-hematite}" \
            HEMATITE_BIN="$ROOT/target/debug/hematite" \
            timeout 1500 "$CELERY_VENV/bin/python" -m pytest -p no:cacheprovider -v --durations=5
    )
fi
