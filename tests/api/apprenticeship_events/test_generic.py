"""Generic events: POST /api/events/create and the three reads, getSinceEvent (the feed's
cursor, in id order), getByDateRange and getByResourceId (issue 14 §1; reference §1.2, §1.4)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from coursegate.events.models import GenericEvent
from coursegate.events.services import NewGenericEvent, generic_event_store, generic_events_store
from tests.api.apprenticeship_events.kinds_support import (
    BY_DATE,
    BY_RESOURCE,
    CREATE,
    GENERIC,
    READ_GENERIC,
    READ_ROLES,
    SINCE,
    WRITE_GENERIC,
    body,
)
from tests.api.apprenticeship_events.support import REQUIRED, post_json

CREATED = datetime(2024, 3, 1, 9, 30, tzinfo=UTC)
PAGE_SIZE_ERROR = ["Must be a whole number between 1 and 10000."]


@pytest.mark.parametrize("slash", ["", "/"], ids=["no trailing slash", "trailing slash"])
def test_a_generic_event_is_stored_and_echoed_with_its_id(client_for, slash):
    with time_machine.travel(CREATED, tick=False):
        response = post_json(client_for(WRITE_GENERIC), f"{CREATE}{slash}", GENERIC)

    assert response.status_code == 201
    row = GenericEvent.objects.values().get()
    assert response.json() == {"id": row["id"], "createdOn": "2024-03-01T09:30:00Z", **GENERIC}
    assert row == {"id": row["id"], "created_on": CREATED, "type": GENERIC["type"], "payload": GENERIC["payload"],
                   "resource_type": "apprenticeship", "resource_id": "445"}  # fmt: skip
    assert response["Location"] == f"http://testserver{SINCE}?fromEventId={row['id']}&pageSize=1"


def test_the_payload_is_kept_exactly_and_the_resource_is_optional(client_for):
    payload = '  {"a": [1, 2]}\n'

    response = post_json(client_for(WRITE_GENERIC), CREATE, {"type": "T", "payload": payload, "resourceId": None})

    assert response.status_code == 201
    assert (response.json()["payload"], response.json()["resourceType"], response.json()["resourceId"]) == (
        payload, None, None,
    )  # fmt: skip
    assert GenericEvent.objects.get().payload == payload


GENERIC_RULES = [
    ({"type": ...}, {"type": REQUIRED}),
    ({"type": ""}, {"type": REQUIRED}),
    ({"type": "t" * 256}, {"type": ["Ensure this field has no more than 255 characters."]}),
    ({"payload": ...}, {"payload": REQUIRED}),
    ({"payload": None}, {"payload": REQUIRED}),
    ({"payload": "  "}, {"payload": ["This field may not be blank."]}),
    ({"payload": {"a": 1}}, {"payload": ["Must be a string (a JSON payload is sent serialised as text)."]}),
    ({"resourceType": "r" * 256}, {"resourceType": ["Ensure this field has no more than 255 characters."]}),
    ({"resourceId": True}, {"resourceId": ["Must be a string."]}),
    ({"type": ..., "payload": ...}, {"type": REQUIRED, "payload": REQUIRED}),
]


@pytest.mark.parametrize(("changes", "errors"), GENERIC_RULES)
def test_a_bad_generic_event_is_a_400_naming_every_field(client_for, changes, errors):
    response = post_json(client_for(WRITE_GENERIC), CREATE, body(GENERIC, **changes))

    assert (response.status_code, response.json()) == (400, errors)
    assert not GenericEvent.objects.exists()


def _events() -> list:
    """Five events: ids in order, creation times out of id order for the last two."""
    with time_machine.travel(datetime(2024, 1, 2, tzinfo=UTC), tick=False):
        first = generic_events_store(
            events=[NewGenericEvent("A", "{}", "enrollment", "1"), NewGenericEvent("B", "{}", "enrollment", "2"),
                    NewGenericEvent("A", "{}", "enrollment", "1")]
        )  # fmt: skip
    with time_machine.travel(datetime(2024, 1, 1, tzinfo=UTC), tick=False):
        later = [generic_event_store(event=NewGenericEvent("A", "{}", "license", "1")) for _ in range(2)]
    return first + later


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()]


def test_get_since_event_is_in_id_order_from_the_id_inclusive(client_for):
    events = _events()
    reader = client_for(READ_GENERIC)

    assert ids(reader.get(SINCE)) == [e.id for e in events]
    assert ids(reader.get(f"{SINCE}?fromEventId={events[2].id}")) == [e.id for e in events[2:]]
    assert ids(reader.get(f"{SINCE}?eventType=A&fromEventId=0&pageSize=1000&pageNumber=1")) == [
        events[0].id, events[2].id, events[3].id, events[4].id,
    ]  # fmt: skip


def test_get_since_event_pages_follow_the_link_and_never_skip(client_for):
    events = _events()
    reader = client_for(READ_GENERIC)
    url, seen = f"{SINCE}?pageSize=2", []

    while url:
        response = reader.get(url)
        seen += ids(response)
        url = response["Link"][1 : response["Link"].index(">")] if "Link" in response else None

    assert seen == [e.id for e in events]


def test_get_by_date_range_is_half_open_in_creation_order_and_filters_by_type(client_for):
    events = _events()
    reader = client_for(READ_GENERIC)

    everything = reader.get(BY_DATE)
    day_one = reader.get(f"{BY_DATE}?fromDate=20240101000000&toDate=20240102000000")
    of_type = reader.get(f"{BY_DATE}?eventType=B&fromDate=20240101000000")
    ignored_cursor = reader.get(f"{BY_DATE}?fromEventId={events[4].id}")

    assert ids(everything) == [e.id for e in events[3:] + events[:3]]
    assert ids(day_one) == [events[3].id, events[4].id]
    assert ids(of_type) == [events[1].id]
    assert ids(ignored_cursor) == ids(everything)


def test_get_by_resource_id_answers_that_resources_events(client_for):
    events = _events()
    reader = client_for(READ_GENERIC)

    response = reader.get(f"{BY_RESOURCE}?resourceType=enrollment&resourceId=1")
    windowed = reader.get(
        f"{BY_RESOURCE}?resourceType=license&resourceId=1&fromDate=20240101000000&toDate=20240101000001"
    )

    assert ids(response) == [events[0].id, events[2].id]
    assert response.json()[0] == {"id": events[0].id, "createdOn": "2024-01-02T00:00:00Z", "type": "A",
                                  "payload": "{}", "resourceType": "enrollment", "resourceId": "1"}  # fmt: skip
    assert ids(windowed) == [events[3].id, events[4].id]


@pytest.mark.parametrize(
    ("path", "errors"),
    [
        (BY_RESOURCE, {"resourceType": REQUIRED}),
        (f"{BY_RESOURCE}?resourceType=enrollment", {"resourceId": REQUIRED}),
        (f"{BY_RESOURCE}?resourceType=enrollment&resourceId=", {"resourceId": REQUIRED}),
        (
            f"{BY_RESOURCE}?resourceType=a&resourceId=1&toDate=2024",
            {"toDate": ["Bad date format: expected yyyyMMddHHmmss, e.g. 20161231235959."]},
        ),
        (
            f"{BY_DATE}?fromDate=garbage",
            {"fromDate": ["Bad date format: expected yyyyMMddHHmmss, e.g. 20161231235959."]},
        ),
        (
            f"{BY_DATE}?fromDate=20240102000000&toDate=20240101000000",
            {"fromDate": ["Must be the same as or earlier than the end of the range."]},
        ),
        (f"{BY_DATE}?pageSize=0", {"pageSize": PAGE_SIZE_ERROR}),
        (f"{BY_DATE}?eventType={'x' * 256}", {"eventType": ["Ensure this field has no more than 255 characters."]}),
        (f"{SINCE}?fromEventId=-1", {"fromEventId": ["Must be a whole number between 0 and 9223372036854775807."]}),
        (f"{SINCE}?pageSize=10001", {"pageSize": PAGE_SIZE_ERROR}),
        (f"{SINCE}?pageNumber=x", {"pageNumber": ["Must be a whole number between 1 and 1000000000."]}),
        (f"{SINCE}?fromDate=garbage", {"fromDate": ["Bad date format: expected yyyyMMddHHmmss, e.g. 20161231235959."]}),
    ],  # fmt: skip
)
def test_bad_query_parameters_are_a_400_naming_them(client_for, path, errors):
    response = client_for(READ_GENERIC).get(path)

    assert (response.status_code, response.json()) == (400, errors)


@pytest.mark.parametrize("size", [5, 50])
def test_a_feed_page_costs_three_queries_whatever_its_size(client_for, django_assert_num_queries, size):
    generic_events_store(events=[NewGenericEvent("A", "{}")] * size)
    reader = client_for(READ_GENERIC)

    with django_assert_num_queries(3):  # the token row, the caller's roles, the page
        response = reader.get(f"{SINCE}?eventType=A&pageSize={size}")

    assert len(response.json()) == size


@pytest.mark.parametrize(
    "path", [f"{SINCE}/", f"{BY_DATE}/", f"{BY_RESOURCE}/?resourceType=a&resourceId=1", "/api/events/engagements/",
             "/api/events/accounts/"],
)  # fmt: skip
def test_every_get_path_also_works_with_a_trailing_slash(make_user, jwt_for, token_client, path):
    reader = token_client(f"Bearer {jwt_for(make_user('reader'), roles=READ_ROLES)}")

    response = reader.get(path)

    assert (response.status_code, response.json()) == (200, [])
