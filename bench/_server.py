"""Start a real Coursegate server (gunicorn) on a throw-away state directory, for benchmarks."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def demo_server(*, workers: int = 2, extra_env: dict | None = None):
    """Yield (base_url, credentials, env) of a migrated server with the demo data loaded."""
    with tempfile.TemporaryDirectory(prefix="coursegate-bench-") as var:
        env = {**os.environ, "COURSEGATE_VAR_DIR": var, "COURSEGATE_THROTTLING": "false", **(extra_env or {})}
        coursegate = str(BIN / "coursegate")
        subprocess.run([coursegate, "migrate", "-v", "0"], env=env, check=True)
        credentials = json.loads(
            subprocess.run([coursegate, "demo", "--json"], env=env, check=True, capture_output=True).stdout
        )
        port = free_port()
        server = subprocess.Popen(
            [coursegate, "serve", "--port", str(port), "--workers", str(workers)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(base)
            yield base, credentials, env
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)


def token(base: str, client: dict, *, jwt: bool = False) -> str:
    fields = f"grant_type=client_credentials&client_id={client['client_id']}&client_secret={client['client_secret']}"
    if jwt:
        fields += "&token_type=jwt"
    request = urllib.request.Request(f"{base}/oauth2/access_token", data=fields.encode(), method="POST")
    with urllib.request.urlopen(request) as response:
        return json.load(response)["access_token"]


def wait_until_up(base: str, seconds: float = 15) -> None:
    """Return once ``base``'s /health answers; RuntimeError after ``seconds``."""
    for _ in range(int(seconds * 10)):
        with contextlib.suppress(OSError):
            urllib.request.urlopen(f"{base}/health", timeout=1)
            return
        time.sleep(0.1)
    raise RuntimeError(f"server at {base} did not start")
