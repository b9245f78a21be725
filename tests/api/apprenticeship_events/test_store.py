"""POST /api/events/apprenticeships: storing one event (seed 004 "Storing events"; issue 6 decisions).

Status, exact bodies and the stored row for the seed's body, the .NET client's shape, every
validation rule (each a 400 naming the field) and malformed bodies (a 400, never a 500).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from coursegate.events.models import ApprenticeshipEvent
from tests.api.apprenticeship_events.support import (
    BULK,
    EVENTS,
    OUTPUT_KEYS,
    REQUIRED,
    REQUIRED_FIELDS,
    TEXT_FIELDS,
    event_body,
    post_json,
    seed_output,
)

# The seed's example, byte for byte (its mixed space and tab indentation included).
SEED_TEXT = (
    "    {\n"
    '        "event": "An event",\n'
    '\t\t"apprenticeshipId": 444,\n'
    '\t\t"paymentStatus": "active",\n'
    '\t\t"agreementStatus": "agreed",\n'
    '\t\t"providerId": "1111",\n'
    '\t\t"learnerId": "9999",\n'
    '\t\t"trainingType": "framework",\n'
    '\t\t"trainingId": "3333",\n'
    '\t\t"employerAccountId": "2222",\n'
    '\t\t"trainingStartDate": "2017-01-31T00:00:00",\n'
    '\t\t"trainingEndDate": "2017-12-31T00:00:00",\n'
    '\t\t"trainingTotalCost": 123.45\n'
    "\t}"
)

CREATED = datetime(2024, 2, 29, 23, 59, 59, 250000, tzinfo=UTC)

TRAINING_TYPE_ERROR = ['Must be "framework" or 1, or "standard" or 2.']
TOO_LONG = ["Ensure this field has no more than 50 characters."]
BAD_ID = ["Must be a whole number greater than 0."]
BAD_DATE = ["Must be an ISO 8601 date-time, e.g. 2017-01-31T00:00:00."]

# What the .NET client (SFA.DAS.Events.Api.Client, reference §1.8) sends: JsonConvert defaults, so
# PascalCase keys, enums as numbers and every property of its type, unset ones as null.
DOTNET_BODY = {
    "Event": "Created",
    "ApprenticeshipId": 445,
    "PaymentStatus": "Active",
    "PausedOnDate": None,
    "StoppedOnDate": None,
    "AgreementStatus": "BothAgreed",
    "ProviderId": "10005077",
    "LearnerId": "1234567890",
    "EmployerAccountId": "8194",
    "TrainingType": 2,
    "TrainingId": "25",
    "TrainingStartDate": "2018-09-01T00:00:00",
    "TrainingEndDate": "2020-08-31T00:00:00",
    "TrainingTotalCost": 9000.0,
    "PaymentOrder": 0,
    "LegalEntityId": None,
    "LegalEntityName": None,
    "LegalEntityOrganisationType": None,
    "AccountLegalEntityPublicHashedId": None,
    "EffectiveFrom": None,
    "EffectiveTo": None,
    "DateOfBirth": None,
    "PriceHistory": None,
    "TransferSenderId": None,
    "TransferSenderName": None,
    "TransferApprovalStatus": None,
    "TransferApprovalActionedOn": None,
}


def _row(event_id: int) -> dict:
    return ApprenticeshipEvent.objects.values().get(pk=event_id)


@pytest.mark.parametrize("path", [f"{EVENTS}/", EVENTS], ids=["with trailing slash", "without trailing slash"])
def test_the_seeds_example_body_is_stored_and_answered_with_201(path, frozen_writer):
    with frozen_writer(CREATED) as client:
        response = post_json(client, path, SEED_TEXT)

    assert response.status_code == 201
    [row] = ApprenticeshipEvent.objects.values()
    assert response.json() == seed_output(row["id"], "2024-02-29T23:59:59.250000Z")
    assert response["Location"] == f"http://testserver/api/events/apprenticeships?fromEventId={row['id']}&pageSize=1"
    assert row == {
        "id": row["id"],
        "created_on": CREATED,
        "event": "An event",
        "apprenticeship_id": 444,
        "payment_status": "active",
        "agreement_status": "agreed",
        "provider_id": "1111",
        "learner_id": "9999",
        "employer_account_id": "2222",
        "training_type": 1,
        "training_id": "3333",
        "training_start_date": datetime(2017, 1, 31, tzinfo=UTC),
        "training_end_date": datetime(2017, 12, 31, tzinfo=UTC),
        "training_total_cost": Decimal("123.45"),
    }


def test_the_location_header_leads_a_reader_to_the_stored_event(writer_client, reader_client):
    stored = post_json(writer_client, EVENTS, event_body())

    response = reader_client.get(stored["Location"])

    assert response.status_code == 200
    assert response.json() == [stored.json()]


def test_the_dotnet_clients_request_is_stored(writer_client):
    response = writer_client.post(
        EVENTS,
        json.dumps(DOTNET_BODY, separators=(",", ":")).encode("utf-8"),
        content_type="application/json; charset=utf-8",
        HTTP_ACCEPT="application/json",
    )

    assert response.status_code == 201
    body = response.json()
    assert body == {
        "id": body["id"],
        "createdOn": body["createdOn"],
        "event": "Created",
        "apprenticeshipId": 445,
        "paymentStatus": "Active",
        "agreementStatus": "BothAgreed",
        "providerId": "10005077",
        "learnerId": "1234567890",
        "employerAccountId": "8194",
        "trainingType": "standard",
        "trainingId": "25",
        "trainingStartDate": "2018-09-01T00:00:00Z",
        "trainingEndDate": "2020-08-31T00:00:00Z",
        "trainingTotalCost": 9000.0,
    }
    row = _row(body["id"])
    assert (row["training_type"], row["training_total_cost"]) == (2, Decimal("9000.00"))


def test_keys_match_whatever_their_case(writer_client):
    body = {key.upper() if i % 2 else key.lower(): value for i, (key, value) in enumerate(event_body().items())}

    response = post_json(writer_client, EVENTS, body)

    assert response.status_code == 201
    assert response.json() == seed_output(response.json()["id"], response.json()["createdOn"])


def test_unknown_fields_and_a_client_sent_id_or_created_on_are_ignored(frozen_writer):
    body = event_body(id=999_999, createdOn="2000-01-01T00:00:00", priceHistory=[{"totalCost": 1}], extra=None)
    with frozen_writer(CREATED) as client:
        response = post_json(client, EVENTS, body)

    assert response.status_code == 201
    assert response.json()["id"] != 999_999
    assert response.json()["createdOn"] == "2024-02-29T23:59:59.250000Z"
    assert ApprenticeshipEvent.objects.get().created_on == CREATED


def test_created_on_is_the_servers_clock_in_utc_whatever_the_time_zone_setting(settings, frozen_writer):
    settings.TIME_ZONE = "Europe/London"  # BST in July: UTC+1
    with frozen_writer(datetime(2024, 7, 1, 12, 0, tzinfo=UTC)) as client:
        response = post_json(client, EVENTS, event_body())

    assert response.json()["createdOn"] == "2024-07-01T12:00:00Z"
    assert _row(response.json()["id"])["created_on"] == datetime(2024, 7, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "answered", "stored"),
    [
        ("framework", "framework", 1),
        ("FRAMEWORK", "framework", 1),
        ("Framework", "framework", 1),
        (1, "framework", 1),
        ("standard", "standard", 2),
        ("STANDARD", "standard", 2),
        (2, "standard", 2),
    ],
)
def test_training_type_accepts_the_names_in_any_case_and_the_numbers_1_and_2(writer_client, value, answered, stored):
    response = post_json(writer_client, EVENTS, event_body(trainingType=value))

    assert response.status_code == 201
    assert response.json()["trainingType"] == answered
    assert _row(response.json()["id"])["training_type"] == stored


@pytest.mark.parametrize("value", ["foo", 0, 3, True, 1.5, "1", "2", "unspecified", [1], {"name": "framework"}])
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
    assert _row(response.json()["id"])["event"] == "é" * 50


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
    assert _row(response.json()["id"])["apprenticeship_id"] == value


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
        ("NaN", ["Must be a number greater than or equal to 0."]),
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
    assert _row(response.json()["id"])["training_total_cost"] == Decimal(stored)


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


MALFORMED = [
    '{"event": ',
    "not json",
    "{'event': 'An event'}",
    '{"event": "An event",}',
    b"\xff\xfe\x00",
]


@pytest.mark.parametrize("path", [EVENTS, BULK], ids=["single", "bulk"])
@pytest.mark.parametrize("body", MALFORMED, ids=["truncated", "not json", "single quotes", "trailing comma", "bytes"])
def test_a_malformed_json_body_is_a_400_never_a_500(writer_client, path, body):
    response = post_json(writer_client, path, body)

    assert response.status_code == 400
    assert list(response.json()) == ["detail"]
    assert response.json()["detail"].startswith("JSON parse error - ")
    assert not ApprenticeshipEvent.objects.exists()


def test_a_truncated_body_is_answered_with_where_parsing_stopped(writer_client):
    response = post_json(writer_client, EVENTS, '{"event": ')

    assert response.json() == {"detail": "JSON parse error - Expecting value: line 1 column 11 (char 10)"}


@pytest.mark.parametrize("path", [EVENTS, BULK], ids=["single", "bulk"])
def test_a_body_nested_too_deeply_to_parse_is_a_400_never_a_500(writer_client, path):
    response = post_json(writer_client, path, "[" * 100_000 + "]" * 100_000)

    assert response.status_code == 400
    assert list(response.json()) == ["detail"]


@pytest.mark.parametrize(
    "body", [[event_body()], [], '"An event"', 444, None], ids=["array", "[]", "string", "number", "null"]
)
def test_a_body_that_is_not_an_object_is_a_400(writer_client, body):
    response = post_json(writer_client, EVENTS, body)

    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Each event must be a JSON object."]}
    assert not ApprenticeshipEvent.objects.exists()


def test_a_form_encoded_body_is_a_415(writer_client):
    response = writer_client.post(EVENTS, "event=An+event", content_type="application/x-www-form-urlencoded")

    assert response.status_code == 415
    assert response.json() == {"detail": 'Unsupported media type "application/x-www-form-urlencoded" in request.'}


def test_the_answer_has_exactly_the_documented_keys(writer_client):
    response = post_json(writer_client, EVENTS, event_body())

    assert set(response.json()) == OUTPUT_KEYS
    assert response["Content-Type"] == "application/json"
