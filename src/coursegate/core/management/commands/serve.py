"""`coursegate serve`: run the production server (gunicorn), not Django's development server."""

from __future__ import annotations

import os
import sys

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve the API with gunicorn (default 127.0.0.1:8000, 2 workers)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=settings.SERVE_HOST)
        parser.add_argument("--port", type=int, default=settings.SERVE_PORT)
        parser.add_argument("--workers", type=int, default=settings.SERVE_WORKERS)
        parser.add_argument("--threads", type=int, default=settings.SERVE_THREADS)
        parser.add_argument("--timeout", type=int, default=settings.SERVE_TIMEOUT)
        parser.add_argument("--access-log", action="store_true", help="Log every request to stdout")
        parser.add_argument(
            "--no-dispatcher",
            action="store_true",
            help="Do not start `coursegate dispatcher` (the sweeps) beside gunicorn",
        )

    def handle(self, *args, **options):
        host = options["host"]
        bind = f"[{host}]:{options['port']}" if ":" in host else f"{host}:{options['port']}"
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "coursegate.wsgi:application",
            "--config",
            "python:coursegate.core.gunicorn_hooks",
            "--bind",
            bind,
            "--workers",
            str(options["workers"]),
            "--threads",
            str(options["threads"]),
            "--timeout",
            str(options["timeout"]),
            "--graceful-timeout",
            "20",
            "--forwarded-allow-ips",
            settings.SERVE_FORWARDED_ALLOW_IPS,
        ]
        if options["access_log"]:
            argv += ["--access-logfile", "-"]
        self.stdout.write(f"Coursegate listening on http://{bind} ({options['workers']} workers)")
        self.stdout.flush()
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coursegate.settings")
        dispatcher = settings.SERVE_DISPATCHER and not options["no_dispatcher"]
        os.environ["COURSEGATE_SERVE_DISPATCHER"] = "1" if dispatcher else "0"
        os.execv(sys.executable, argv)
