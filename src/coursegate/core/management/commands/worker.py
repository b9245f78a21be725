"""`coursegate worker`: a Celery worker for background jobs (needs CELERY_BROKER_URL).

Tasks are acknowledged late and re-queued when a worker process dies (settings: CELERY_TASK_ACKS_LATE,
CELERY_TASK_REJECT_ON_WORKER_LOST). A worker killed as a whole (kill -9 of its process group) cannot
re-queue anything: the sweeps do, so one process per deployment must run them, either
`coursegate serve` (its dispatcher) or one `coursegate worker --beat`.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Run a Celery worker for background jobs (bulk license enrollment jobs, outbox e-mails). With --beat it "
        "also runs the periodic tasks of CELERY_BEAT_SCHEDULE: the sweeps every COURSEGATE_SWEEP_SECONDS (hand out "
        "jobs the broker never got, re-queue jobs whose worker died, deliver due e-mails) and assignment expiry "
        "hourly. Run --beat in one worker only."
    )

    def add_arguments(self, parser):
        parser.add_argument("--concurrency", type=int, default=2)
        parser.add_argument("--loglevel", default="INFO")
        parser.add_argument(
            "--beat",
            action="store_true",
            help="Also run the periodic tasks in this worker: the sweeps (re-queue jobs whose worker died, hand out "
            "jobs queued while the broker was down, deliver due e-mails) and assignment expiry. One per deployment.",
        )

    def handle(self, *args, **options):
        if not settings.CELERY_BROKER_URL:
            raise CommandError("CELERY_BROKER_URL is not set: jobs run in-process, no worker is needed.")
        from coursegate.celery import app

        argv = ["worker", f"--concurrency={options['concurrency']}", f"--loglevel={options['loglevel']}"]
        if options["beat"]:
            argv += ["--beat", "--schedule", str(settings.VAR_DIR / "celerybeat-schedule")]
        app.worker_main(argv)
