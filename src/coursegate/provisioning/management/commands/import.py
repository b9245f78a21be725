"""``coursegate import <kind> FILE``: provision objects from a CSV or JSON-lines file (docs/provisioning.md).

Exit status: 0 every row imported (or unchanged), 1 some rows failed (the others are imported),
2 a usage error (unknown kind, unreadable file, bad header): nothing imported.
"""

from __future__ import annotations

import csv
from typing import IO, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser

from coursegate.provisioning.files import FORMATS, FileUsageError, format_for, open_input, read_rows
from coursegate.provisioning.kinds import KINDS
from coursegate.provisioning.progress import Progress
from coursegate.provisioning.runner import Options, RowResult, import_rows

SHOWN_ERRORS = 50  # bad rows printed on stderr; --errors FILE gets them all


def _raw(wrapper) -> IO[str]:
    """The stream under Django's OutputWrapper (which adds line endings progress output must not get)."""
    return cast(IO[str], wrapper._out)


class Command(BaseCommand):
    help = "Import courses, users, enrollments, customers, catalog, plans or licenses from CSV or JSON lines."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=sorted(KINDS))
        parser.add_argument("file", help="the file to read, - for stdin")
        parser.add_argument("--format", choices=FORMATS, help="csv or jsonl (default: from the extension)")
        parser.add_argument("--dry-run", action="store_true", help="check every row, write nothing")
        parser.add_argument("--batch-size", type=int, default=1000, help="rows per transaction (default 1000)")
        parser.add_argument("--errors", metavar="FILE", help="write the failed rows (line,error) to this CSV")
        parser.add_argument("--notify", action="store_true", help="e-mail learners (enrollments, licenses)")
        parser.add_argument("--force", action="store_true", help="enrollments: ignore window, capacity, invitation")
        parser.add_argument(
            "--add-licenses", action="store_true", help="licenses: add licenses to a plan that has too few"
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bar or progress lines")

    def handle(self, *args, kind: str, file: str, **options) -> None:
        if not 1 <= options["batch_size"] <= 100_000:
            raise CommandError("--batch-size must be from 1 to 100000", returncode=2)
        spec = KINDS[kind]
        errors_file: IO[str] | None = None
        try:
            fmt = format_for(file, options["format"])
            stream, counter, size = open_input(file)
            if options["errors"]:
                errors_file = open(options["errors"], "w", newline="", encoding="utf-8")  # noqa: SIM115
        except (FileUsageError, OSError) as exc:
            raise CommandError(str(exc), returncode=2) from exc
        errors_csv = csv.writer(errors_file, lineterminator="\n") if errors_file else None
        if errors_csv:
            errors_csv.writerow(["line", "error"])
        err = _raw(self.stderr)
        shown = 0

        def report(result: RowResult) -> None:
            nonlocal shown
            if errors_csv:
                errors_csv.writerow([result.line, result.message])
            if shown < SHOWN_ERRORS:
                err.write("\r\033[K" if progress.tty else "")
                err.write(f"line {result.line}: {result.message}\n")
            shown += 1

        progress = Progress(err, label=f"import {kind}", total_bytes=size, enabled=not options["no_progress"])
        run = Options(dry_run=options["dry_run"], notify=options["notify"], force=options["force"],
                      add_licenses=options["add_licenses"])  # fmt: skip
        try:
            with stream:
                rows = read_rows(stream, fmt, required=spec.required, optional=spec.optional)
                summary = import_rows(
                    spec, rows, options=run, batch_size=options["batch_size"], on_result=report,
                    on_batch=lambda n, stage=None: progress.update(n, counter.count, stage=stage),
                )  # fmt: skip
        except FileUsageError as exc:
            raise CommandError(f"{file}: {exc}", returncode=2) from exc
        except UnicodeDecodeError as exc:
            raise CommandError(f"{file}: not UTF-8 text ({exc.reason} at byte {exc.start})", returncode=2) from exc
        finally:
            if errors_file:
                errors_file.close()
        seconds = progress.finish()
        if shown > SHOWN_ERRORS:
            more = f" (all in {options['errors']})" if options["errors"] else " (--errors FILE lists them all)"
            err.write(f"... and {shown - SHOWN_ERRORS} more failed rows{more}\n")
        dry = " (dry run: nothing was written)" if run.dry_run else ""
        self.stdout.write(f"import {kind} from {file}: {summary.line()} in {seconds:.1f} s{dry}")
        if summary.failed:
            raise CommandError(f"{summary.failed} of {summary.rows} rows failed", returncode=1)
