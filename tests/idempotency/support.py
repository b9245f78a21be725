"""Constants shared by the idempotency tests."""

from __future__ import annotations

import json

from tests.api.apprenticeship_events.support import SEED_EVENT

EVENTS = "/api/events/apprenticeships"
EVENT = SEED_EVENT  # seed 004's example body


def post_event(client, key: str | None = None, body: dict | None = None, path: str = EVENTS, **extra):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return client.post(path, json.dumps(body or EVENT), content_type="application/json", **headers, **extra)
