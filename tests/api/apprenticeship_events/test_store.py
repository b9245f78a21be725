"""POST /api/events/apprenticeships: storing one event (seed 004 "Storing events"; issue 6 decisions).

Status, exact bodies and the stored row for the seed's body, the .NET client's shape, keys in any
case, ignored fields, the server's clock and the keys of the answer. Every validation rule is in
test_store_validation.py, malformed bodies in test_store_malformed.py.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from coursegate.events.models import ApprenticeshipEvent
from tests.api.apprenticeship_events.support import (
    CLIENT_FIELDS,
    EVENTS,
    OUTPUT_KEYS,
    SEED_TEXT,
    event_body,
    post_json,
    seed_output,
    stored_row,
)

CREATED = datetime(2024, 2, 29, 23, 59, 59, 250000, tzinfo=UTC)
# The .NET client's optional columns (issue 14), none given.
STORED_NONE = {
    name: None
    for name in (
        "paused_on_date", "stopped_on_date", "payment_order", "legal_entity_id", "legal_entity_name",
        "legal_entity_organisation_type", "account_legal_entity_public_hashed_id", "effective_from", "effective_to",
        "date_of_birth", "price_history", "transfer_sender_id", "transfer_sender_name", "transfer_approval_status",
        "transfer_approval_actioned_on",
    )
}  # fmt: skip

# What the .NET client (SFA.DAS.Events.Api.Client, reference §1.8) sends: JsonConvert defaults, so
# PascalCase keys, enums as numbers and every property of its type, unset ones as null.
DOTNET_BODY = {
    "Event": "Created",
    "ApprenticeshipId": 445,
    "PaymentStatus": 1,
    "PausedOnDate": None,
    "StoppedOnDate": None,
    "AgreementStatus": 3,
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
        **STORED_NONE,
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
        **CLIENT_FIELDS,
        "paymentOrder": 0,
    }
    row = stored_row(body["id"])
    assert (row["training_type"], row["training_total_cost"]) == (2, Decimal("9000.00"))


def test_keys_match_whatever_their_case(writer_client):
    body = {key.upper() if i % 2 else key.lower(): value for i, (key, value) in enumerate(event_body().items())}

    response = post_json(writer_client, EVENTS, body)

    assert response.status_code == 201
    assert response.json() == seed_output(response.json()["id"], response.json()["createdOn"])


def test_unknown_fields_and_a_client_sent_id_or_created_on_are_ignored(frozen_writer):
    body = event_body(id=999_999, createdOn="2000-01-01T00:00:00", priceHistoryItems=[{"totalCost": 1}], extra=None)
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
    assert stored_row(response.json()["id"])["created_on"] == datetime(2024, 7, 1, 12, 0, tzinfo=UTC)


def test_the_answer_has_exactly_the_documented_keys(writer_client):
    response = post_json(writer_client, EVENTS, event_body())

    assert set(response.json()) == OUTPUT_KEYS
    assert response["Content-Type"] == "application/json"
