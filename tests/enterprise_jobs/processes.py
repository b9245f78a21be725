"""Real processes for the job tests that need a broker: a private redis-server on a free port
(so a test may stop it, and concurrent SQLite and PostgreSQL runs never share a queue),
`coursegate worker` and `coursegate serve`, all sharing one database.

That database is a throw-away SQLite file in the test's COURSEGATE_VAR_DIR, or, on PostgreSQL runs
(scripts/test-postgres.sh), the run's throw-away DATABASE_URL (pytest-django's own database is
``test_<name>``, another one). ``db_scalar`` reads it directly, for polling a job faster than a
``coursegate shell`` could.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parents[2]
REDIS_SERVER = shutil.which("redis-server")
needs_redis_server = pytest.mark.skipif(REDIS_SERVER is None, reason="redis-server is not installed")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def base_env(var_dir: Path, **extra: str) -> dict[str, str]:
    env = {**os.environ, "COURSEGATE_VAR_DIR": str(var_dir), "PYTHONUNBUFFERED": "1", **extra}
    if not env.get("DATABASE_URL", "").startswith("postgres"):
        env.pop("DATABASE_URL", None)  # <var_dir>/coursegate.sqlite3
    if env.get("DJANGO_SETTINGS_MODULE", "").startswith("tests."):
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def coursegate(env: dict[str, str], *args: str, timeout: float = 120) -> str:
    done = subprocess.run(
        [str(BIN / "coursegate"), *args], env=env, cwd=env["COURSEGATE_VAR_DIR"], capture_output=True, text=True,
        timeout=timeout,
    )  # fmt: skip
    assert done.returncode == 0, f"coursegate {args[0]} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def db_uuid(env: dict[str, str], value: str) -> str:
    """A uuid as the processes' database stores it: 32 hex digits on SQLite (Django's char(32))."""
    return value if env.get("DATABASE_URL", "").startswith("postgres") else value.replace("-", "")


def db_scalar(env: dict[str, str], sql: str, *params):
    """One value from the processes' database (``%s`` placeholders; uuids through ``db_uuid``)."""
    url = env.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        import psycopg

        with psycopg.connect(url, connect_timeout=5) as conn:
            return conn.execute(sql, params).fetchone()[0]
    conn = sqlite3.connect(Path(env["COURSEGATE_VAR_DIR"]) / "coursegate.sqlite3", timeout=10)
    try:
        return conn.execute(sql.replace("%s", "?"), params).fetchone()[0]
    finally:
        conn.close()


class RedisServer:
    """A private redis-server that can be stopped and started again on the same port."""

    def __init__(self, directory: Path):
        self.port = free_port()
        self.directory = directory
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        assert REDIS_SERVER is not None
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                pass
            assert self.process.poll() is None, "redis-server exited"
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)
        self.process = None


@contextmanager
def redis_server(directory: Path):
    server = RedisServer(directory)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def stop_group(process: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    """Signal the process and everything it started (its own session); SIGKILL after 30 s."""
    try:
        os.killpg(process.pid, sig)
        process.wait(timeout=30)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@contextmanager
def worker(env: dict[str, str], log: Path, *args: str):
    """`coursegate worker <args>` in its own process group, once it says it is ready."""
    with open(log, "w") as out:
        process = subprocess.Popen(
            [str(BIN / "coursegate"), "worker", *args], env=env, cwd=env["COURSEGATE_VAR_DIR"], stdout=out,
            stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while "ready." not in log.read_text():
            assert process.poll() is None, f"the worker exited:\n{log.read_text()}"
            assert time.monotonic() < deadline, f"the worker did not start:\n{log.read_text()}"
            time.sleep(0.1)
        yield process
    finally:
        stop_group(process)


def wait_for(predicate, *, timeout: float, interval: float = 0.1, message: str = "timed out"):
    """Poll ``predicate`` until it returns something truthy; that value."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        assert time.monotonic() < deadline, message() if callable(message) else message
        time.sleep(interval)
