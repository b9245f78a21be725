"""Event bodies shared by the event-store tests and the Apprenticeship Events API contract tests."""

from __future__ import annotations

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


def event_body(**changes) -> dict:
    """The seed's body with ``changes`` applied; a value of ``...`` removes the key."""
    body = {**SEED_EVENT, **changes}
    return {key: value for key, value in body.items() if value is not ...}
