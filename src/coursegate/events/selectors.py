"""Event store reads: a page by event id (inclusive) or by a half-open creation window.

Readers ask with an ``EventQuery`` (typed; the API family parses its query string into one).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from coursegate.events.models import ApprenticeshipEvent

PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX = 1000, 10_000


@dataclass(frozen=True)
class EventQuery:
    """``from_event_id`` > 0 pages by id (the dates are then ignored); otherwise by the creation
    window ``since <= created_on < until`` (either end may be open). Pages are 1-based."""

    since: datetime | None = None
    until: datetime | None = None
    from_event_id: int = 0
    page_size: int = PAGE_SIZE_DEFAULT
    page_number: int = 1


PAGE_COLUMNS = (
    "id", "created_on", "event", "apprenticeship_id", "payment_status", "agreement_status", "provider_id",
    "learner_id", "employer_account_id", "training_type", "training_id", "training_start_date", "training_end_date",
    "training_total_cost",
)  # fmt: skip


def events_page(query: EventQuery) -> list[tuple]:
    """Rows (tuples of PAGE_COLUMNS) — by id: ``id >= fromEventId`` in id order (an index range
    scan); otherwise by creation time: ``from <= created_on < to`` in (created_on, id) order, then
    the page offset. Tuples, not model instances: a page of 1000 is the hot path."""
    qs = ApprenticeshipEvent.objects.all()
    if query.from_event_id > 0:
        qs = qs.filter(id__gte=query.from_event_id).order_by("id")
    else:
        if query.since is not None:
            qs = qs.filter(created_on__gte=query.since)
        if query.until is not None:
            qs = qs.filter(created_on__lt=query.until)
        qs = qs.order_by("created_on", "id")
    offset = query.page_size * (query.page_number - 1)
    return list(qs.values_list(*PAGE_COLUMNS)[offset : offset + query.page_size])
