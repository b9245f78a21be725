"""`coursegate worker`: a Celery worker for background jobs (needs CELERY_BROKER_URL)."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Run a Celery worker for background jobs."

    def add_arguments(self, parser):
        parser.add_argument("--concurrency", type=int, default=2)
        parser.add_argument("--loglevel", default="INFO")
        parser.add_argument("--beat", action="store_true", help="Also run the periodic jobs (assignment expiry)")

    def handle(self, *args, **options):
        if not settings.CELERY_BROKER_URL:
            raise CommandError("CELERY_BROKER_URL is not set: jobs run in-process, no worker is needed.")
        from coursegate.celery import app

        argv = ["worker", f"--concurrency={options['concurrency']}", f"--loglevel={options['loglevel']}"]
        if options["beat"]:
            argv += ["--beat", "--schedule", str(settings.VAR_DIR / "celerybeat-schedule")]
        app.worker_main(argv)
