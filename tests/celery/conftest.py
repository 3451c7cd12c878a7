"""Fixtures of the Celery end-to-end suite: the server under test and real workers.

Which server (see README.md):
  CELERY_TEST_SERVER=hematite (default) runs `$HEMATITE_BIN server ...`
                     (HEMATITE_BIN defaults to target/debug/hematite);
  CELERY_TEST_SERVER=redis runs `$REDIS_SERVER ...` (default redis-server).
  CELERY_TEST_PORT   port to use (default: a free one).
  CELERY_TEST_MONITOR=FILE  also record `redis-cli MONITOR` into FILE.

Both get the same arguments: --port P --bind 127.0.0.1 --requirepass PW
--save '' --appendonly no. The server, every worker and every helper process
is started in its own process group and killed (group-wide) at the end, even
when a test fails.
"""

import atexit
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
PASSWORD = "celery-e2e-pw"

# Every process we start, so that nothing outlives the session.
_PROCS = []
_SERVERS = []  # the subset of _PROCS that are servers


def _kill_all(keep_servers=False):
    for proc in _PROCS:
        if proc.poll() is None and not (keep_servers and proc in _SERVERS):
            _killpg(proc, signal.SIGKILL)


def _on_sigterm(signum, frame):
    # Terminated (e.g. by a CI timeout): kill the workers at once, then let
    # pytest tear down as on Ctrl-C (a plain SIGTERM would leave the workers,
    # in their own sessions, running). The server stays up until its own
    # teardown, so that the client side closes without reconnect loops.
    _kill_all(keep_servers=True)
    raise KeyboardInterrupt(f"signal {signum}")


signal.signal(signal.SIGTERM, _on_sigterm)
atexit.register(_kill_all)  # last resort if teardown did not run


def _spawn(argv, log_path, env=None, cwd=None):
    log = open(log_path, "ab")
    proc = subprocess.Popen(
        argv,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
        cwd=cwd,
        start_new_session=True,  # own process group: killpg reaches pool children
    )
    log.close()
    _PROCS.append(proc)
    return proc


def _killpg(proc, sig):
    try:
        os.killpg(proc.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def stop_process(proc, sig=signal.SIGTERM, timeout=30):
    """Sends `sig`, waits up to `timeout`, then SIGKILLs the whole process group.

    SIGKILL goes to the group at once (a `kill -9` of the worker and its pool);
    other signals go to the main process only, as a service manager would send
    them (a SIGTERM to the pool children would kill the running tasks).
    """
    if proc.poll() is None:
        if sig == signal.SIGKILL:
            _killpg(proc, sig)
        else:
            try:
                proc.send_signal(sig)
            except ProcessLookupError:
                pass
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pass
    # Leftover children (e.g. pool processes) die with the group.
    _killpg(proc, signal.SIGKILL)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass


def _free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def tail(path, n=40):
    try:
        with open(path, "rb") as f:
            return b"\n".join(f.read().splitlines()[-n:]).decode(errors="replace")
    except OSError as e:
        return f"(no log: {e})"


class Server:
    def __init__(self, kind, argv0, port, workdir, extra_args=(), name="server"):
        self.kind, self.port, self.workdir = kind, port, workdir
        self.url = f"redis://:{PASSWORD}@127.0.0.1:{port}/0"
        self.log = os.path.join(workdir, f"{name}.log")
        args = ["--port", str(port), "--bind", "127.0.0.1", "--requirepass", PASSWORD,
                "--save", "", "--appendonly", "no", "--dir", workdir]
        self.proc = _spawn(argv0 + args + list(extra_args), self.log, cwd=workdir)
        _SERVERS.append(self.proc)

    def client(self, **kw):
        import redis
        return redis.Redis(host="127.0.0.1", port=self.port, password=PASSWORD, **kw)

    def wait_ready(self, timeout=20):
        import redis
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.kind} exited at startup:\n{tail(self.log)}")
            try:
                if self.client(socket_timeout=2).ping():
                    return
            except redis.RedisError:
                time.sleep(0.1)
        raise RuntimeError(f"{self.kind} did not answer PING on {self.port}:\n{tail(self.log)}")


def _server_argv0():
    kind = os.environ.get("CELERY_TEST_SERVER", "hematite")
    if kind == "redis":
        return kind, [os.environ.get("REDIS_SERVER", "redis-server")]
    if kind != "hematite":
        raise pytest.UsageError(f"CELERY_TEST_SERVER must be hematite or redis, not {kind!r}")
    binary = os.environ.get("HEMATITE_BIN", os.path.join(ROOT, "target", "debug", "hematite"))
    if not os.access(binary, os.X_OK):
        raise pytest.UsageError(f"hematite binary not found: {binary} (set HEMATITE_BIN)")
    return kind, [binary, "server"]


@pytest.fixture(scope="session")
def workdir(request):
    """Server and worker logs; removed after a green run, kept (and named) otherwise."""
    d = tempfile.mkdtemp(prefix="celery-e2e-")
    yield d
    if request.session.testsfailed == 0:
        shutil.rmtree(d, ignore_errors=True)
    else:
        print(f"\nserver and worker logs kept in {d}", file=sys.stderr)


