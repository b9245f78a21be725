"""Constants shared by the idempotency tests."""

from __future__ import annotations

import json

EVENTS = "/api/events/apprenticeships"
EVENT = {
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


def post_event(client, key: str | None = None, body: dict | None = None, path: str = EVENTS, **extra):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return client.post(path, json.dumps(body or EVENT), content_type="application/json", **headers, **extra)
