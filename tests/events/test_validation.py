"""validate_event: the rules of seed 004 and issue 6, one event at a time (no database)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from coursegate.events.validation import EventInput, validate_event
from tests.events.support import REQUIRED_FIELDS, event_body


def test_the_seeds_body_becomes_a_clean_event():
    event, errors = validate_event(event_body(trainingTotalCost=Decimal("123.45")))

    assert errors == {}
    assert event == EventInput(
        event="An event",
        apprenticeship_id=444,
        payment_status="active",
        agreement_status="agreed",
        provider_id="1111",
        learner_id="9999",
        employer_account_id="2222",
        training_type=1,
        training_id="3333",
        training_start_date=datetime(2017, 1, 31, tzinfo=UTC),
        training_end_date=datetime(2017, 12, 31, tzinfo=UTC),
        training_total_cost=Decimal("123.45"),
    )


def test_keys_match_case_insensitively_and_unknown_keys_are_ignored():
    body = {key.upper(): value for key, value in event_body().items()} | {"PriceHistory": None, "Id": 7}

    event, errors = validate_event(body)

    assert errors == {}
    assert event == validate_event(event_body())[0]


@pytest.mark.parametrize(
    ("value", "expected"),
    [("framework", 1), ("FrAmEwOrK", 1), (" standard ", 2), (1, 1), (2, 2)],
)
def test_training_type_names_and_numbers(value, expected):
    event, _ = validate_event(event_body(trainingType=value))

    assert event.training_type == expected


@pytest.mark.parametrize("value", ["foo", 0, 3, True, False, 1.5, Decimal("1.0"), "1", [], {}])
def test_other_training_types_are_refused(value):
    event, errors = validate_event(event_body(trainingType=value))

    assert event is None
    assert errors == {"trainingType": ['Must be "framework" or 1, or "standard" or 2.']}


def test_every_problem_is_reported_under_the_seeds_field_name():
    _, errors = validate_event({})

    assert errors == {field: ["This field is required."] for field in REQUIRED_FIELDS}


@pytest.mark.parametrize("value", [None, [], "An event", 444])
def test_a_body_that_is_not_an_object_is_refused_as_a_whole(value):
    assert validate_event(value) == (None, {"non_field_errors": ["Each event must be a JSON object."]})


def test_text_values_are_trimmed_and_numbers_are_taken_as_text():
    event, errors = validate_event(event_body(event="  Paused  ", providerId=1111, apprenticeshipId=" 444 "))

    assert errors == {}
    assert (event.event, event.provider_id, event.apprenticeship_id) == ("Paused", "1111", 444)


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("2017-01-31T00:00:00", datetime(2017, 1, 31, tzinfo=UTC)),
        ("2017-01-31T00:00:00Z", datetime(2017, 1, 31, tzinfo=UTC)),
        ("2017-01-31T02:00:00+02:00", datetime(2017, 1, 31, tzinfo=UTC)),
        ("2017-01-31", datetime(2017, 1, 31, tzinfo=UTC)),
    ],
)
def test_training_dates_are_converted_to_utc_and_naive_ones_are_taken_as_utc(sent, stored):
    event, _ = validate_event(event_body(trainingStartDate=sent))

    assert event.training_start_date == stored
    assert event.training_start_date.utcoffset().total_seconds() == 0


def test_start_and_end_are_compared_after_conversion_to_utc():
    # 01:00+02:00 is 23:00 UTC the day before, earlier than the end at 00:00 UTC.
    body = event_body(trainingStartDate="2017-01-31T01:00:00+02:00", trainingEndDate="2017-01-31T00:00:00Z")

    event, errors = validate_event(body)

    assert errors == {}
    assert event.training_start_date < event.training_end_date


@pytest.mark.parametrize(
    ("value", "stored"),
    [(Decimal("123.45"), "123.45"), (Decimal("1.5"), "1.50"), (0, "0.00"), ("7", "7.00"), (123.45, "123.45")],
)
def test_costs_are_kept_exact_with_two_decimals(value, stored):
    event, _ = validate_event(event_body(trainingTotalCost=value))

    assert event.training_total_cost == Decimal(stored)
    assert str(event.training_total_cost) == stored


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (Decimal("1.234"), "Must have at most two decimal places."),
        (Decimal("-0.01"), "Must be a number greater than or equal to 0."),
        (Decimal("NaN"), "Must be a number greater than or equal to 0."),
        (Decimal("Infinity"), "Must be a number greater than or equal to 0."),
        (Decimal("10000000000000000"), "Must be less than 10^16."),
        ("twelve", "Must be a number."),
    ],
)
def test_bad_costs_are_refused(value, message):
    assert validate_event(event_body(trainingTotalCost=value)) == (None, {"trainingTotalCost": [message]})


def test_the_largest_cost_a_decimal_18_2_holds_is_accepted():
    event, _ = validate_event(event_body(trainingTotalCost=Decimal("9999999999999999.99")))

    assert event.training_total_cost == Decimal("9999999999999999.99")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("apprenticeshipId", "²"),
        ("apprenticeshipId", "1" * 5000),
        ("trainingTotalCost", "1e999999"),
        ("trainingTotalCost", Decimal("1e999999")),
    ],
    ids=["id: superscript two", "id: 5000 digits", "cost: 1e999999 as text", "cost: 1e999999 as a number"],
)
def test_a_number_python_cannot_convert_is_refused_not_raised(field, value):
    event, errors = validate_event(event_body(**{field: value}))

    assert event is None
    assert list(errors) == [field]
