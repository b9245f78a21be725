"""The family's parsers and output shape, without HTTP: EventInput and EventBulkInput (bodies ->
NewEvent), EventQueryInput (query string -> EventQuery), EventOutput (seed 004 and issue 6)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from rest_framework.exceptions import ValidationError

from coursegate.api.apprenticeship_events.serializers import EventBulkInput, EventInput, EventOutput, EventQueryInput
from coursegate.core.serializers import parse
from coursegate.events.selectors import PAGE_COLUMNS, EventQuery, events_page
from coursegate.events.services import NewEvent, events_store
from tests.api.apprenticeship_events.support import REQUIRED_FIELDS, event_body
from tests.events.support import new_event

X = datetime(2017, 1, 1, tzinfo=UTC)


def validate_event(body) -> tuple[NewEvent | None, dict]:
    """(the event, {}) or (None, {field: [messages]}), as EventInput parses ``body``."""
    serializer = EventInput(data=body)
    if serializer.is_valid():
        return serializer.validated_data, {}
    return None, serializer.errors


def test_the_seeds_body_becomes_a_clean_event():
    event, errors = validate_event(event_body(trainingTotalCost=Decimal("123.45")))

    assert errors == {}
    assert event == NewEvent(
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
    assert event == new_event()


def test_keys_match_case_insensitively_and_unknown_keys_are_ignored():
    body = {key.upper(): value for key, value in event_body().items()} | {"PriceHistory": None, "Id": 7}

    event, errors = validate_event(body)

    assert errors == {}
    assert event == validate_event(event_body())[0]


@pytest.mark.parametrize(
    ("value", "expected"),
    [("framework", 1), ("FrAmEwOrK", 1), (" standard ", 2), (1, 1), (2, 2), (0, 1)],
)
def test_training_type_names_and_numbers(value, expected):
    event, _ = validate_event(event_body(trainingType=value))

    assert event.training_type == expected


@pytest.mark.parametrize("value", ["foo", -1, 3, True, False, 1.5, Decimal("1.0"), "1", [], {}])
def test_other_training_types_are_refused(value):
    event, errors = validate_event(event_body(trainingType=value))

    assert event is None
    assert errors == {"trainingType": ['Must be "framework" or 1, or "standard" or 2.']}


def test_every_problem_is_reported_under_the_seeds_field_name():
    _, errors = validate_event({})

    assert errors == {field: ["This field is required."] for field in REQUIRED_FIELDS}


def test_problems_of_several_fields_are_reported_at_once():
    _, errors = validate_event(event_body(event=..., trainingTotalCost=-1))

    assert errors == {
        "event": ["This field is required."],
        "trainingTotalCost": ["Must be a number greater than or equal to 0."],
    }


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


def test_a_bulk_body_becomes_clean_events_in_order():
    events = parse(EventBulkInput, [event_body(apprenticeshipId=i) for i in (5, 3, 9)])

    assert events == [new_event(apprenticeship_id=i) for i in (5, 3, 9)]


def test_one_bad_event_in_a_batch_reports_one_map_per_event():
    with pytest.raises(ValidationError) as raised:
        parse(EventBulkInput, [event_body(), event_body(apprenticeshipId=0), event_body()])

    assert raised.value.detail == [{}, {"apprenticeshipId": ["Must be a whole number greater than 0."]}, {}]


def test_more_than_10000_events_are_refused_before_any_is_read():
    with pytest.raises(ValidationError) as raised:
        parse(EventBulkInput, [None] * 10_001)

    assert raised.value.detail == {"non_field_errors": ["At most 10000 events may be sent at once."]}


def event_query_from_params(params) -> EventQuery:
    return parse(EventQueryInput, params)


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
        ({"pageSize": "0", "pageNumber": "0"}, {"pageSize": ["Must be a whole number between 1 and 10000."]}),
    ],
)
def test_bad_parameters_raise_with_the_parameters_name(params, errors):
    with pytest.raises(ValidationError) as raised:
        event_query_from_params(params)

    assert raised.value.detail == errors


def test_a_bad_synonym_is_refused_beside_a_good_one():
    # The reference binds fromDate by name: a bad fromDate is a 400 whatever `from` says.
    with pytest.raises(ValidationError) as raised:
        event_query_from_params({"from": "20170101000000", "fromDate": "garbage"})

    assert list(raised.value.detail) == ["fromDate"]


@pytest.mark.parametrize("name", ["pageSize", "pageNumber", "fromEventId"])
@pytest.mark.parametrize("value", ["²", "1" * 5000], ids=["superscript two", "5000 digits"])
def test_a_number_python_cannot_convert_raises_the_validation_error_not_a_value_error(name, value):
    with pytest.raises(ValidationError) as raised:
        event_query_from_params({name: value})

    assert list(raised.value.detail) == [name]


@pytest.mark.django_db
def test_a_stored_event_and_its_page_row_are_answered_the_same():
    [stored] = events_store(events=[new_event(training_type=2, training_total_cost=Decimal("9000.50"))])
    [row] = events_page(EventQuery(from_event_id=stored.id, page_size=1))

    answered = EventOutput(stored).data

    assert answered == EventOutput([row], many=True).data[0]
    assert list(answered) == list(EventOutput().fields)  # the keys in their declared order
    assert (answered["trainingType"], answered["trainingTotalCost"]) == ("standard", 9000.5)
    assert len(row) == len(PAGE_COLUMNS)
