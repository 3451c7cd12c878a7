"""Real client libraries against the real hematite binary.

Run by scripts/test.sh inside a virtualenv that has redis-py 8 installed.
Starts hematite (path in HEMATITE_BIN) with a password on a free port, then
uses redis-py with its defaults (RESP3, `HELLO 3 AUTH`, `CLIENT SETINFO`
at connect), RESP2, a connection pool, pipelines, and redis-cli's
health-check style command. Exits non-zero on the first failure.
"""

import os
import socket
import subprocess
import sys
import tempfile
import time

import redis


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def main():
    binary = os.environ["HEMATITE_BIN"]
    port = free_port()
    workdir = tempfile.mkdtemp(prefix="hematite-py-")
    proc = subprocess.Popen(
        [binary, "server", "--port", str(port), "--bind", "127.0.0.1", "--requirepass", "pw"],
        cwd=workdir,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.time() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.05)

        print("redis-py", redis.__version__)
        # Defaults of redis-py 8: RESP3 when protocol=3 is given; we test both.
        for proto in (3, 2):
            r = redis.Redis(host="127.0.0.1", port=port, password="pw", protocol=proto, decode_responses=True)
            assert r.ping() is True
            assert r.set("k", "v") is True
            assert r.get("k") == "v"
            assert r.set("k", "w", nx=True) is None
            assert r.set("n", 10, ex=100) is True
            assert 0 < r.ttl("n") <= 100
            assert r.incr("n") == 11
            assert r.incrbyfloat("f", 0.1) == 0.1
            assert r.mset({"a": "1", "b": "2"}) is True
            assert r.mget("a", "b", "missing") == ["1", "2", None]
            assert r.exists("a", "b", "missing") == 2
            assert r.type("a") == "string"
            assert r.object("encoding", "a") == "int"
            assert sorted(r.keys("*")) == sorted(["k", "n", "f", "a", "b"])
            seen = set()
            for key in r.scan_iter(count=2):
                seen.add(key)
            assert seen == {"k", "n", "f", "a", "b"}, seen
            p = r.pipeline(transaction=False)
            for i in range(100):
                p.set(f"p{i}", i)
            p.get("p42")
            assert p.execute()[-1] == "42"
            info = r.info()
            assert info["redis_version"].startswith("7."), info["redis_version"]
            assert "used_memory" in r.info("memory")
            assert r.config_get("maxmemory") == {"maxmemory": "0"}
            assert r.client_setname("py") is True
            assert r.client_getname() == "py"
            assert isinstance(r.client_id(), int)
            assert r.dbsize() == 105
            assert r.flushdb() is True
            assert r.time()[0] > 0
            r.close()

        # Wrong password is a clean error, not a dropped connection.
        bad = redis.Redis(host="127.0.0.1", port=port, password="nope")
        try:
            bad.ping()
            raise AssertionError("wrong password accepted")
        except redis.AuthenticationError:
            pass

        # redis-cli health check as the deployment runs it.
        out = subprocess.run(
            ["redis-cli", "-p", str(port), "-a", "pw", "--no-auth-warning", "--raw", "incr", "ping"],
            capture_output=True, text=True, check=True,
        )
        assert out.stdout.strip().isdigit(), out.stdout
        print("client tests passed")
    finally:
        proc.terminate()
        proc.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main())
