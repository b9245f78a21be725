"""The .NET client's apprenticeship fields (issue 14 §1; reference §1.5, §1.8): integer statuses
mapped to the client's enum names, TrainingType numbering (and its setting), and the optional
fields validated, stored and answered."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from coursegate.events.models import ApprenticeshipEvent
from tests.api.apprenticeship_events.support import BULK, EVENTS, event_body, post_json, stored_row

PAYMENT_ERROR = [
    "Must be text or one of the numbers 0 (PendingApproval), 1 (Active), 2 (Paused), 3 (Withdrawn), "
    "4 (Completed), 5 (Deleted)."
]
AGREEMENT_ERROR = [
    "Must be text or one of the numbers 0 (NotAgreed), 1 (EmployerAgreed), 2 (ProviderAgreed), 3 (BothAgreed)."
]


@pytest.mark.parametrize(
    ("number", "name"),
    [(0, "PendingApproval"), (1, "Active"), (2, "Paused"), (3, "Withdrawn"), (4, "Completed"), (5, "Deleted")],
)
def test_a_payment_status_number_is_stored_and_answered_as_the_clients_name(writer_client, number, name):
    response = post_json(writer_client, EVENTS, event_body(paymentStatus=number))

    assert response.status_code == 201
    assert response.json()["paymentStatus"] == name
    assert stored_row(response.json()["id"])["payment_status"] == name


@pytest.mark.parametrize(
    ("number", "name"), [(0, "NotAgreed"), (1, "EmployerAgreed"), (2, "ProviderAgreed"), (3, "BothAgreed")]
)
def test_an_agreement_status_number_is_stored_and_answered_as_the_clients_name(writer_client, number, name):
    response = post_json(writer_client, EVENTS, event_body(agreementStatus=number))

    assert response.json()["agreementStatus"] == name
    assert stored_row(response.json()["id"])["agreement_status"] == name


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"paymentStatus": 6}, {"paymentStatus": PAYMENT_ERROR}),
        ({"paymentStatus": -1}, {"paymentStatus": PAYMENT_ERROR}),
        ({"agreementStatus": 4}, {"agreementStatus": AGREEMENT_ERROR}),
        (
            {"paymentStatus": 9, "agreementStatus": 9},
            {"paymentStatus": PAYMENT_ERROR, "agreementStatus": AGREEMENT_ERROR},
        ),  # noqa: E501
        ({"paymentStatus": True}, {"paymentStatus": ["Must be a string."]}),
    ],
)
def test_an_unknown_status_number_is_a_400_naming_the_field(writer_client, changes, errors):
    response = post_json(writer_client, EVENTS, event_body(**changes))

    assert (response.status_code, response.json()) == (400, errors)
    assert not ApprenticeshipEvent.objects.exists()


def test_text_statuses_are_kept_as_sent(writer_client):
    response = post_json(writer_client, EVENTS, event_body(paymentStatus=" active ", agreementStatus="agreed"))

    assert (response.json()["paymentStatus"], response.json()["agreementStatus"]) == ("active", "agreed")


@pytest.mark.parametrize(("value", "stored"), [(0, 1), (1, 2), ("framework", 1), ("Standard", 2)])
def test_the_client_numbering_setting_reads_0_and_1(settings, writer_client, value, stored):
    settings.COURSEGATE_EVENTS_TRAINING_TYPE_NUMBERING = "client"

    response = post_json(writer_client, BULK, [event_body(trainingType=value)])

    assert response.status_code == 201
    assert ApprenticeshipEvent.objects.get().training_type == stored


def test_under_the_client_numbering_2_is_a_400_with_its_message(settings, writer_client):
    settings.COURSEGATE_EVENTS_TRAINING_TYPE_NUMBERING = "client"

    response = post_json(writer_client, EVENTS, event_body(trainingType=2))

    assert (response.status_code, response.json()) == (
        400,
        {"trainingType": ['Must be "framework" or 0, or "standard" or 1.']},
    )


def test_an_unknown_numbering_setting_is_a_configuration_error(settings):
    from django.core.exceptions import ImproperlyConfigured

    from coursegate.events.config import training_type_numbers

    settings.COURSEGATE_EVENTS_TRAINING_TYPE_NUMBERING = "octal"

    with pytest.raises(ImproperlyConfigured):
        training_type_numbers()


FULL = {
    "pausedOnDate": "2019-01-01T00:00:00",
    "stoppedOnDate": "2019-06-01T12:00:00+01:00",
    "paymentOrder": 3,
    "legalEntityId": "LE-1",
    "legalEntityName": "Acme Training Ltd",
    "legalEntityOrganisationType": "Company",
    "accountLegalEntityPublicHashedId": "ABC123",
    "effectiveFrom": "2018-09-01T00:00:00",
    "effectiveTo": None,
    "dateOfBirth": "2000-02-29T00:00:00",
    "priceHistory": [
        {"TotalCost": 9000, "EffectiveFrom": "2018-09-01T00:00:00", "EffectiveTo": "2019-08-31T00:00:00"},
        {"totalCost": "9500.50", "effectiveFrom": "2019-09-01T00:00:00"},
    ],
    "transferSenderId": 7,
    "transferSenderName": "Sender plc",
    "transferApprovalStatus": 1,
    "transferApprovalActionedOn": "2018-08-01T10:00:00Z",
}


def test_the_clients_optional_fields_are_stored_and_answered(writer_client, reader_client):
    response = post_json(writer_client, EVENTS, event_body(**FULL))

    assert response.status_code == 201, response.json()
    answered = response.json()
    assert {key: answered[key] for key in FULL} == {
        **FULL,
        "stoppedOnDate": "2019-06-01T11:00:00Z",
        "pausedOnDate": "2019-01-01T00:00:00Z",
        "effectiveFrom": "2018-09-01T00:00:00Z",
        "dateOfBirth": "2000-02-29T00:00:00Z",
        "priceHistory": [
            {"totalCost": 9000.0, "effectiveFrom": "2018-09-01T00:00:00Z", "effectiveTo": "2019-08-31T00:00:00Z"},
            {"totalCost": 9500.5, "effectiveFrom": "2019-09-01T00:00:00Z", "effectiveTo": None},
        ],
        "transferApprovalStatus": "TransferApproved",
        "transferApprovalActionedOn": "2018-08-01T10:00:00Z",
    }
    row = stored_row(answered["id"])
    assert (row["stopped_on_date"], row["transfer_sender_id"], row["transfer_approval_status"]) == (
        datetime(2019, 6, 1, 11, tzinfo=UTC),
        7,
        "TransferApproved",
    )
    assert reader_client.get(response["Location"]).json() == [answered]


def test_the_optional_fields_take_the_bulk_path_too(writer_client):
    response = post_json(writer_client, BULK, [event_body(), event_body(**FULL)])

    assert response.status_code == 201
    assert [item["transferSenderName"] for item in response.json()] == [None, "Sender plc"]


RULES = [
    ({"transferSenderId": 7}, {"transferSenderName": ["Must not be empty when transferSenderId is greater than 0."]}),
    ({"transferSenderName": "X"}, {"transferSenderId": ["Required when transferSenderName is given."]}),
    (
        {"transferSenderName": "X", "transferSenderId": 0},
        {"transferSenderId": ["Required when transferSenderName is given."]},
    ),
    ({"transferApprovalStatus": "Pending"}, {"transferSenderId": ["Required when transferApprovalStatus is given."]}),
    (
        {"transferApprovalStatus": 3, "transferSenderId": 1, "transferSenderName": "X"},
        {
            "transferApprovalStatus": [
                "Must be one of 0 (Pending), 1 (TransferApproved), 2 (TransferRejected), by name or number."
            ]
        },
    ),
    ({"transferSenderId": -1}, {"transferSenderId": ["Must be a whole number greater than or equal to 0."]}),
    ({"paymentOrder": 1.5}, {"paymentOrder": ["Must be a whole number from -2147483648 to 2147483647."]}),
    ({"paymentOrder": 2**31}, {"paymentOrder": ["Must be a whole number from -2147483648 to 2147483647."]}),
    ({"pausedOnDate": "yesterday"}, {"pausedOnDate": ["Must be an ISO 8601 date-time, e.g. 2017-01-31T00:00:00."]}),
    ({"dateOfBirth": 20000101}, {"dateOfBirth": ["Must be an ISO 8601 date-time string."]}),
    ({"legalEntityName": "n" * 101}, {"legalEntityName": ["Ensure this field has no more than 100 characters."]}),
    (
        {"legalEntityOrganisationType": "t" * 21},
        {"legalEntityOrganisationType": ["Ensure this field has no more than 20 characters."]},
    ),
    (
        {"accountLegalEntityPublicHashedId": "ABCDEFG"},
        {"accountLegalEntityPublicHashedId": ["Ensure this field has no more than 6 characters."]},
    ),
    (
        {"priceHistory": {"totalCost": 1}},
        {"priceHistory": ["Must be an array of {totalCost, effectiveFrom, effectiveTo} objects."]},
    ),
    (
        {"priceHistory": [{"effectiveFrom": "2018-01-01"}]},
        {"priceHistory": ["Item 0: totalCost: This field is required."]},
    ),
    (
        {"priceHistory": [{"totalCost": -1, "effectiveFrom": "2018-01-01"}]},
        {"priceHistory": ["Item 0: totalCost: Must be a number greater than or equal to 0."]},
    ),
    (
        {"priceHistory": [{"totalCost": 1, "effectiveFrom": "2018-01-02", "effectiveTo": "2018-01-01"}]},
        {"priceHistory": ["Item 0: effectiveTo: Must not be earlier than effectiveFrom."]},
    ),
    ({"priceHistory": [1]}, {"priceHistory": ["Item 0: must be an object."]}),
]


@pytest.mark.parametrize(("changes", "errors"), RULES)
def test_the_optional_fields_rules_are_400s_naming_the_field(writer_client, changes, errors):
    single = post_json(writer_client, EVENTS, event_body(**changes))
    bulk = post_json(writer_client, BULK, [event_body(), event_body(**changes)])

    assert (single.status_code, single.json()) == (400, errors)
    assert (bulk.status_code, bulk.json()) == (400, [{}, errors])
    assert not ApprenticeshipEvent.objects.exists()


def test_a_sender_id_of_0_with_no_name_is_none_given(writer_client):
    response = post_json(writer_client, EVENTS, event_body(transferSenderId=0, priceHistory=[]))

    assert response.status_code == 201
    assert (response.json()["transferSenderId"], response.json()["priceHistory"]) == (0, [])
    assert stored_row(response.json()["id"])["training_total_cost"] == Decimal("123.45")
