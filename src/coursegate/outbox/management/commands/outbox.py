"""`coursegate outbox status|retry|send`: see and unblock the e-mail outbox.

status  rows per status and kind, and the age of the oldest e-mail not yet delivered
retry   make failed rows (--failed) and/or given rows (--id) due now, with fresh attempts
send    deliver the due rows now, once (what the dispatcher's sweep does every few seconds)
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from coursegate.outbox.selectors import outbox_counts, outbox_counts_by_kind, outbox_oldest_pending
from coursegate.outbox.sender import outbox_send_due
from coursegate.outbox.services import outbox_retry


class Command(BaseCommand):
    help = "Show, retry and send the e-mails of the outbox."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        actions.add_parser("status", help="Counts per status and kind, oldest pending age")
        retry = actions.add_parser("retry", help="Failed (or given) rows -> pending, due now")
        retry.add_argument("--failed", action="store_true", help="Every failed row")
        retry.add_argument("--id", dest="ids", type=int, action="append", default=[], help="This row (repeatable)")
        send = actions.add_parser("send", help="Deliver the due rows now, once")
        send.add_argument("--limit", type=int, default=None, help="At most this many rows")

    def handle(self, *args, **options):
        action = options["action"]
        if action == "status":
            self._status()
        elif action == "retry":
            if not options["failed"] and not options["ids"]:
                raise CommandError("Say which rows: --failed and/or --id N")
            changed = outbox_retry(ids=options["ids"], failed=options["failed"])
            self.stdout.write(f"{changed} e-mails due again")
        else:
            handled = outbox_send_due(limit=options["limit"])
            counts = outbox_counts()
            self.stdout.write(f"{handled} e-mails attempted; now {counts['sent']} sent, {counts['pending']} pending, "
                              f"{counts['failed']} failed")  # fmt: skip

    def _status(self) -> None:
        for status, count in outbox_counts().items():
            self.stdout.write(f"{status:<8} {count}")
        for (status, kind), count in outbox_counts_by_kind().items():
            self.stdout.write(f"  {status:<8} {kind:<28} {count}")
        oldest = outbox_oldest_pending()
        age = f"{(timezone.now() - oldest).total_seconds():.0f} s" if oldest else "-"
        self.stdout.write(f"oldest pending: {age}")
