"""GET /api/events/apprenticeships: pages of events by id or by creation window (seed 004
"Retrieving events"; issue 6 decisions; reference §1.3, §1.4, §1.10 cases 24-36).

Creation times are set with ``queryset.update`` so windows can be checked to the microsecond.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from coursegate.events.models import ApprenticeshipEvent
from tests.api.apprenticeship_events.support import EVENTS, OUTPUT_KEYS, ids, seed_output

X = datetime(2017, 1, 1, tzinfo=UTC)  # 20170101000000
Y = datetime(2017, 1, 2, tzinfo=UTC)  # 20170102000000
WINDOW = "20170101000000", "20170102000000"

BAD_FORMAT = ["Bad date format: expected yyyyMMddHHmmss, e.g. 20161231235959."]
NOT_A_DATE = ["Bad date format: not a real date and time."]
FROM_AFTER_TO = ["Must be the same as or earlier than the end of the range."]
BAD_PAGE_SIZE = ["Must be a whole number between 1 and 10000."]
BAD_PAGE_NUMBER = ["Must be a whole number between 1 and 1000000000."]
BAD_FROM_EVENT_ID = ["Must be a whole number between 0 and 9223372036854775807."]


def _created(event, when: datetime) -> None:
    ApprenticeshipEvent.objects.filter(pk=event.pk).update(created_on=when)


def _link(query: str) -> str:
    return f'<http://testserver/api/events/apprenticeships?{query}>; rel="next"'


@pytest.fixture
def three(store_events):
    return store_events(3)


def test_the_answer_is_a_bare_array_of_events_with_the_seeds_camel_case_keys(reader_client, store_events):
    [event] = store_events(1)
    _created(event, datetime(2017, 2, 1, 10, 20, 30, tzinfo=UTC))

    response = reader_client.get(EVENTS)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == [seed_output(event.id, "2017-02-01T10:20:30Z", apprenticeshipId=1)]
    assert set(response.json()[0]) == OUTPUT_KEYS


def test_an_empty_store_answers_an_empty_array_without_a_link(reader_client):
    response = reader_client.get(EVENTS)

    assert response.status_code == 200
    assert response.json() == []
    assert "Link" not in response


@pytest.mark.parametrize("path", [EVENTS, f"{EVENTS}/"], ids=["without trailing slash", "with trailing slash"])
def test_the_default_page_is_the_first_1000_events(reader_client, store_events, path):
    events = store_events(1001)

    response = reader_client.get(path)

    assert response.status_code == 200
    assert ids(response) == [e.id for e in events[:1000]]
    assert response["Link"] == f'<http://testserver{path}?pageNumber=2>; rel="next"'
    assert ids(reader_client.get(f"{path}?pageNumber=2")) == [events[1000].id]


def test_from_event_id_is_inclusive(reader_client, store_events):
    events = store_events(8)

    response = reader_client.get(f"{EVENTS}?fromEventId={events[4].id}")

    assert response.status_code == 200
    assert ids(response) == [e.id for e in events[4:]]


def test_from_event_id_pages_in_id_order_and_dates_in_creation_order(reader_client, store_events):
    events = store_events(4)
    for i, event in enumerate(events):  # created_on runs backwards along the ids
        _created(event, X + timedelta(hours=4 - i))

    by_id = reader_client.get(f"{EVENTS}?fromEventId={events[0].id}")
    by_date = reader_client.get(f"{EVENTS}?from=20170101000000")

    assert ids(by_id) == [e.id for e in events]
    assert ids(by_date) == [e.id for e in reversed(events)]


def test_events_created_at_the_same_moment_are_paged_in_id_order(reader_client, store_events):
    events = store_events(5)  # one batch: one created_on

    assert ids(reader_client.get(f"{EVENTS}?pageSize=2&pageNumber=2")) == [events[2].id, events[3].id]


@pytest.mark.parametrize(
    "dates",
    ["from=20990101000000", "fromDate=20990101000000&toDate=20990102000000", "to=20000101000000"],
    ids=["far-future from", "far-future fromDate/toDate", "to before every event"],
)
def test_from_event_id_wins_over_dates(reader_client, store_events, dates):
    events = store_events(8)

    response = reader_client.get(f"{EVENTS}?fromEventId={events[4].id}&{dates}")

    assert response.status_code == 200
    assert ids(response) == [e.id for e in events[4:]]


@pytest.mark.parametrize(
    ("dates", "errors"),
    [
        ("from=2016-12-31", {"from": BAD_FORMAT}),
        ("to=garbage", {"to": BAD_FORMAT}),
        ("fromDate=20161331000000", {"fromDate": NOT_A_DATE}),
        ("toDate=2016123123595", {"toDate": BAD_FORMAT}),
        ("from=20170102000000&to=20170101000000", {"from": FROM_AFTER_TO}),
    ],
    ids=["from", "to", "fromDate", "toDate", "from after to"],
)
def test_dates_are_still_validated_when_from_event_id_is_given(reader_client, three, dates, errors):
    response = reader_client.get(f"{EVENTS}?fromEventId={three[0].id}&{dates}")

    assert response.status_code == 400
    assert response.json() == errors


@pytest.mark.parametrize(
    ("from_name", "to_name"),
    [("from", "to"), ("fromDate", "toDate"), ("from", "toDate"), ("fromDate", "to")],
)
def test_from_and_to_are_synonyms_of_from_date_and_to_date(reader_client, store_events, from_name, to_name):
    before, inside, after = store_events(3)
    _created(before, X - timedelta(seconds=1))
    _created(inside, X + timedelta(hours=1))
    _created(after, Y)

    response = reader_client.get(f"{EVENTS}?{from_name}={WINDOW[0]}&{to_name}={WINDOW[1]}")

    assert response.status_code == 200
    assert ids(response) == [inside.id]


def test_the_window_includes_its_start_and_excludes_its_end(reader_client, store_events):
    before, at_start, just_inside, at_end, after = store_events(5)
    _created(before, X - timedelta(microseconds=1))
    _created(at_start, X)
    _created(just_inside, Y - timedelta(microseconds=1))
    _created(at_end, Y)
    _created(after, Y + timedelta(days=1))

    response = reader_client.get(f"{EVENTS}?from={WINDOW[0]}&to={WINDOW[1]}")

    assert response.status_code == 200
    assert ids(response) == [at_start.id, just_inside.id]


@pytest.mark.parametrize(
    ("query", "expected"),
    [("from=20170102000000", ["at_end", "after"]), ("to=20170102000000", ["at_start"])],
    ids=["only from", "only to"],
)
def test_a_window_may_be_open_at_either_end(reader_client, store_events, query, expected):
    at_start, at_end, after = store_events(3)
    named = {"at_start": at_start, "at_end": at_end, "after": after}
    _created(at_start, X)
    _created(at_end, Y)
    _created(after, Y + timedelta(days=1))

    response = reader_client.get(f"{EVENTS}?{query}")

    assert ids(response) == [named[name].id for name in expected]


@pytest.mark.parametrize(("from_name", "to_name"), [("from", "to"), ("fromDate", "toDate")])
def test_a_window_that_ends_before_it_starts_is_a_400_naming_its_start(reader_client, from_name, to_name):
    response = reader_client.get(f"{EVENTS}?{from_name}=20170102000000&{to_name}=20170101000000")

    assert response.status_code == 400
    assert response.json() == {from_name: FROM_AFTER_TO}


def test_an_empty_window_is_an_empty_array(reader_client, store_events):
    [event] = store_events(1)
    _created(event, X)

    response = reader_client.get(f"{EVENTS}?from={WINDOW[0]}&to={WINDOW[0]}")

    assert response.status_code == 200
    assert response.json() == []


@pytest.mark.parametrize("name", ["from", "to", "fromDate", "toDate"])
@pytest.mark.parametrize(
    ("value", "errors"),
    [
        ("2016-12-31", BAD_FORMAT),
        ("20161231", BAD_FORMAT),
        ("2016123123595", BAD_FORMAT),
        ("201612312359590", BAD_FORMAT),
        ("2016-12-31T23:59:59", BAD_FORMAT),
        ("2016123123595a", BAD_FORMAT),
        ("-2016123123595", BAD_FORMAT),
        ("20161331000000", NOT_A_DATE),
        ("20170229000000", NOT_A_DATE),
        ("20161231240000", NOT_A_DATE),
        ("20161231235960", NOT_A_DATE),
    ],
)
def test_a_date_not_exactly_yyyymmddhhmmss_is_a_400_naming_the_parameter(reader_client, name, value, errors):
    response = reader_client.get(f"{EVENTS}?{name}={value}")

    assert response.status_code == 400
    assert response.json() == {name: errors}


@pytest.mark.parametrize(
    ("query", "errors"),
    [
        ("pageSize=0", {"pageSize": BAD_PAGE_SIZE}),
        ("pageSize=10001", {"pageSize": BAD_PAGE_SIZE}),
        ("pageSize=abc", {"pageSize": BAD_PAGE_SIZE}),
        ("pageSize=-1", {"pageSize": BAD_PAGE_SIZE}),
        ("pageSize=1.5", {"pageSize": BAD_PAGE_SIZE}),
        ("pageNumber=0", {"pageNumber": BAD_PAGE_NUMBER}),
        ("pageNumber=x", {"pageNumber": BAD_PAGE_NUMBER}),
        ("pageNumber=-1", {"pageNumber": BAD_PAGE_NUMBER}),
        ("pageNumber=1000000001", {"pageNumber": BAD_PAGE_NUMBER}),
        ("fromEventId=-1", {"fromEventId": BAD_FROM_EVENT_ID}),
        ("fromEventId=x", {"fromEventId": BAD_FROM_EVENT_ID}),
        ("fromEventId=1.0", {"fromEventId": BAD_FROM_EVENT_ID}),
        ("fromEventId=9223372036854775808", {"fromEventId": BAD_FROM_EVENT_ID}),
    ],
)
def test_a_paging_parameter_out_of_range_or_not_a_number_is_a_400_naming_it(reader_client, query, errors):
    response = reader_client.get(f"{EVENTS}?{query}")

    assert response.status_code == 400
    assert response.json() == errors


@pytest.mark.parametrize("name", ["pageSize", "pageNumber", "fromEventId"])
@pytest.mark.parametrize("value", ["²", "1" * 5000], ids=["superscript two (isdigit, but not int)", "5000 digits"])
def test_a_number_python_cannot_convert_is_a_400_naming_the_parameter_not_a_500(reader_client, name, value):
    response = reader_client.get(f"{EVENTS}?{name}={value}")

    assert response.status_code == 400
    assert list(response.json()) == [name]


@pytest.mark.parametrize("query", ["pageSize=1", "pageSize=10000", "pageNumber=1000000000", "fromEventId=0"])
def test_paging_parameters_at_their_limits_are_accepted(reader_client, query):
    assert reader_client.get(f"{EVENTS}?{query}").status_code == 200


def test_page_two_of_two_holds_the_third_of_three_events_and_page_three_is_empty(reader_client, three):
    assert ids(reader_client.get(f"{EVENTS}?pageSize=2&pageNumber=2")) == [three[2].id]
    assert reader_client.get(f"{EVENTS}?pageSize=2&pageNumber=3").json() == []


def test_paging_applies_to_from_event_id_too(reader_client, store_events):
    events = store_events(6)

    response = reader_client.get(f"{EVENTS}?fromEventId={events[1].id}&pageSize=2&pageNumber=2")

    assert ids(response) == [events[3].id, events[4].id]


def test_the_next_link_in_id_mode_continues_after_the_last_id(reader_client, three):
    first = reader_client.get(f"{EVENTS}?fromEventId={three[0].id}&pageSize=2")

    assert ids(first) == [three[0].id, three[1].id]
    assert first["Link"] == _link(f"fromEventId={three[2].id}&pageSize=2&pageNumber=1")
    last = reader_client.get(first["Link"][1 : first["Link"].index(">")])
    assert ids(last) == [three[2].id]
    assert "Link" not in last


def test_the_next_link_in_date_mode_asks_for_the_next_page_number(reader_client, three):
    first = reader_client.get(f"{EVENTS}?from=20000101000000&toDate=20990101000000&pageSize=2")

    assert ids(first) == [three[0].id, three[1].id]
    assert first["Link"] == _link("from=20000101000000&toDate=20990101000000&pageSize=2&pageNumber=2")
    last = reader_client.get(first["Link"][1 : first["Link"].index(">")])
    assert ids(last) == [three[2].id]
    assert "Link" not in last


@pytest.mark.parametrize("mode", ["id", "date"])
def test_following_next_links_visits_every_event_once(reader_client, store_events, mode):
    events = store_events(7)
    url = f"{EVENTS}?fromEventId={events[0].id}&pageSize=3" if mode == "id" else f"{EVENTS}?pageSize=3"

    pages = []
    while url:
        response = reader_client.get(url)
        pages.append(ids(response))
        link = response.get("Link")
        url = link[1 : link.index(">")] if link else None

    assert pages == [[e.id for e in events[0:3]], [e.id for e in events[3:6]], [events[6].id]]


def test_a_full_last_page_has_a_link_to_an_empty_page(reader_client, store_events):
    events = store_events(4)

    full = reader_client.get(f"{EVENTS}?pageSize=2&pageNumber=2")
    empty = reader_client.get(full["Link"][1 : full["Link"].index(">")])

    assert ids(full) == [events[2].id, events[3].id]
    assert empty.json() == []
    assert "Link" not in empty


def test_the_dotnet_clients_queries_are_answered(reader_client, store_events):
    events = store_events(2)
    _created(events[1], X)

    by_id = reader_client.get(f"{EVENTS}?fromEventId=0&pageSize=1000&pageNumber=1")
    by_date = reader_client.get(f"{EVENTS}?fromDate={WINDOW[0]}&toDate={WINDOW[1]}&pageSize=1000&pageNumber=1")

    assert ids(by_id) == [events[1].id, events[0].id]  # fromEventId=0: all events, by creation time
    assert ids(by_date) == [events[1].id]


def test_unknown_query_parameters_are_ignored(reader_client, three):
    assert ids(reader_client.get(f"{EVENTS}?eventType=x&pageSize=3")) == [e.id for e in three]


@pytest.mark.parametrize("size", [10, 1000])
def test_a_page_costs_three_queries_whatever_its_size(reader_client, store_events, django_assert_num_queries, size):
    store_events(size)

    with django_assert_num_queries(3):  # the token row behind the JWT, the caller's roles, the page
        response = reader_client.get(f"{EVENTS}?pageSize={size}")

    assert len(response.json()) == size
