"""Real processes for the outage and bounds tests (no tests in here): a private PostgreSQL cluster
that a test may stop and start, a redis-server of its own, and a `coursegate serve` on them, on
copies of a database migrated and loaded with the demo data once per session (the fixtures
``sqlite_template``, ``pg_cluster`` and ``pg_template``, imported by the modules that use them).

The cluster runs from the PostgreSQL binaries in /usr/lib/postgresql/<version>/bin (or on PATH),
in a temporary directory, on a free port, with trust authentication. PostgreSQL refuses to run as
root, so under root its commands run as the ``postgres`` user (runuser).
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

BIN = Path(sys.executable).parent
DEMO_RUN = "course-v1:edX+DemoX+Demo_Course"
ENROLLMENT = "/api/enrollment/v1/enrollment"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


class PrivateCluster:
    """initdb + pg_ctl on a free port; ``stop()`` and ``start()`` as often as a test likes."""

    def __init__(self) -> None:
        bin_dir = _pg_bin()
        if bin_dir is None:
            pytest.skip("no PostgreSQL binaries (initdb, pg_ctl) in /usr/lib/postgresql/*/bin or on PATH")
        self.bin = bin_dir
        self.as_user: list[str] = []
        self.root = Path(tempfile.mkdtemp(prefix="coursegate-pg-"))
        if os.geteuid() == 0:
            if shutil.which("runuser") is None:
                pytest.skip("running as root and no runuser to start PostgreSQL as another user")
            try:
                shutil.chown(self.root, "postgres", "postgres")
            except (LookupError, PermissionError) as exc:
                pytest.skip(f"running as root and no usable postgres user ({exc})")
            self.as_user = ["runuser", "-u", "postgres", "--"]
        self.data = self.root / "data"
        self.port = free_port()
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8")
        self.start()

    def _run(self, name: str, *args: str) -> None:
        subprocess.run(
            [*self.as_user, str(self.bin / name), *args],
            check=True,
            capture_output=True,
            timeout=60,
            cwd=self.root,
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.root / "log"), "-w", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def ensure_started(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "status")
        except subprocess.CalledProcessError:
            self.start()

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def query(self, sql: str, database: str = "postgres") -> list[tuple]:
        import psycopg

        with psycopg.connect(self.url(database), autocommit=True) as conn:
            cursor = conn.execute(sql)
            return cursor.fetchall() if cursor.description else []

    def destroy(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        except subprocess.CalledProcessError:
            pass  # already stopped
        shutil.rmtree(self.root, ignore_errors=True)


class RedisServer:
    """A redis-server of the test's own on a free port (no persistence)."""

    def __init__(self) -> None:
        if shutil.which("redis-server") is None:
            pytest.skip("no redis-server on PATH")
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.start()

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        wait_for(lambda: _answers("127.0.0.1", self.port), "redis-server did not start")

    def stop(self) -> None:
        assert self.process is not None
        self.process.terminate()
        self.process.wait(timeout=10)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"


def _answers(host: str, port: int) -> bool:
    try:
        socket.create_connection((host, port), timeout=0.5).close()
    except OSError:
        return False
    return True


