"""Several deliverers at once (dispatcher sweeps, Celery workers): a subscription is delivered by
one of them at a time, so its events still arrive in id order, each once when nothing fails, while
different subscriptions are delivered side by side. PostgreSQL (threads share its database)."""

from __future__ import annotations

import pytest

from coursegate.webhooks.delivery import webhooks_deliver
from coursegate.webhooks.models import WebhookSubscription
from coursegate.webhooks.services import subscription_create
from tests.kit.races import race_each, raised
from tests.webhooks.conftest import append
from tests.webhooks.receiver import Receiver

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("requires_shared_database"),
]


def test_concurrent_deliverers_keep_each_subscriptions_order_and_send_each_event_once(settings):
    settings.COURSEGATE_WEBHOOK_BATCH = 7
    receivers = [Receiver(delay=0.001).start() for _ in range(3)]
    try:
        for receiver in receivers:
            subscription_create(url=receiver.url, event_types=["coursegate.enrollment.*"])
        events = append(*["coursegate.enrollment.created"] * 40)

        def deliverer(_: int) -> int:
            total = 0
            while WebhookSubscription.objects.filter(last_delivered_id__lt=events[-1].pk).exists():
                total += webhooks_deliver()
            return total

        outcomes = race_each(deliverer, 4)
    finally:
        for receiver in receivers:
            receiver.stop()

    assert raised(outcomes) == []
    assert sum(outcomes) == 3 * 40  # every POST succeeded: nothing was sent twice
    for receiver in receivers:
        assert [r.body["id"] for r in receiver.received] == [e.pk for e in events]
