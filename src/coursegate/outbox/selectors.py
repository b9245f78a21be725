"""Reads of the outbox, for operators: `coursegate outbox status`, the admin and, through
``outbox_counts``, the Prometheus metrics endpoint (a later issue reads it as a gauge per status).
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, Min

from coursegate.outbox.models import OutboxEmail


def outbox_counts() -> dict[str, int]:
    """Rows per status, every status present (0 when none): what the metrics endpoint exports."""
    counts = dict.fromkeys(OutboxEmail.Status.values, 0)
    for row in OutboxEmail.objects.values("status").annotate(n=Count("pk")).order_by():
        counts[row["status"]] = row["n"]
    return counts


def outbox_counts_by_kind() -> dict[tuple[str, str], int]:
    """Rows per (status, kind), for the rows that exist."""
    rows = OutboxEmail.objects.values("status", "kind").annotate(n=Count("pk")).order_by("status", "kind")
    return {(row["status"], row["kind"]): row["n"] for row in rows}


def outbox_oldest_pending() -> datetime | None:
    """When the oldest row not yet sent nor failed was written (None when there is none)."""
    unsettled = [OutboxEmail.Status.PENDING, OutboxEmail.Status.SENDING]
    return OutboxEmail.objects.filter(status__in=unsettled).aggregate(oldest=Min("created"))["oldest"]
