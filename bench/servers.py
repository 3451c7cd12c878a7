"""Starting and stopping the two servers for bench/memory.py and bench/celery_bench.py.

Which binary plays "hematite" (same convention as compare.sh):
  HEMATITE_BIN=path   that binary (default: target/release/hematite; build it
                      first with `cargo build --release -p hematite`);
  HEMATITE_BIN=redis  (or HEMATITE_BIN_OVERRIDE=redis) a second redis-server
                      plays hematite: validates the script, and shows the
                      noise floor.
  REDIS_SERVER        the reference binary (default redis-server).

Both servers get `--port P --bind 127.0.0.1 --save '' --appendonly no --dir TMP`
plus the extra arguments given, run in their own process group, and are
killed by PID when stopped. Standard library only (redis-py is imported by
the callers).
"""

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))


def hematite_side():
    """Returns (kind, argv0): kind is "hematite" or "redis" (a stand-in)."""
    override = os.environ.get("HEMATITE_BIN_OVERRIDE", "")
    binary = override or os.environ.get("HEMATITE_BIN") or os.path.join(ROOT, "target", "release", "hematite")
    if binary == "redis":
        return "redis", [redis_server()]
    if not os.access(binary, os.X_OK):
        raise SystemExit(
            f"{binary} is not an executable: build it (cargo build --release -p hematite), "
            "set HEMATITE_BIN=path, or HEMATITE_BIN=redis to run Redis against itself")
    return "hematite", [binary, "server"]


def redis_server():
    binary = os.environ.get("REDIS_SERVER", "redis-server")
    path = shutil.which(binary)
    if not path:
        raise SystemExit(f"{binary} not found")
    return path


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def version(argv0):
    try:
        out = subprocess.run(argv0[:1] + ["--version"], capture_output=True, text=True, timeout=10).stdout
        return out.splitlines()[0] if out else "?"
    except (OSError, subprocess.SubprocessError):
        return "?"


class Server:
    """One server process. `name` is "hematite" or "redis" (the role it plays)."""

    def __init__(self, name, argv0, extra_args=(), port=None):
        self.name = name
        self.port = port or free_port()
        self.dir = tempfile.mkdtemp(prefix=f"hematite-bench-{name}-")
        self.log = os.path.join(self.dir, "server.log")
        args = ["--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                "--dir", self.dir, *extra_args]
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(argv0 + args, cwd=self.dir, stdin=subprocess.DEVNULL,
                                         stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self._wait_ready()

    def _wait_ready(self, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"{self.name} exited at startup:\n{self.log_tail()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                    s.sendall(b"*1\r\n$4\r\nPING\r\n")
                    reply = s.recv(64)
                    if reply.startswith((b"+PONG", b"-NOAUTH")):
                        return
            except OSError:
                pass
            time.sleep(0.05)
        raise SystemExit(f"{self.name} did not answer on port {self.port}:\n{self.log_tail()}")

    def log_tail(self, n=20):
        try:
            with open(self.log, "rb") as f:
                return b"\n".join(f.read().splitlines()[-n:]).decode(errors="replace")
        except OSError:
            return "(no log)"

    def rss_bytes(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        return 0

    def cpu_seconds(self):
        """utime + stime of the server (all threads), in seconds."""
        with open(f"/proc/{self.proc.pid}/stat") as f:
            fields = f.read().rsplit(") ", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def write_report(text, name):
    """Prints a finished report and saves it as bench/results/<timestamp>-<name>.md
    (RESULTS_DIR overrides the folder); returns the path."""
    import sys
    sys.stdout.write(text)
    results = os.environ.get("RESULTS_DIR", os.path.join(ROOT, "bench", "results"))
    os.makedirs(results, exist_ok=True)
    path = os.path.join(results, time.strftime("%Y%m%d-%H%M%S") + f"-{name}.md")
    with open(path, "w") as f:
        f.write(text)
    return path


NAMES = ("hematite", "redis")


def order(rnd):
    """Which side runs first in round `rnd` (1-based): hematite in odd rounds."""
    return NAMES if rnd % 2 == 1 else NAMES[::-1]


class Contenders:
    """The two sides' binaries, and the servers started for them (each has a
    `stop()`), so that a run can stop whatever is still alive."""

    def __init__(self):
        kind, h_argv0 = hematite_side()
        self.kind = kind
        self.argv0 = {"hematite": h_argv0, "redis": [redis_server()]}
        self.live = []

    def stop(self, srv):
        srv.stop()
        if srv in self.live:
            self.live.remove(srv)

    def stop_all(self):
        for srv in list(self.live):
            self.stop(srv)
