"""POST /api/events/apprenticeships/bulk: a JSON array of events stored in one transaction, all or
none (issue 6; reference §1.10 case 23)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coursegate.events.models import ApprenticeshipEvent
from tests.api.apprenticeship_events.support import BULK, REQUIRED, event_body, post_json, seed_output

CREATED = datetime(2023, 6, 30, 8, 15, 0, tzinfo=UTC)


@pytest.mark.parametrize("path", [BULK, f"{BULK}/"], ids=["without trailing slash", "with trailing slash"])
def test_two_valid_events_are_stored_with_consecutive_ids(frozen_writer, path):
    bodies = [event_body(), event_body(event="Paused", trainingType=2)]

    with frozen_writer(CREATED) as client:
        response = post_json(client, path, bodies)

    assert response.status_code == 201
    first, second = ApprenticeshipEvent.objects.order_by("id").values_list("id", flat=True)
    assert second == first + 1
    assert response.json() == [
        seed_output(first, "2023-06-30T08:15:00Z"),
        seed_output(second, "2023-06-30T08:15:00Z", event="Paused", trainingType="standard"),
    ]
    assert response["Location"] == f"http://testserver/api/events/apprenticeships?fromEventId={first}&pageSize=2"
    assert list(ApprenticeshipEvent.objects.order_by("id").values_list("event", "training_type", "created_on")) == [
        ("An event", 1, CREATED),
        ("Paused", 2, CREATED),
    ]


def test_the_location_header_leads_a_reader_to_the_stored_batch(writer_client, reader_client):
    stored = post_json(writer_client, BULK, [event_body(), event_body(), event_body()])

    response = reader_client.get(stored["Location"])

    assert response.json() == stored.json()


def test_one_invalid_event_among_valid_ones_stores_nothing(writer_client):
    bodies = [event_body(), event_body(event=...), event_body(), event_body(trainingType="foo", apprenticeshipId=0)]

    response = post_json(writer_client, BULK, bodies)

    assert response.status_code == 400
    assert response.json() == [
        {},
        {"event": REQUIRED},
        {},
        {
            "apprenticeshipId": ["Must be a whole number greater than 0."],
            "trainingType": ['Must be "framework" or 1, or "standard" or 2.'],
        },
    ]
    assert not ApprenticeshipEvent.objects.exists()


def test_an_item_that_is_not_an_object_is_reported_in_its_place(writer_client):
    response = post_json(writer_client, BULK, [event_body(), "An event", None])

    assert response.status_code == 400
    assert response.json() == [
        {},
        {"non_field_errors": ["Each event must be a JSON object."]},
        {"non_field_errors": ["Each event must be a JSON object."]},
    ]
    assert not ApprenticeshipEvent.objects.exists()


def test_an_empty_array_is_a_201_with_an_empty_array(writer_client):
    response = post_json(writer_client, BULK, [])

    assert response.status_code == 201
    assert response.json() == []
    assert "Location" not in response
    assert not ApprenticeshipEvent.objects.exists()


@pytest.mark.parametrize(
    "body", [event_body(), {}, '"An event"', 444, None], ids=["an event", "{}", "a string", "a number", "null"]
)
def test_a_body_that_is_not_an_array_is_a_400(writer_client, body):
    response = post_json(writer_client, BULK, body)

    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Expected a JSON array of events."]}
    assert not ApprenticeshipEvent.objects.exists()


def test_more_than_10000_events_at_once_is_a_400(writer_client):
    response = post_json(writer_client, BULK, [{}] * 10_001)

    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["At most 10000 events may be sent at once."]}
    assert not ApprenticeshipEvent.objects.exists()


def test_a_batch_of_10000_seed_sized_events_the_stated_maximum_is_stored_in_order(writer_client):
    bodies = [event_body(apprenticeshipId=i) for i in range(1, 10_001)]

    response = post_json(writer_client, BULK, bodies)

    assert response.status_code == 201
    answered = response.json()
    assert [item["apprenticeshipId"] for item in answered] == list(range(1, 10_001))
    assert [item["id"] for item in answered] == list(range(answered[0]["id"], answered[0]["id"] + 10_000))
    assert ApprenticeshipEvent.objects.count() == 10_000


def test_ids_increase_strictly_across_calls(writer_client):
    answered = []
    for size in (2, 1, 3):
        answered += post_json(writer_client, BULK, [event_body()] * size).json()
    answered += [post_json(writer_client, "/api/events/apprenticeships", event_body()).json()]

    ids = [item["id"] for item in answered]
    assert len(ids) == 7
    assert ids == sorted(set(ids))
    assert ids == list(ApprenticeshipEvent.objects.order_by("id").values_list("id", flat=True))


def test_the_dotnet_clients_bulk_request_is_stored(writer_client):
    pascal = {key[0].upper() + key[1:]: value for key, value in event_body().items()}
    bodies = [{**pascal, "Event": "Created", "TrainingType": 2, "TransferSenderId": None}]

    response = writer_client.post(
        BULK, json.dumps(bodies, separators=(",", ":")).encode(), content_type="application/json; charset=utf-8"
    )

    assert response.status_code == 201
    assert [(item["event"], item["trainingType"]) for item in response.json()] == [("Created", "standard")]


def test_a_bulk_store_costs_the_same_number_of_queries_whatever_its_size(writer_client):
    """The token row, the caller's role assignments, a savepoint, the advisory lock (PostgreSQL
    only), one multi-row INSERT, the release. SQLite caps a statement at 999 parameters (34 rows
    of 29 columns), so its larger batches take several INSERTs; PostgreSQL takes up to 2000 rows
    in one."""

    def queries(n: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = post_json(writer_client, BULK, [event_body()] * n)
        assert response.status_code == 201
        return len(captured.captured_queries)

    postgresql = connection.vendor == "postgresql"
    sizes = (1, 2, 70, 2000) if postgresql else (1, 2, 34)
    assert [queries(n) for n in sizes] == [6 if postgresql else 5] * len(sizes)


@pytest.mark.parametrize("bad_at", [0, 150, 299], ids=["first", "middle", "last"])
def test_a_large_batch_with_one_bad_event_stores_nothing_and_names_every_problem(writer_client, bad_at):
    """A batch large enough for COPY on PostgreSQL is parsed while it is stored: the bad event
    stops the store, nothing is kept, and the answer is the same one map per event."""
    bodies = [event_body(apprenticeshipId=i + 1) for i in range(300)]
    bodies[bad_at] = event_body(trainingType="foo", event=...)
    bodies[(bad_at + 100) % 300] = event_body(apprenticeshipId="7")  # valid, through the exact parse

    response = post_json(writer_client, BULK, bodies)

    assert response.status_code == 400
    expected = [{}] * 300
    expected[bad_at] = {"event": REQUIRED, "trainingType": ['Must be "framework" or 1, or "standard" or 2.']}
    assert response.json() == expected
    assert not ApprenticeshipEvent.objects.exists()
    stored = post_json(writer_client, BULK, [event_body()] * 300).json()  # the store goes on as before
    assert [item["id"] for item in stored] == list(range(stored[0]["id"], stored[0]["id"] + 300))
    assert ApprenticeshipEvent.objects.count() == 300
