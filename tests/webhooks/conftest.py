"""Fixtures of the webhook tests: a running receiver, private URLs allowed (the receiver is on
loopback), no backoff unless a test sets one, and a way to append feed events."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from coursegate.feed.models import GenericEvent
from tests.webhooks.receiver import Receiver


@pytest.fixture(autouse=True)
def _webhook_settings(settings):
    settings.COURSEGATE_WEBHOOK_ALLOW_PRIVATE_URLS = True
    settings.COURSEGATE_WEBHOOK_BACKOFF_BASE_SECONDS = 0
    settings.COURSEGATE_WEBHOOK_TIMEOUT_SECONDS = 5


@pytest.fixture
def receiver():
    server = Receiver().start()
    yield server
    server.stop()


def append(*types: str, payload: dict | str | None = None, when=None) -> list[GenericEvent]:
    """Feed events of ``types`` (in order), as the change feed writes them."""
    now = when or timezone.now()
    rows = [
        GenericEvent(created_on=now, type=kind, resource_type=kind.split(".")[1], resource_id=str(n),
                     payload=payload if isinstance(payload, str) else json.dumps(payload or {"n": n}))
        for n, kind in enumerate(types)
    ]  # fmt: skip
    return GenericEvent.objects.bulk_create(rows)
