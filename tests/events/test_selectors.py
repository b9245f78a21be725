"""event_query_from_params and events_page: the query rules of seed 004 and issue 6."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from coursegate.events.exceptions import EventQueryInvalidError
from coursegate.events.models import ApprenticeshipEvent
from coursegate.events.selectors import PAGE_COLUMNS, EventQuery, event_query_from_params, events_page
from coursegate.events.services import events_store
from tests.events.support import event_body

X = datetime(2017, 1, 1, tzinfo=UTC)
ID = PAGE_COLUMNS.index("id")


def _ids(rows) -> list[int]:
    return [row[ID] for row in rows]


def _query(**changes) -> EventQuery:
    return EventQuery(**{"since": None, "until": None, "from_event_id": 0, "page_size": 1000, "page_number": 1,
                         **changes})  # fmt: skip


def test_no_parameters_mean_the_first_page_of_1000_of_everything():
    assert event_query_from_params({}) == _query()


@pytest.mark.parametrize(
    "params",
    [
        {"from": "20170101000000", "to": "20170102000000"},
        {"fromDate": "20170101000000", "toDate": "20170102000000"},
        {"from": "20170101000000", "toDate": "20170102000000"},
    ],
)
def test_from_and_to_are_synonyms_of_from_date_and_to_date(params):
    assert event_query_from_params(params) == _query(since=X, until=X + timedelta(days=1))


def test_from_is_read_before_from_date_when_both_are_given():
    query = event_query_from_params({"from": "20170101000000", "fromDate": "20990101000000"})

    assert query.since == X


def test_empty_values_mean_the_default():
    params = {"from": "", "to": "", "pageSize": "", "pageNumber": "", "fromEventId": ""}

    assert event_query_from_params(params) == _query()


def test_all_parameters_are_read():
    params = {"fromDate": "20170101000000", "toDate": "20170101000000", "fromEventId": "7", "pageSize": "10000",
              "pageNumber": "3"}  # fmt: skip

    assert event_query_from_params(params) == _query(since=X, until=X, from_event_id=7, page_size=10000, page_number=3)


@pytest.mark.parametrize(
    ("params", "errors"),
    [
        ({"from": "2016-12-31"}, {"from": ["Bad date format: expected yyyyMMddHHmmss, e.g. 20161231235959."]}),
        ({"toDate": "20161331000000"}, {"toDate": ["Bad date format: not a real date and time."]}),
        (
            {"fromDate": "20170102000000", "to": "20170101000000"},
            {"fromDate": ["Must be the same as or earlier than the end of the range."]},
        ),
        ({"pageSize": "0"}, {"pageSize": ["Must be a whole number between 1 and 10000."]}),
        ({"pageNumber": "0"}, {"pageNumber": ["Must be a whole number between 1 and 1000000000."]}),
        ({"fromEventId": "-1"}, {"fromEventId": ["Must be a whole number between 0 and 9223372036854775807."]}),
        (
            {"fromEventId": "1", "from": "x"},
            {"from": ["Bad date format: expected yyyyMMddHHmmss, e.g. 20161231235959."]},
        ),
    ],
)
def test_bad_parameters_raise_with_the_parameters_name(params, errors):
    with pytest.raises(EventQueryInvalidError) as raised:
        event_query_from_params(params)

    assert raised.value.errors == errors


@pytest.mark.parametrize("name", ["pageSize", "pageNumber", "fromEventId"])
@pytest.mark.parametrize("value", ["²", "1" * 5000], ids=["superscript two", "5000 digits"])
def test_a_number_python_cannot_convert_raises_the_query_error_not_a_value_error(name, value):
    with pytest.raises(EventQueryInvalidError) as raised:
        event_query_from_params({name: value})

    assert list(raised.value.errors) == [name]


@pytest.mark.django_db
class TestEventsPage:
    @pytest.fixture
    def events(self):
        events = events_store(bodies=[event_body(apprenticeshipId=i) for i in range(1, 7)])
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
