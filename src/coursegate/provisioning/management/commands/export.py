"""``coursegate export <kind> [FILE|-]``: write the objects of a kind with the columns ``import``
reads (CSV by default, ``--format jsonl``), streaming, so that an export imports as it is."""

from __future__ import annotations

import sys
from typing import IO, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser

from coursegate.provisioning.files import FORMATS, FileUsageError, RowWriter, format_for
from coursegate.provisioning.kinds import KINDS
from coursegate.provisioning.progress import Progress


def _raw(wrapper) -> IO[str]:
    """The stream under Django's OutputWrapper (which adds line endings progress output must not get)."""
    return cast(IO[str], wrapper._out)


class Command(BaseCommand):
    help = "Export courses, users, enrollments, customers, catalog, plans or licenses as CSV or JSON lines."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=sorted(KINDS))
        parser.add_argument("file", nargs="?", default="-", help="the file to write (default -: stdout)")
        parser.add_argument("--format", choices=FORMATS, help="csv or jsonl (default: from the extension, else csv)")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar or progress lines")

    def handle(self, *args, kind: str, file: str, **options) -> None:
        spec = KINDS[kind]
        try:
            fmt = format_for(file, options["format"])
            out = _raw(self.stdout) if file == "-" else open(file, "w", newline="", encoding="utf-8")  # noqa: SIM115
        except (FileUsageError, OSError) as exc:
            raise CommandError(str(exc), returncode=2) from exc
        err = _raw(self.stderr)
        progress = Progress(err, label=f"export {kind}", total_bytes=None, enabled=not options["no_progress"])
        writer = RowWriter(out, fmt, spec.columns)
        count = 0
        try:
            for count, row in enumerate(spec.export(), start=1):  # noqa: B007
                writer.write(row)
                if count % 1000 == 0:
                    progress.update(count)
        finally:
            if out is not _raw(self.stdout) and out is not sys.stdout:
                out.close()
            else:
                out.flush()
        seconds = progress.finish()
        err.write(f"export {kind}: {count} rows in {seconds:.1f} s\n")
