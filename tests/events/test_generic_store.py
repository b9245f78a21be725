"""The generic event store: the store a change feed is built on (issue 14 §1, §2). Appends are
all or none, join the caller's transaction, and commit in id order, so a reader following
getSinceEvent's cursor never skips an event even when writers hold their transactions open."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import transaction

from coursegate.events.exceptions import EventBatchTooLargeError
from coursegate.events.models import GenericEvent
from coursegate.events.selectors import EventQuery, generic_events_page
from coursegate.events.services import MAX_BATCH, NewGenericEvent, generic_event_store, generic_events_store
from tests.kit.races import race_each, raised

EVENT = NewGenericEvent("coursegate.enrollment.created", '{"id": 1}', "enrollment", "1")


def test_a_batch_gets_increasing_ids_in_input_order_and_one_creation_time(db):
    stored = generic_events_store(events=[EVENT._replace(resource_id=str(i)) for i in range(5)])

    assert [e.resource_id for e in stored] == ["0", "1", "2", "3", "4"]
    assert [e.id for e in stored] == sorted(e.id for e in stored)
    assert len({e.created_on for e in stored}) == 1
    assert list(GenericEvent.objects.order_by("id").values_list("id", flat=True)) == [e.id for e in stored]


def test_an_append_rolls_back_with_the_callers_transaction(db):
    with pytest.raises(RuntimeError), transaction.atomic():
        generic_event_store(event=EVENT)
        raise RuntimeError("the caller's change failed")

    assert not GenericEvent.objects.exists()


def test_too_large_a_batch_stores_nothing(db):
    with pytest.raises(EventBatchTooLargeError):
        generic_events_store(events=[EVENT] * (MAX_BATCH + 1))

    assert not GenericEvent.objects.exists()


def test_the_feed_page_filters_and_orders_by_id(db):
    a = generic_event_store(event=EVENT)
    b = generic_event_store(event=EVENT._replace(type="other"))
    c = generic_event_store(event=EVENT)

    rows = generic_events_page(EventQuery(by_id=True, event_type=EVENT.type))
    later = generic_events_page(EventQuery(by_id=True, from_event_id=b.id))

    assert [row[0] for row in rows] == [a.id, c.id]
    assert [row[0] for row in later] == [b.id, c.id]
    assert rows[0] == tuple(a)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("requires_shared_database")
def test_a_cursor_reader_never_skips_an_event_while_writers_hold_their_transactions_open():
    """Writers append and keep their transaction open a moment (as a change feed appended inside
    an enrollment change would); a reader polls getSinceEvent's query from its cursor. Whatever
    it read must be exactly every event, each once, in id order."""
    writers, appends = 6, 10
    done = threading.Event()
    finished: list[int] = []
    seen: list[int] = []

    def work(i: int) -> None:
        if i == 0:
            cursor = 0
            while True:
                last_round = done.is_set()
                rows = generic_events_page(EventQuery(by_id=True, from_event_id=cursor, page_size=7))
                seen.extend(row[0] for row in rows)
                if rows:
                    cursor = rows[-1][0] + 1
                elif last_round:
                    return
        try:
            for _ in range(appends):
                with transaction.atomic():
                    generic_event_store(event=EVENT)
                    time.sleep(0.002)  # the rest of the caller's change
        finally:
            finished.append(i)
            if len(finished) == writers:
                done.set()

    assert raised(race_each(work, writers + 1, timeout=120)) == []
    final = list(GenericEvent.objects.order_by("id").values_list("id", flat=True))
    assert len(final) == writers * appends
    assert seen == final
