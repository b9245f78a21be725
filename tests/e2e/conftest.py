"""A real Coursegate server (``coursegate serve``, gunicorn) for end-to-end tests.

The server runs in a throw-away directory with its own secrets. On SQLite runs its database is
``<tmp>/coursegate.sqlite3``; on PostgreSQL runs (scripts/test-postgres.sh) it reuses the
throw-away DATABASE_URL of the run (pytest-django's own database is ``test_<name>``, another one).
Nothing here uses pytest-django's database: the server is only spoken to over HTTP and through
its command line.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

BIN = Path(sys.executable).parent
ACCESS_TOKEN_REQUEST = '"POST /oauth2/access_token HTTP/1.1" 200 '


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class LiveServer:
    url: str
    var_dir: Path
    env: dict[str, str]
    access_log: Path
    error_log: Path
    credentials: dict[str, dict[str, str]] = field(default_factory=dict)

    def coursegate(self, *args: str) -> str:
        """Run ``coursegate <args>`` against the server's database; its stdout."""
        done = subprocess.run(
            [str(BIN / "coursegate"), *args],
            cwd=self.var_dir,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, f"coursegate {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
        return done.stdout

    def load_demo(self) -> dict[str, dict[str, str]]:
        self.credentials = json.loads(self.coursegate("demo", "--json"))
        return self.credentials

    @property
    def jwt_secret(self) -> str:
        return self.env.get("COURSEGATE_JWT_SECRET") or (self.var_dir / "jwt_secret").read_text().strip()

    def settled_access_log(self) -> list[str]:
        """The access log once every request answered so far is in it.

        gunicorn writes an access line just after sending the response, so a line may lag its
        response by a moment: send a marker request and wait until its own line is there."""
        marker = uuid.uuid4().hex
        assert requests.get(f"{self.url}/health?marker={marker}", timeout=10).status_code == 200
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            lines = self.access_log.read_text().splitlines()
            if any(marker in line for line in lines):
                time.sleep(0.1)  # the other worker's line for an earlier request, if any
                return self.access_log.read_text().splitlines()
            time.sleep(0.05)
        raise AssertionError("the marker request never reached the access log")

    def token_requests(self) -> int:
        """How many successful POST /oauth2/access_token the server has answered."""
        return sum(ACCESS_TOKEN_REQUEST in line for line in self.settled_access_log())


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    # Not named live_server: that name belongs to pytest-django (and pulls in its database).
    var_dir = tmp_path_factory.mktemp("coursegate-live")
    env = {**os.environ, "COURSEGATE_VAR_DIR": str(var_dir), "COURSEGATE_THROTTLING": "false", "PYTHONUNBUFFERED": "1"}
    if not env.get("DATABASE_URL", "").startswith("postgres"):
        env.pop("DATABASE_URL", None)  # the server's default: <var_dir>/coursegate.sqlite3
    port = _free_port()
    server = LiveServer(
        url=f"http://127.0.0.1:{port}",
        var_dir=var_dir,
        env=env,
        access_log=var_dir / "access.log",
        error_log=var_dir / "server.err",
    )
    server.coursegate("migrate", "--no-input", "-v", "0")
    server.load_demo()

    with open(server.access_log, "w") as out, open(server.error_log, "w") as err:
        process = subprocess.Popen(
            [str(BIN / "coursegate"), "serve", "--port", str(port), "--workers", "2", "--access-log"],
            cwd=var_dir,
            env=env,
            stdout=out,
            stderr=err,
            start_new_session=True,
        )
    try:
        _wait_for_health(server, process)
        yield server
    finally:
        _stop(process)


def _wait_for_health(server: LiveServer, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server exited with {process.returncode}:\n{server.error_log.read_text()}")
        try:
            if requests.get(f"{server.url}/health", timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise AssertionError(f"the server did not answer /health within 60 s:\n{server.error_log.read_text()}")


def _stop(process: subprocess.Popen) -> None:
    # gunicorn's master and its workers share the process group started for it.
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@pytest.fixture(autouse=True)
def _fresh_token_cache():
    """edx-rest-api-client caches tokens in TieredCache (a per-thread request cache and Django's
    cache): every test starts with both empty, so each one sees its own token requests."""
    from edx_django_utils.cache import TieredCache

    TieredCache.dangerous_clear_all_tiers()
    yield
    TieredCache.dangerous_clear_all_tiers()
