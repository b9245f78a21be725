"""`coursegate serve`: run the production server (gunicorn), not Django's development server.

Before starting gunicorn it checks that the database answers, accepts writes and is migrated: a
server that would answer every request with 503 or 500 does not start; one line on stderr says
why and which variable to fix (exit status 1).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import InterfaceError, OperationalError, ProgrammingError, connection
from django.db.migrations.executor import MigrationExecutor

from coursegate.core.outage import database_label, database_problem


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
        problem = database_startup_problem()
        if problem:
            raise SystemExit(f"coursegate serve: {problem}")
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
        # gunicorn's control socket (one per user by default, shared by every instance on the
        # host) is off unless a path is set for this instance.
        control = settings.SERVE_CONTROL_SOCKET
        argv += ["--control-socket", control] if control else ["--no-control-socket"]
        self._prepare_metrics_dir(options["port"])
        self.stdout.write(f"Coursegate listening on http://{bind} ({options['workers']} workers)")
        self.stdout.flush()
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coursegate.settings")
        # The workers read their settings again: a --timeout given here moves the default statement
        # budget with it (settings "Database").
        os.environ["COURSEGATE_SERVE_TIMEOUT"] = str(options["timeout"])
        self._warn_if_unbounded(options["timeout"])
        dispatcher = settings.SERVE_DISPATCHER and not options["no_dispatcher"]
        os.environ["COURSEGATE_SERVE_DISPATCHER"] = "1" if dispatcher else "0"
        os.execv(sys.executable, argv)

    def _prepare_metrics_dir(self, port: int) -> None:
        """The workers' shared metrics directory (core/metrics.py), one per instance, emptied at
        start so a previous run's samples are not added to this one's."""
        path = Path(os.environ.get("PROMETHEUS_MULTIPROC_DIR") or settings.VAR_DIR / "metrics" / str(port))
        path.mkdir(parents=True, exist_ok=True)
        for stale in path.glob("*.db"):  # prometheus_client's sample files, nothing else
            stale.unlink(missing_ok=True)
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(path)

    def _warn_if_unbounded(self, timeout: int) -> None:
        if connection.vendor != "postgresql" or "COURSEGATE_DB_STATEMENT_TIMEOUT_MS" not in os.environ:
            return
        statement_ms = settings.DB_STATEMENT_TIMEOUT_MS
        if statement_ms == 0 or statement_ms >= timeout * 1000:
            self.stderr.write(
                f"coursegate serve: COURSEGATE_DB_STATEMENT_TIMEOUT_MS={statement_ms} is not below the worker "
                f"timeout ({timeout} s): a request's statement may outlive its worker"
            )


def database_startup_problem() -> str | None:
    """Why the database cannot serve requests (one line), or None: it does not answer, is read-only
    or has migrations to apply."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            if connection.vendor == "sqlite":
                # Opening a read-only SQLite file succeeds; taking its write lock does not.
                cursor.execute("BEGIN IMMEDIATE")
                cursor.execute("ROLLBACK")
                read_only = False
            else:
                cursor.execute("SELECT current_setting('transaction_read_only') = 'on'")
                read_only = cursor.fetchone()[0]
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except (OperationalError, InterfaceError, ProgrammingError) as exc:
        problem = database_problem(exc)
        if problem is None:
            raise
        return problem
    finally:
        connection.close()
    if read_only:
        return f"{database_label()} is read-only (a standby?); point DATABASE_URL at the primary"
    if pending:
        return f"{database_label()} is not migrated ({len(pending)} migrations to apply); run `coursegate migrate`"
    return None
