"""gunicorn server hooks for `coursegate serve` (passed as ``-c python:coursegate.core.gunicorn_hooks``).

The master starts `coursegate dispatcher` (the sweeps) when it starts and stops it when it exits;
the dispatcher also exits by itself if the master is killed.
"""

from __future__ import annotations

import os
import subprocess
import sys

_dispatcher: subprocess.Popen | None = None


def on_starting(server) -> None:
    global _dispatcher
    if os.environ.get("COURSEGATE_SERVE_DISPATCHER") == "1":
        _dispatcher = subprocess.Popen([sys.executable, "-m", "coursegate", "dispatcher", "--exit-with-parent"])


def on_exit(server) -> None:
    if _dispatcher is not None and _dispatcher.poll() is None:
        _dispatcher.terminate()
        try:
            _dispatcher.wait(timeout=10)
        except subprocess.TimeoutExpired:
            _dispatcher.kill()
