"""The `coursegate` command: Django's manage.py for this project.

Two things on top of Django's: a configuration or database problem ends the command with one line
on stderr that names it (exit status 2 or 1) instead of a traceback (``--traceback`` shows it), and
the commands that legitimately run long get no PostgreSQL statement timeout unless one is set
explicitly (the web workers' budget, settings DB_STATEMENT_TIMEOUT_MS, is for requests).
"""

from __future__ import annotations

import os
import sys

# Maintenance and loading commands whose statements may run for minutes on a big database.
LONG_RUNNING_COMMANDS = frozenset({"migrate", "demo", "shell", "loaddata", "dumpdata", "import", "export"})


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coursegate.settings")
    if args and args[0] in LONG_RUNNING_COMMANDS:
        os.environ.setdefault("COURSEGATE_DB_STATEMENT_TIMEOUT_MS", "0")
    problem = _settings_problem()
    if problem:
        sys.exit(f"coursegate: {problem}")

    from django.core.management import execute_from_command_line
    from django.db import InterfaceError, OperationalError, ProgrammingError

    from coursegate.core.outage import database_problem

    try:
        execute_from_command_line(["coursegate", *args])
    except (OperationalError, InterfaceError, ProgrammingError) as exc:
        problem = database_problem(exc)
        if problem is None or "--traceback" in args:
            raise
        sys.exit(f"coursegate{' ' + args[0] if args else ''}: {problem}")


def _settings_problem() -> str | None:
    """Load the settings now: Django's command line would swallow an ImproperlyConfigured raised
    while importing them and then fail with a traceback about an unknown command."""
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    try:
        settings.INSTALLED_APPS  # noqa: B018  (imports coursegate.settings)
    except (ImproperlyConfigured, ValueError) as exc:
        return str(exc)
    return None


if __name__ == "__main__":
    main()
