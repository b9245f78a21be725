"""Sweeps: the periodic work that finishes what a dead process left behind.

A sweep is a function ``() -> int`` (how many items it handled) named by dotted path in
``settings.COURSEGATE_SWEEPS``: deliver due outbox e-mails, publish jobs whose dispatch never
reached the broker, re-queue jobs whose heartbeat stopped. Each sweep claims its rows itself
(``SELECT ... FOR UPDATE SKIP LOCKED`` or a conditional ``UPDATE``), so several processes may
sweep at once: `coursegate dispatcher` (started by `coursegate serve`), the ``coursegate.core.sweep``
Celery task of `coursegate worker --beat`, or a cron line running `coursegate dispatcher --once`.

core only knows the paths; the sweeps live in the apps that own the rows.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.db import close_old_connections
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)


def sweeps() -> list[tuple[str, Callable[[], int]]]:
    return [(path, import_string(path)) for path in settings.COURSEGATE_SWEEPS]


def sweep_all() -> dict[str, int]:
    """Run every sweep once; returns items handled per sweep (-1 for a sweep that failed).

    A failing sweep is logged and does not stop the others: a broker that is down must not keep
    e-mails from being delivered, nor a mail server that is down keep jobs from being re-queued."""
    handled: dict[str, int] = {}
    for path, sweep in sweeps():
        close_old_connections()
        try:
            handled[path] = sweep()
        except Exception:
            log.exception("sweep %s failed", path)
            handled[path] = -1
    close_old_connections()
    return handled
