"""Idempotency keys under concurrency, in real threads with their own database connections
(PostgreSQL; skipped on SQLite, whose in-memory test database is per connection).

Ten identical requests at once have one effect: the unique constraint on (client, key) lets one
INSERT win; the others answer 409 while it runs, or replay its answer once it is stored."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from coursegate.events.models import ApprenticeshipEvent
from tests.idempotency.conftest import REPLAYED
from tests.idempotency.support import post_event
from tests.kit.races import race_each, raised

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("requires_shared_database"),
]


def test_ten_identical_requests_at_once_have_one_effect(events_writer):
    outcomes = race_each(lambda i: post_event(events_writer, "same-key"), 10)

    assert not raised(outcomes)
    statuses = sorted(r.status_code for r in outcomes)
    assert set(statuses) <= {201, 409}
    assert ApprenticeshipEvent.objects.count() == 1
    created = [r for r in outcomes if r.status_code == 201]
    [original] = [r for r in created if REPLAYED not in r]
    assert all(r.content == original.content for r in created)
    # Once the first has answered, every retry replays it.
    assert post_event(events_writer, "same-key")[REPLAYED] == "true"


def test_a_retry_while_the_first_request_runs_is_a_409_then_a_replay(events_writer, monkeypatch):
    from coursegate.api.apprenticeship_events import views

    running, finish = threading.Event(), threading.Event()
    store = views.event_store

    def held(**kwargs):
        running.set()
        assert finish.wait(timeout=30)
        return store(**kwargs)

    monkeypatch.setattr(views, "event_store", held)
    first: list = []

    def send_first():
        try:
            first.append(post_event(events_writer, "held"))
        finally:
            connection.close()

    thread = threading.Thread(target=send_first)
    thread.start()
    try:
        assert running.wait(timeout=30)
        during = post_event(events_writer, "held")
    finally:
        finish.set()
        thread.join(timeout=30)

    assert during.status_code == 409
    assert first[0].status_code == 201
    after = post_event(events_writer, "held")
    assert after[REPLAYED] == "true"
    assert after.content == first[0].content
    assert ApprenticeshipEvent.objects.count() == 1