def wait_for(condition, message: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(message)


@dataclass
class Served:
    """A running `coursegate serve` and the demo credentials of its database."""

    url: str
    process: subprocess.Popen
    err: Path
    credentials: dict

    def token(self, role: str = "staff") -> requests.Response:
        client = self.credentials[role]
        return requests.post(
            f"{self.url}/oauth2/access_token",
            data={
                "grant_type": "client_credentials",
                "client_id": client["client_id"],
                "client_secret": client["client_secret"],
            },
            timeout=30,
        )

    def stop(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


def coursegate(env: dict, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [str(BIN / "coursegate"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=env["COURSEGATE_VAR_DIR"],
    )
    if check:
        assert done.returncode == 0, f"coursegate {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
    return done


def server_env(var_dir: Path, **extra: str) -> dict:
    """The environment of a server in ``var_dir``: SQLite there unless DATABASE_URL is given."""
    env = {**os.environ, "COURSEGATE_VAR_DIR": str(var_dir), "COURSEGATE_THROTTLING": "false", "PYTHONUNBUFFERED": "1"}
    for name in ("DATABASE_URL", "COURSEGATE_CACHE_URL", "CELERY_BROKER_URL"):
        env.pop(name, None)
    env.update(extra)
    return env


@dataclass
class Template:
    """A var dir (secrets, SQLite database) and optionally a PostgreSQL template database, migrated
    and with the demo data: migrate + demo take half a minute, copying them a moment."""

    var_dir: Path
    credentials: dict
    cluster: PrivateCluster | None = None

    def server_env(self, tmp_path: Path, **extra: str) -> dict:
        var_dir = tmp_path / "var"
        shutil.copytree(self.var_dir, var_dir)
        if self.cluster is not None:
            name = f"coursegate_{uuid.uuid4().hex[:12]}"
            self.cluster.query(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE_DATABASE}")
            extra = {"DATABASE_URL": self.cluster.url(name), **extra}
        return server_env(var_dir, **extra)


TEMPLATE_DATABASE = "coursegate_template"


def make_template(var_dir: Path, cluster: PrivateCluster | None = None) -> Template:
    extra = {}
    if cluster is not None:
        cluster.query(f"CREATE DATABASE {TEMPLATE_DATABASE}")
        extra["DATABASE_URL"] = cluster.url(TEMPLATE_DATABASE)
    env = server_env(var_dir, **extra)
    coursegate(env, "migrate", "--no-input", "-v", "0")
    credentials = json.loads(coursegate(env, "demo", "--json").stdout)
    for leftover in var_dir.glob("coursegate.sqlite3-*"):  # WAL files of finished processes
        leftover.unlink()
    return Template(var_dir, credentials, cluster)


def _once_per_ci() -> None:
    """Tests on these fixtures run servers on databases of their own (a copied SQLite file, a
    private PostgreSQL cluster), whatever database the suite runs on: they run in the SQLite pass
    only, not a second, identical time in the PostgreSQL pass (scripts/test-postgres.sh)."""
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        pytest.skip("runs its own databases: checked once, in the SQLite pass")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Template:
    _once_per_ci()
    return make_template(tmp_path_factory.mktemp("sqlite-template"))


@pytest.fixture(scope="session")
def pg_cluster():
    _once_per_ci()
    cluster = PrivateCluster()
    yield cluster
    cluster.destroy()


@pytest.fixture(scope="session")
def pg_template(pg_cluster, tmp_path_factory) -> Template:
    return make_template(tmp_path_factory.mktemp("pg-template"), pg_cluster)


def serve(env: dict, credentials: dict, *args: str, workers: int = 2) -> Served:
    """Start `coursegate serve` on a migrated database (waits for /health)."""
    port = free_port()
    err = Path(env["COURSEGATE_VAR_DIR"]) / "server.err"
    with open(err, "w") as stderr:
        process = subprocess.Popen(
            [str(BIN / "coursegate"), "serve", "--port", str(port), "--workers", str(workers), *args],
            env=env,
            cwd=env["COURSEGATE_VAR_DIR"],
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            start_new_session=True,
        )
    served = Served(f"http://127.0.0.1:{port}", process, err, credentials)

    def healthy() -> bool:
        assert process.poll() is None, f"the server exited:\n{err.read_text()}"
        try:
            return requests.get(f"{served.url}/health", timeout=1).status_code == 200
        except requests.RequestException:
            return False

    wait_for(healthy, "the server did not answer /health", timeout=60)
    return served


def outage_shaped(response: requests.Response) -> bool:
    """A 503 as the outage contract has it: JSON {"detail": ...} and a Retry-After in seconds."""
    if response.status_code != 503 or not response.headers.get("Retry-After", "").isdigit():
        return False
    try:
        return isinstance(response.json().get("detail"), str)
    except ValueError:
        return False
