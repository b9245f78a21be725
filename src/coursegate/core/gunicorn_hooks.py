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


def child_exit(server, worker) -> None:
    """A worker ended: drop its live samples from the shared metrics directory (core/metrics.py)."""
    from coursegate.core.metrics import worker_exited

    worker_exited(worker.pid)


def post_worker_init(worker) -> None:
    """Warm the worker, then move everything loaded so far out of the garbage collector's sight.

    Django resolves its URL patterns (importing every view, serializer and the schema code) on the
    first request; doing it here keeps that off the first caller's time. ``gc.freeze()`` then puts
    the ~hundreds of thousands of long-lived objects of the loaded code into the permanent
    generation, so the full collections a request may trigger no longer walk them (they cost tens of
    milliseconds each on the bulk endpoints before)."""
    import gc

    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018  (imports every urls.py and view module)
    gc.collect()
    gc.freeze()
