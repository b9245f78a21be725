"""events_page: pages of the store by id or by creation window (seed 004 and issue 6)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from coursegate.events.models import ApprenticeshipEvent
from coursegate.events.selectors import PAGE_COLUMNS, EventQuery, events_page
from coursegate.events.services import events_store
from tests.events.support import new_event

X = datetime(2017, 1, 1, tzinfo=UTC)
ID = PAGE_COLUMNS.index("id")


def _ids(rows) -> list[int]:
    return [row[ID] for row in rows]


def _query(**changes) -> EventQuery:
    return EventQuery(**{"since": None, "until": None, "from_event_id": 0, "page_size": 1000, "page_number": 1,
                         **changes})  # fmt: skip


def test_a_query_asks_for_the_first_page_of_1000_of_everything_by_default():
    assert EventQuery() == _query()


@pytest.mark.django_db
class TestEventsPage:
    @pytest.fixture
    def events(self):
        events = events_store(events=[new_event(apprenticeship_id=i) for i in range(1, 7)])
        # created 3, 1, 2, 2, 5 and 4 hours after X: out of id order, and two events share a moment
        for event, hours in zip(events, [3, 1, 2, 2, 5, 4], strict=True):
            ApprenticeshipEvent.objects.filter(pk=event.pk).update(created_on=X + timedelta(hours=hours))
        return events

    def test_by_id_is_inclusive_in_id_order_and_ignores_dates(self, events):
        query = _query(from_event_id=events[2].id, since=X + timedelta(days=99), until=X)

        assert _ids(events_page(query)) == [e.id for e in events[2:]]

    def test_by_date_is_half_open_in_creation_then_id_order(self, events):
        query = _query(since=X + timedelta(hours=2), until=X + timedelta(hours=5))

        assert _ids(events_page(query)) == [events[2].id, events[3].id, events[0].id, events[5].id]

    def test_pages_are_offsets_of_page_size(self, events):
        everything = _ids(events_page(_query()))

        assert _ids(events_page(_query(page_size=4, page_number=2))) == everything[4:]
        assert events_page(_query(page_size=4, page_number=3)) == []

    def test_a_page_is_one_query(self, events, django_assert_num_queries):
        with django_assert_num_queries(1):
            events_page(_query(page_size=3))

    def test_a_row_holds_every_column_of_the_answer(self, events):
        [row] = events_page(_query(from_event_id=events[0].id, page_size=1))

        assert dict(zip(PAGE_COLUMNS, row, strict=True)) == ApprenticeshipEvent.objects.values().get(pk=events[0].id)
