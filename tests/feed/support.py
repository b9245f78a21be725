"""Shared by the feed tests: the demo clients' real tokens (the ``demo`` fixture: conftest.py), and the
feed read back through the generic events endpoint (GET /api/events/getSinceEvent, an events_reader token)."""

from __future__ import annotations

import json

from rest_framework.test import APIClient

from coursegate.feed.models import GenericEvent


def client_of(demo: dict, role: str, *, jwt: bool = False) -> APIClient:
    """An APIClient sending a token the token endpoint issued to the demo client ``role``."""
    client = APIClient()
    data = {"grant_type": "client_credentials", "client_id": demo[role]["client_id"],
            "client_secret": demo[role]["client_secret"], **({"token_type": "jwt"} if jwt else {})}  # fmt: skip
    response = client.post("/oauth2/access_token", data)
    assert response.status_code == 200, response.content
    client.credentials(HTTP_AUTHORIZATION=f"{'JWT' if jwt else 'Bearer'} {response.json()['access_token']}")
    return client


def cursor() -> int:
    """The id a reader asks from to see only what is appended next."""
    last = GenericEvent.objects.order_by("-id").values_list("id", flat=True).first()
    return (last or 0) + 1


def feed_since(demo: dict, from_id: int, prefix: str = "coursegate.") -> list[dict]:
    """The feed's events from ``from_id`` on, as getSinceEvent answers them, payloads parsed."""
    response = client_of(demo, "events_reader").get(
        "/api/events/getSinceEvent", {"fromEventId": from_id, "pageSize": 1000}
    )
    assert response.status_code == 200, response.content
    events = [e for e in response.json() if e["type"].startswith(prefix)]
    for event in events:
        event["payload"] = json.loads(event["payload"])
    return events
