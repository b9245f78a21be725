"""events_store / event_store: append typed events, all or nothing (real database)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from coursegate.events.exceptions import EventBatchTooLargeError
from coursegate.events.models import ApprenticeshipEvent, TrainingType
from coursegate.events.selectors import EventQuery, events_page
from coursegate.events.services import event_store, events_store
from tests.events.support import new_event

pytestmark = pytest.mark.django_db

NOW = datetime(2021, 3, 4, 5, 6, 7, 891011, tzinfo=UTC)


def test_event_store_appends_one_row_stamped_with_the_servers_clock():
    with time_machine.travel(NOW, tick=False):
        stored = event_store(event=new_event(training_type=TrainingType.STANDARD))

    row = ApprenticeshipEvent.objects.get()
    assert row.pk == stored.pk
    assert (row.created_on, row.training_type, row.training_total_cost) == (NOW, 2, Decimal("123.45"))


def test_events_store_returns_the_events_in_input_order_with_increasing_ids():
    stored = events_store(events=[new_event(apprenticeship_id=i) for i in (5, 3, 9)])

    assert [e.apprenticeship_id for e in stored] == [5, 3, 9]
    assert [e.id for e in stored] == sorted(e.id for e in stored)
    assert list(ApprenticeshipEvent.objects.order_by("id").values_list("apprenticeship_id", flat=True)) == [5, 3, 9]


def test_a_batch_shares_one_creation_time():
    with time_machine.travel(NOW, tick=False):
        events_store(events=[new_event()] * 3)

    assert set(ApprenticeshipEvent.objects.values_list("created_on", flat=True)) == {NOW}


def test_an_empty_batch_stores_nothing():
    assert events_store(events=[]) == []
    assert not ApprenticeshipEvent.objects.exists()


def test_more_than_10000_events_are_refused_and_none_is_stored():
    with pytest.raises(EventBatchTooLargeError) as raised:
        events_store(events=[new_event()] * 10_001)

    assert raised.value.limit == 10_000
    assert not ApprenticeshipEvent.objects.exists()


def test_a_batch_larger_than_one_insert_keeps_its_order():
    stored = events_store(events=[new_event(apprenticeship_id=i) for i in range(1, 2_102)])

    ids = [e.id for e in stored]
    assert ids == list(range(ids[0], ids[0] + 2_101))
    assert list(ApprenticeshipEvent.objects.order_by("id").values_list("apprenticeship_id", flat=True)) == list(
        range(1, 2_102)
    )


def test_appending_takes_the_advisory_lock_on_postgresql_only():
    with CaptureQueriesContext(connection) as captured:
        events_store(events=[new_event()])

    locks = [q["sql"] for q in captured.captured_queries if "pg_advisory_xact_lock" in q["sql"]]
    assert len(locks) == (1 if connection.vendor == "postgresql" else 0)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("apprenticeship_id", 0),
        ("training_total_cost", Decimal("-1")),
        ("training_end_date", datetime(2000, 1, 1, tzinfo=UTC)),
    ],
)
def test_the_database_refuses_rows_that_break_the_rules_even_past_the_service(field, value):
    [event] = events_store(events=[new_event()])

    with pytest.raises(IntegrityError), transaction.atomic():
        ApprenticeshipEvent.objects.filter(pk=event.pk).update(**{field: value})


@pytest.mark.parametrize("size", [3, 250], ids=["multi-row INSERT", "COPY on PostgreSQL"])
def test_a_batch_stores_every_value_exactly_and_answers_the_stored_rows(size):
    """Texts with COPY's special characters, the longest text, a large cost, microseconds: stored as
    given, and the StoredEvents answered are the rows read back (as events_page reads them)."""
    odd = ["tab\there", "back\\slash \\N", "line\nbreak\r", "ünïcödé ✓", "x" * 50, "'quote\" ; --"]
    events = [
        new_event(
            event=odd[i % len(odd)],
            apprenticeship_id=i + 1,
            learner_id=odd[(i + 1) % len(odd)],
            training_type=TrainingType.STANDARD if i % 2 else TrainingType.FRAMEWORK,
            training_start_date=datetime(2017, 1, 31, 1, 2, 3, i, tzinfo=UTC),
            training_total_cost=Decimal("123456789.99") if i % 3 else Decimal("0.01"),
        )
        for i in range(size)
    ]
    with time_machine.travel(NOW, tick=False):
        stored = events_store(events=events)

    rows = events_page(EventQuery(from_event_id=stored[0].id, page_size=size + 1))
    assert stored == rows
    assert [e.id for e in stored] == list(range(stored[0].id, stored[0].id + size))
    assert all(e.created_on == NOW for e in stored)
    assert [tuple(e)[2:] for e in stored] == events
