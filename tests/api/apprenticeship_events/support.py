"""Constants and small helpers of the Apprenticeship Events API contract tests (seed 004, issue 6)."""

from __future__ import annotations

import json

from coursegate.events.models import ApprenticeshipEvent

# Seed 004's example, byte for byte (its mixed space and tab indentation included).
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

# Seed 004's example body as a Python object (what json.loads gives for the seed's text).
SEED_EVENT = {
    "event": "An event",
    "apprenticeshipId": 444,
    "paymentStatus": "active",
    "agreementStatus": "agreed",
    "providerId": "1111",
    "learnerId": "9999",
    "trainingType": "framework",
    "trainingId": "3333",
    "employerAccountId": "2222",
    "trainingStartDate": "2017-01-31T00:00:00",
    "trainingEndDate": "2017-12-31T00:00:00",
    "trainingTotalCost": 123.45,
}

REQUIRED_FIELDS = list(SEED_EVENT)
TEXT_FIELDS = ["paymentStatus", "agreementStatus", "providerId", "learnerId", "employerAccountId", "trainingId"]

EVENTS = "/api/events/apprenticeships"
BULK = f"{EVENTS}/bulk"
STORE, READ = "StoreApprenticeshipEvent", "ReadApprenticeshipEvent"

# The apprenticeship service's identity provider, trusted by the ``trusted_issuer`` fixture.
IDP_ISSUER = "https://idp.apprenticeships.example"
IDP_AUDIENCE = "https://coursegate.example/events"
IDP_SECRET = "the-apprenticeship-idp-shared-secret-0123456789"

REQUIRED = ["This field is required."]

# The .NET client's optional fields (issue 14 §1), answered null when not given.
CLIENT_FIELDS = {
    name: None
    for name in (
        "pausedOnDate", "stoppedOnDate", "paymentOrder", "legalEntityId", "legalEntityName",
        "legalEntityOrganisationType", "accountLegalEntityPublicHashedId", "effectiveFrom", "effectiveTo",
        "dateOfBirth", "priceHistory", "transferSenderId", "transferSenderName", "transferApprovalStatus",
        "transferApprovalActionedOn",
    )
}  # fmt: skip

# Issue 6: the seed's camelCase keys plus id and createdOn; issue 14: the client's optional fields.
OUTPUT_KEYS = {"id", "createdOn", *SEED_EVENT, *CLIENT_FIELDS}


def event_body(**changes) -> dict:
    """The seed's body with ``changes`` applied; a value of ``...`` removes the key."""
    body = {**SEED_EVENT, **changes}
    return {key: value for key, value in body.items() if value is not ...}


def post_json(client, path: str, data, **extra):
    """POST ``data`` serialised with json.dumps (or a str/bytes body as it is) as application/json."""
    body = data if isinstance(data, str | bytes) else json.dumps(data)
    return client.post(path, body, content_type=extra.pop("content_type", "application/json"), **extra)


def seed_output(event_id: int, created_on: str, **changes) -> dict:
    """What the API answers for the seed's event: camelCase, dates in UTC with a Z."""
    return {
        "id": event_id,
        "createdOn": created_on,
        "event": "An event",
        "apprenticeshipId": 444,
        "paymentStatus": "active",
        "agreementStatus": "agreed",
        "providerId": "1111",
        "learnerId": "9999",
        "employerAccountId": "2222",
        "trainingType": "framework",
        "trainingId": "3333",
        "trainingStartDate": "2017-01-31T00:00:00Z",
        "trainingEndDate": "2017-12-31T00:00:00Z",
        "trainingTotalCost": 123.45,
        **CLIENT_FIELDS,
        **changes,
    }


def ids(response) -> list[int]:
    return [item["id"] for item in response.json()]


def stored_row(event_id: int) -> dict:
    """The stored row of an event, as ``ApprenticeshipEvent.objects.values()`` gives it."""
    return ApprenticeshipEvent.objects.values().get(pk=event_id)