@pytest.fixture(scope="session")
def server(workdir):
    kind, argv0 = _server_argv0()
    port = int(os.environ.get("CELERY_TEST_PORT") or _free_port())
    srv = Server(kind, argv0, port, workdir)
    monitor = None
    try:
        srv.wait_ready()
        # Everything in this process (the producer side) and in the workers uses it.
        os.environ["CELERY_TEST_BROKER"] = srv.url
        os.environ.pop("CELERY_TEST_BACKEND", None)
        if os.environ.get("CELERY_TEST_MONITOR"):
            monitor = subprocess.Popen(
                ["redis-cli", "-p", str(port), "--no-auth-warning", "-a", PASSWORD, "MONITOR"],
                stdout=open(os.environ["CELERY_TEST_MONITOR"], "wb"), stderr=subprocess.DEVNULL,
                start_new_session=True)
            _PROCS.append(monitor)
        yield srv
    finally:
        for proc in reversed(_PROCS):
            if proc is not srv.proc:
                stop_process(proc, signal.SIGKILL, timeout=5)
        stop_process(srv.proc, signal.SIGTERM, timeout=10)
        # Rather a loud failure than a silent stray.
        alive = [p.pid for p in _PROCS if p.poll() is None]
        assert not alive, f"processes still alive: {alive}"


@pytest.fixture(scope="session")
def app(server):
    sys.path.insert(0, HERE)
    import celery_app
    assert celery_app.BROKER_URL == server.url
    yield celery_app.app
    # Drop result objects (and their pub/sub subscriptions) while the server still runs.
    import gc
    gc.collect()
    celery_app.app.close()


class Worker:
    """`celery -A celery_app worker -E --pool=prefork -c 2` as a subprocess."""

    def __init__(self, server, workdir, queues="celery", concurrency=2, env=None, tag="w"):
        self.name = f"{tag}-{uuid.uuid4().hex[:8]}@e2e"
        self.log = os.path.join(workdir, f"worker-{self.name}.log")
        full_env = dict(os.environ)
        full_env.update(env or {})
        full_env["CELERY_TEST_BROKER"] = server.url
        full_env["PYTHONPATH"] = HERE + os.pathsep + full_env.get("PYTHONPATH", "")
        argv = [sys.executable, "-m", "celery", "-A", "celery_app", "worker", "-E",
                "--pool=prefork", "-c", str(concurrency), "-n", self.name, "-Q", queues,
                "--loglevel=INFO"]
        self.proc = _spawn(argv, self.log, env=full_env, cwd=HERE)

    def wait_ready(self, app, timeout=60):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"worker {self.name} exited:\n{tail(self.log)}")
            replies = app.control.ping(destination=[self.name], timeout=1)
            if any(self.name in r for r in replies):
                return self
        raise RuntimeError(f"worker {self.name} not ready after {timeout}s:\n{tail(self.log)}")

    def stop(self, sig=signal.SIGTERM, timeout=30):
        stop_process(self.proc, sig, timeout)


@pytest.fixture(scope="session")
def worker(server, app, workdir):
    """The long-lived worker that serves the default queue."""
    w = Worker(server, workdir, tag="main")
    try:
        w.wait_ready(app)
        yield w
    finally:
        w.stop()


@pytest.fixture
def start_worker(server, app, workdir):
    """Factory for test-private workers; stops whatever it started."""
    started = []

    def start(**kw):
        w = Worker(server, workdir, **kw)
        started.append(w)
        return w.wait_ready(app)

    yield start
    for w in started:
        w.stop(signal.SIGKILL, timeout=5)


class PressureEnv:
    """A private server with a small `maxmemory`, a producer app and workers pointed at it."""

    MAXMEMORY = 8 << 20

    def __init__(self, workdir, protected):
        from celery import Celery
        kind, argv0 = _server_argv0()
        self.protected = protected
        self.dir = tempfile.mkdtemp(prefix="pressure-", dir=workdir)
        extra = ["--maxmemory", str(self.MAXMEMORY), "--maxmemory-policy", "allkeys-lru"]
        if kind == "hematite" and not protected:
            # Nothing protected: exactly Redis's behaviour.
            extra += ["--eviction-protected-keys", ""]
        self.workers = []
        self.server = Server(kind, argv0, _free_port(), self.dir, extra, name="pressure-server")
        try:
            self.server.wait_ready()
        except Exception:
            stop_process(self.server.proc, signal.SIGKILL, timeout=5)
            raise
        # Not celery_app.app: that one is bound to the session server. Same
        # broker-side settings as celery_app, so that the workers (which run
        # celery_app with CELERY_TEST_BROKER pointing here) and this producer agree.
        self.app = Celery("pressure", broker=self.server.url,
                          backend=self.server.url + "?protocol=3", set_as_current=False)
        self.app.conf.update(broker_connection_retry_on_startup=True, result_expires=600,
                             control_queue_expires=60)

    def start_worker(self, **kw):
        w = Worker(self.server, self.dir, **kw)
        self.workers.append(w)
        return w.wait_ready(self.app)

    def close(self):
        for w in self.workers:
            w.stop(signal.SIGKILL, timeout=5)
        self.app.close()
        stop_process(self.server.proc, signal.SIGKILL, timeout=5)


@pytest.fixture
def pressure(workdir):
    """Factory: `pressure(protected=True)` starts a PressureEnv (server with
    `--maxmemory 8mb --maxmemory-policy allkeys-lru`; `protected=False` adds
    `--eviction-protected-keys ""` on hematite). Everything stops at the end."""
    envs = []

    def start(protected):
        kind, _ = _server_argv0()
        if kind == "redis" and protected:
            pytest.skip("Redis has no eviction-protected-keys")
        env = PressureEnv(workdir, protected)
        envs.append(env)
        return env

    yield start
    for env in envs:
        env.close()
