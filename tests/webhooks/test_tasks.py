"""The Celery task of the webhooks, run in-process (no broker: always eager), and the delivery
counters of the metrics page."""

from __future__ import annotations

import pytest

from coursegate.webhooks.metrics import DELIVERIES
from coursegate.webhooks.services import subscription_create
from coursegate.webhooks.tasks import webhooks_deliver_task
from tests.webhooks.conftest import append
from tests.webhooks.receiver import Receiver

pytestmark = pytest.mark.django_db


def test_the_task_delivers_due_events_of_the_subscriptions_named(receiver):
    other = Receiver().start()
    try:
        mine = subscription_create(url=receiver.url, event_types=["coursegate.license.*"])
        subscription_create(url=other.url, event_types=["coursegate.license.*"])
        events = append("coursegate.license.assigned", "coursegate.license.activated")

        webhooks_deliver_task.delay(subscription_ids=[mine.pk])

        assert receiver.accepted_ids() == [e.pk for e in events]
        assert other.received == []
        webhooks_deliver_task.delay()
        assert other.accepted_ids() == [e.pk for e in events]
    finally:
        other.stop()


def test_deliveries_are_counted_by_outcome(receiver):
    flaky = Receiver(fail_first=1).start()
    delivered, failed = (DELIVERIES.labels(outcome=o)._value.get() for o in ("delivered", "failed"))
    try:
        subscription_create(url=flaky.url, event_types=["coursegate.*"])
        append("coursegate.assignment.allocated")
        webhooks_deliver_task.delay()
        webhooks_deliver_task.delay()
    finally:
        flaky.stop()
    assert DELIVERIES.labels(outcome="delivered")._value.get() == delivered + 1
    assert DELIVERIES.labels(outcome="failed")._value.get() == failed + 1
