"""What the .NET client (SFA.DAS.Events.Api.Client 1.29, reference §1.8) sends, family by family:
Json.NET's defaults (PascalCase keys, enums as numbers, every property with nulls for the unset
ones), ``Content-Type: application/json; charset=utf-8``, ``Accept: application/json``, paths
without a trailing slash and its query strings in its own order. Every call must be a 2xx (the
client throws otherwise) and every GET a bare JSON array (it deserialises ``List<T>``)."""

from __future__ import annotations

import json

import pytest

from coursegate.events.models import AccountEvent, AgreementEvent, ApprenticeshipEvent, GenericEvent
from tests.api.apprenticeship_events.kinds_support import READ_ROLES, WRITE_ROLES
from tests.api.apprenticeship_events.support import CLIENT_FIELDS

APPRENTICESHIP = {
    "Event": "Created", "ApprenticeshipId": 445, "PaymentStatus": 1, "PausedOnDate": None, "StoppedOnDate": None,
    "AgreementStatus": 3, "ProviderId": "10005077", "LearnerId": "1234567890", "EmployerAccountId": "8194",
    "TrainingType": 1, "TrainingId": "25", "TrainingStartDate": "2018-09-01T00:00:00",
    "TrainingEndDate": "2020-08-31T00:00:00", "TrainingTotalCost": 9000.0, "PaymentOrder": 0, "LegalEntityId": None,
    "LegalEntityName": None, "LegalEntityOrganisationType": None, "AccountLegalEntityPublicHashedId": None,
    "EffectiveFrom": None, "EffectiveTo": None, "DateOfBirth": None, "PriceHistory": None, "TransferSenderId": None,
    "TransferSenderName": None, "TransferApprovalStatus": None, "TransferApprovalActionedOn": None,
}  # fmt: skip


@pytest.fixture
def dotnet(make_user, jwt_for, token_client):
    """A client as the .NET one: one token with the demo writer's and reader's roles."""
    client = token_client(f"Bearer {jwt_for(make_user('dotnet'), roles=READ_ROLES + WRITE_ROLES)}")

    def call(method: str, path: str, body=None):
        assert not path.split("?")[0].endswith("/")
        if method == "get":
            response = client.get(path, HTTP_ACCEPT="application/json")
        else:
            raw = json.dumps(body, separators=(",", ":")).encode("utf-8")
            response = client.post(
                path, raw, content_type="application/json; charset=utf-8", HTTP_ACCEPT="application/json"
            )
        assert 200 <= response.status_code < 300, response.content
        return response

    return call


@pytest.mark.parametrize(
    ("numbering", "training_type", "stored"), [("specification", 1, 1), ("client", 1, 2), ("client", 0, 1)]
)
def test_apprenticeship_events(dotnet, settings, numbering, training_type, stored):
    settings.COURSEGATE_EVENTS_TRAINING_TYPE_NUMBERING = numbering
    body = {**APPRENTICESHIP, "TrainingType": training_type}

    one = dotnet("post", "/api/events/apprenticeships", body)
    bulk = dotnet("post", "/api/events/apprenticeships/bulk", [body, {**body, "PaymentStatus": 5}])
    page = dotnet("get", f"/api/events/apprenticeships?fromEventId={one.json()['id']}&pageSize=1000&pageNumber=1")

    assert one.status_code == bulk.status_code == 201
    assert [(e["paymentStatus"], e["agreementStatus"]) for e in page.json()] == [
        ("Active", "BothAgreed"), ("Active", "BothAgreed"), ("Deleted", "BothAgreed"),
    ]  # fmt: skip
    assert page.json()[0] == one.json()
    assert {key: page.json()[0][key] for key in CLIENT_FIELDS} == {**CLIENT_FIELDS, "paymentOrder": 0}
    assert set(ApprenticeshipEvent.objects.values_list("training_type", flat=True)) == {stored}


def test_agreement_events(dotnet):
    dotnet("post", "/api/events/engagements", {"Event": "Signed", "ProviderId": "10005077", "ContractType": "Levy"})

    page = dotnet(
        "get", "/api/events/engagements?fromDate=20000101000000&toDate=99991231235959&pageSize=1000&pageNumber=1"
    )

    assert [(e["event"], e["providerId"], e["contractType"]) for e in page.json()] == [("Signed", "10005077", "Levy")]
    assert AgreementEvent.objects.count() == 1


def test_account_events(dotnet):
    dotnet("post", "/api/events/accounts", {"Event": "AccountCreated", "ResourceUri": "/api/accounts/ABC123"})

    page = dotnet("get", "/api/events/accounts?fromEventId=0&pageSize=1000&pageNumber=1")

    assert [(e["event"], e["resourceUri"]) for e in page.json()] == [("AccountCreated", "/api/accounts/ABC123")]
    assert AccountEvent.objects.count() == 1


def test_generic_events(dotnet):
    """The typed client serialises the payload object to a JSON string and names the type after
    the payload's CLR type (GenericEventMapper)."""
    payload = json.dumps({"ApprenticeshipId": 445, "Uln": "1234567890", "EndDate": None})
    sent = {"Id": 0, "CreatedOn": "0001-01-01T00:00:00", "Type": "SFA.DAS.Events.ApprenticeshipStopped",
            "Payload": payload, "ResourceType": "Apprenticeship", "ResourceId": "445"}  # fmt: skip

    created = dotnet("post", "/api/events/create", sent)
    since = dotnet(
        "get",
        "/api/events/getSinceEvent?eventType=SFA.DAS.Events.ApprenticeshipStopped&fromEventId=0&pageSize=1000&pageNumber=1",
    )
    by_date = dotnet(
        "get",
        "/api/events/getByDateRange?eventType=SFA.DAS.Events.ApprenticeshipStopped&fromDate=20000101000000&toDate=99991231235959&pageSize=1000&pageNumber=1",
    )
    by_resource = dotnet(
        "get", "/api/events/getByResourceId?resourceType=Apprenticeship&resourceId=445&pageSize=1000&pageNumber=1"
    )

    assert created.status_code == 201
    assert since.json() == by_date.json() == by_resource.json() == [created.json()]
    assert json.loads(created.json()["payload"]) == {"ApprenticeshipId": 445, "Uln": "1234567890", "EndDate": None}
    assert created.json()["id"] == GenericEvent.objects.get().id != 0


@pytest.mark.urls("tests.api.apprenticeship_events.urlconf_with_health")
@pytest.mark.parametrize("path", ["/api/HealthCheck", "/api/HealthCheck/"])
def test_the_health_check_needs_no_token_and_answers_200_empty(client, path):
    response = client.get(path)

    assert (response.status_code, response.content) == (200, b"")
