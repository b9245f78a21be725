"""POST /api/events/apprenticeships: the validation rules of one event (seed 004 "Storing events";
issue 6 decisions).

Training type, required fields, the event name and text fields, the apprenticeship id, numbers
Python cannot convert, training dates and total cost: each broken rule is a 400 naming the field
(every broken rule at once), and the values at the limits are stored.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from coursegate.events.models import ApprenticeshipEvent
from tests.api.apprenticeship_events.support import (
    EVENTS,
    REQUIRED,
    REQUIRED_FIELDS,
    SEED_TEXT,
    TEXT_FIELDS,
    event_body,
    post_json,
    stored_row,
)

TRAINING_TYPE_ERROR = ['Must be "framework" or 1, or "standard" or 2.']
TOO_LONG = ["Ensure this field has no more than 50 characters."]
BAD_ID = ["Must be a whole number greater than 0."]
BAD_DATE = ["Must be an ISO 8601 date-time, e.g. 2017-01-31T00:00:00."]


@pytest.mark.parametrize(
    ("value", "answered", "stored"),
    [
        ("framework", "framework", 1),
        ("FRAMEWORK", "framework", 1),
        ("Framework", "framework", 1),
        (1, "framework", 1),
        (0, "framework", 1),  # issue 14: the .NET client's Framework = 0
        ("standard", "standard", 2),
        ("STANDARD", "standard", 2),
        (2, "standard", 2),
    ],
)
def test_training_type_accepts_the_names_in_any_case_and_the_numbers_0_1_and_2(writer_client, value, answered, stored):
    response = post_json(writer_client, EVENTS, event_body(trainingType=value))

    assert response.status_code == 201
    assert response.json()["trainingType"] == answered
    assert stored_row(response.json()["id"])["training_type"] == stored


@pytest.mark.parametrize("value", ["foo", -1, 3, True, 1.5, "1", "2", "unspecified", [1], {"name": "framework"}])
def test_any_other_training_type_is_a_400_naming_training_type(writer_client, value):
    response = post_json(writer_client, EVENTS, event_body(trainingType=value))

    assert response.status_code == 400
    assert response.json() == {"trainingType": TRAINING_TYPE_ERROR}
    assert not ApprenticeshipEvent.objects.exists()


@pytest.mark.parametrize("how", ["missing", "null", "empty string"])
@pytest.mark.parametrize("field", REQUIRED_FIELDS)
def test_a_missing_required_field_is_a_400_naming_it(writer_client, field, how):
    body = event_body(**{field: {"missing": ..., "null": None, "empty string": ""}[how]})

    response = post_json(writer_client, EVENTS, body)

    assert response.status_code == 400
    assert response.json() == {field: REQUIRED}
    assert not ApprenticeshipEvent.objects.exists()


def test_an_empty_object_is_a_400_naming_every_required_field(writer_client):
    response = post_json(writer_client, EVENTS, {})

    assert response.status_code == 400
    assert response.json() == {field: REQUIRED for field in REQUIRED_FIELDS}


def test_an_empty_body_is_a_400_naming_every_required_field(writer_client):
    response = writer_client.post(EVENTS, b"", content_type="application/json")

    assert response.status_code == 400
    assert response.json() == {field: REQUIRED for field in REQUIRED_FIELDS}


@pytest.mark.parametrize(
    ("value", "errors"),
    [
        ("x" * 51, {"event": TOO_LONG}),
        ("", {"event": REQUIRED}),
        ("   ", {"event": ["This field may not be blank."]}),
        (["Paused"], {"event": ["Must be a string."]}),
    ],
    ids=["51 characters", "empty", "blank", "a list"],
)
def test_a_bad_event_name_is_a_400(writer_client, value, errors):
    response = post_json(writer_client, EVENTS, event_body(event=value))

    assert response.status_code == 400
    assert response.json() == errors


def test_an_event_name_of_50_characters_is_stored_whole(writer_client):
    response = post_json(writer_client, EVENTS, event_body(event="é" * 50))

    assert response.status_code == 201
    assert stored_row(response.json()["id"])["event"] == "é" * 50


@pytest.mark.parametrize("field", TEXT_FIELDS)
def test_a_text_field_of_51_characters_is_a_400_naming_it(writer_client, field):
    response = post_json(writer_client, EVENTS, event_body(**{field: "9" * 51}))

    assert response.status_code == 400
    assert response.json() == {field: TOO_LONG}


@pytest.mark.parametrize("field", TEXT_FIELDS)
def test_a_text_field_of_50_characters_is_stored_whole(writer_client, field):
    response = post_json(writer_client, EVENTS, event_body(**{field: "9" * 50}))

    assert response.status_code == 201
    assert response.json()[field] == "9" * 50


@pytest.mark.parametrize(
    "value",
    [0, -1, "abc", True, 1.5, 2**63, "-5", " "],
    ids=["0", "-1", "abc", "true", "1.5", "2^63", "minus five as text", "a space"],
)
def test_an_apprenticeship_id_that_is_not_a_positive_64_bit_integer_is_a_400(writer_client, value):
    response = post_json(writer_client, EVENTS, event_body(apprenticeshipId=value))

    assert response.status_code == 400
    assert response.json() == {"apprenticeshipId": BAD_ID}


@pytest.mark.parametrize(
    ("field", "value"),
    [("apprenticeshipId", "²"), ("apprenticeshipId", "1" * 5000), ("trainingTotalCost", "1e999999")],
    ids=["id: superscript two (isdigit, but not int)", "id: 5000 digits (over int's limit)", "cost: 1e999999"],
)
def test_a_number_python_cannot_convert_is_a_400_naming_the_field_not_a_500(writer_client, field, value):
    response = post_json(writer_client, EVENTS, event_body(**{field: value}))

    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_a_cost_of_1e999999_as_a_json_number_is_a_400_naming_it_not_a_500(writer_client):
    response = post_json(writer_client, EVENTS, SEED_TEXT.replace("123.45", "1e999999"))

    assert response.status_code == 400
    assert list(response.json()) == ["trainingTotalCost"]


@pytest.mark.parametrize("value", [1, 2**63 - 1])
def test_an_apprenticeship_id_from_1_to_the_largest_64_bit_integer_is_stored(writer_client, value):
    response = post_json(writer_client, EVENTS, event_body(apprenticeshipId=value))

    assert response.status_code == 201
    assert response.json()["apprenticeshipId"] == value
    assert stored_row(response.json()["id"])["apprenticeship_id"] == value


def test_a_training_start_after_its_end_is_a_400(writer_client):
    body = event_body(trainingStartDate="2018-01-01T00:00:00", trainingEndDate="2017-01-01T00:00:00")

    response = post_json(writer_client, EVENTS, body)

    assert response.status_code == 400
    assert response.json() == {"trainingEndDate": ["Must not be earlier than trainingStartDate."]}


def test_a_training_that_starts_and_ends_at_the_same_moment_is_stored(writer_client):
    body = event_body(trainingStartDate="2017-01-31T00:00:00", trainingEndDate="2017-01-31T00:00:00")

    assert post_json(writer_client, EVENTS, body).status_code == 201


@pytest.mark.parametrize("field", ["trainingStartDate", "trainingEndDate"])
@pytest.mark.parametrize(
    ("value", "errors"),
    [
        ("2017-13-01T00:00:00", BAD_DATE),
        ("2017-02-30T00:00:00", BAD_DATE),
        ("31/01/2017", BAD_DATE),
        ("yesterday", BAD_DATE),
        ("2017-01-31T25:00:00", BAD_DATE),
        (20170131, ["Must be an ISO 8601 date-time string."]),
        ("0001-01-01T00:00:00+01:00", ["Date-time out of range."]),
    ],
    ids=["month 13", "30 February", "dd/mm/yyyy", "a word", "hour 25", "a number", "before year 1 in UTC"],
)
def test_a_training_date_that_is_not_an_iso_8601_date_time_is_a_400_naming_it(writer_client, field, value, errors):
    response = post_json(writer_client, EVENTS, event_body(**{field: value}))

    assert response.status_code == 400
    assert response.json() == {field: errors}


@pytest.mark.parametrize(
    ("sent", "answered"),
    [
        ("2017-01-31", "2017-01-31T00:00:00Z"),
        ("2017-01-31T00:00:00Z", "2017-01-31T00:00:00Z"),
        ("2017-01-31T00:00:00+01:00", "2017-01-30T23:00:00Z"),
        ("2017-01-31T06:30:00.5-05:00", "2017-01-31T11:30:00.500000Z"),
    ],
    ids=["a date", "UTC", "an hour east", "fractions, five hours west"],
)
def test_training_dates_with_an_offset_are_stored_in_utc(writer_client, sent, answered):
    response = post_json(writer_client, EVENTS, event_body(trainingStartDate=sent))

    assert response.status_code == 201
    assert response.json()["trainingStartDate"] == answered


@pytest.mark.parametrize(
    ("value", "errors"),
    [
        (-1, ["Must be a number greater than or equal to 0."]),
        (-0.01, ["Must be a number greater than or equal to 0."]),
        (1.234, ["Must have at most two decimal places."]),
        ("abc", ["Must be a number."]),
        (True, ["Must be a number."]),
        ([1], ["Must be a number."]),
        ("NaN", ["Must be a number."]),  # text must be a decimal numeral
        (10**16, ["Must be less than 10^16."]),
    ],
    ids=["-1", "-0.01", "1.234", "abc", "true", "a list", "NaN as text", "10^16"],
)
def test_a_bad_training_total_cost_is_a_400_naming_it(writer_client, value, errors):
    response = post_json(writer_client, EVENTS, event_body(trainingTotalCost=value))

    assert response.status_code == 400
    assert response.json() == {"trainingTotalCost": errors}


@pytest.mark.parametrize(
    ("value", "answered", "stored"),
    [(0, 0, "0.00"), (0.1, 0.1, "0.10"), (1.5, 1.5, "1.50"), (100, 100, "100.00"), ("123.45", 123.45, "123.45")],
)
def test_a_training_total_cost_of_0_or_more_with_two_decimals_is_stored_exactly(writer_client, value, answered, stored):
    response = post_json(writer_client, EVENTS, event_body(trainingTotalCost=value))

    assert response.status_code == 201
    assert response.json()["trainingTotalCost"] == answered
    assert stored_row(response.json()["id"])["training_total_cost"] == Decimal(stored)


def test_every_broken_rule_is_reported_at_once(writer_client):
    body = event_body(event=..., apprenticeshipId=0, trainingType="foo", trainingTotalCost=-1, providerId="9" * 51)

    response = post_json(writer_client, EVENTS, body)

    assert response.status_code == 400
    assert response.json() == {
        "event": REQUIRED,
        "apprenticeshipId": BAD_ID,
        "providerId": TOO_LONG,
        "trainingType": TRAINING_TYPE_ERROR,
        "trainingTotalCost": ["Must be a number greater than or equal to 0."],
    }
