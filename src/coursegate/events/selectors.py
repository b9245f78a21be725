"""Event store reads: a page by event id (inclusive) or by a half-open creation window."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from coursegate.events.exceptions import EventQueryInvalidError
from coursegate.events.models import ApprenticeshipEvent

DATE_FORMAT = "%Y%m%d%H%M%S"
_DATE = re.compile(r"[0-9]{14}")
PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX = 1000, 10_000
_WHOLE = re.compile(r"-?[0-9]{1,19}")  # ASCII digits only, short enough for int()


@dataclass(frozen=True)
class EventQuery:
    since: datetime | None
    until: datetime | None
    from_event_id: int
    page_size: int
    page_number: int


def _date(params: Mapping[str, str], *names: str) -> tuple[str, datetime | None]:
    for name in names:
        raw = params.get(name)
        if raw not in (None, ""):
            if not _DATE.fullmatch(raw):
                raise EventQueryInvalidError({name: ["Bad date format: expected yyyyMMddHHmmss, e.g. 20161231235959."]})
            try:
                return name, datetime.strptime(raw, DATE_FORMAT).replace(tzinfo=UTC)
            except ValueError:
                raise EventQueryInvalidError({name: ["Bad date format: not a real date and time."]}) from None
    return names[0], None


def _whole(params: Mapping[str, str], name: str, default: int, low: int, high: int | None) -> int:
    raw = params.get(name)
    if raw in (None, ""):
        return default
    bound = f"between {low} and {high}" if high is not None else f"{low} or more"
    if not _WHOLE.fullmatch(raw):
        raise EventQueryInvalidError({name: [f"Must be a whole number {bound}."]})
    value = int(raw)
    if value < low or (high is not None and value > high):
        raise EventQueryInvalidError({name: [f"Must be a whole number {bound}."]})
    return value


def event_query_from_params(params: Mapping[str, str]) -> EventQuery:
    """Seed 004's ``from``/``to`` and the .NET client's ``fromDate``/``toDate`` are synonyms; dates
    are validated even when ``fromEventId`` (which wins) is given."""
    from_name, since = _date(params, "from", "fromDate")
    _, until = _date(params, "to", "toDate")
    if since is not None and until is not None and since > until:
        raise EventQueryInvalidError({from_name: ["Must be the same as or earlier than the end of the range."]})
    return EventQuery(
        since=since,
        until=until,
        from_event_id=_whole(params, "fromEventId", 0, 0, 2**63 - 1),
        page_size=_whole(params, "pageSize", PAGE_SIZE_DEFAULT, 1, PAGE_SIZE_MAX),
        page_number=_whole(params, "pageNumber", 1, 1, 10**9),
    )


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
