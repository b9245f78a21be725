"""`coursegate dispatcher`: run the sweeps (core/sweeps.py) every COURSEGATE_SWEEP_SECONDS.

`coursegate serve` starts one beside gunicorn (COURSEGATE_DISPATCHER=false to leave it out). It
exits when its parent does, so a killed server leaves no orphan behind.
"""

from __future__ import annotations

import os
import signal
import time

from django.conf import settings
from django.core.management.base import BaseCommand

from coursegate.core.sweeps import sweep_all


class Command(BaseCommand):
    help = "Deliver outbox e-mails and (re-)dispatch background jobs left behind, every few seconds."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Run every sweep once and exit (cron)")
        parser.add_argument("--interval", type=float, default=settings.COURSEGATE_SWEEP_SECONDS)
        parser.add_argument(
            "--exit-with-parent", action="store_true", help="Exit when the process that started this one is gone"
        )

    def handle(self, *args, **options):
        if options["once"]:
            for path, count in sweep_all().items():
                self.stdout.write(f"{path}: {count}")
            return
        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        parent = os.getppid()
        while not stopping:
            sweep_all()
            deadline = time.monotonic() + options["interval"]
            while not stopping and time.monotonic() < deadline:
                if options["exit_with_parent"] and os.getppid() != parent:
                    return
                time.sleep(0.2)
