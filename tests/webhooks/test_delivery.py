"""Delivery of the change feed to a real HTTP receiver (started by the test): every event arrives,
signed, in id order per subscription, at least once; failures back off and retry the same event;
an event undelivered past MAX_AGE pauses the subscription."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from coursegate.webhooks import delivery
from coursegate.webhooks.delivery import backoff, webhooks_deliver, webhooks_sweep
from coursegate.webhooks.metrics import PAUSES
from coursegate.webhooks.models import WebhookDelivery, WebhookSubscription
from coursegate.webhooks.services import subscription_create, subscriptions_resume
from tests.webhooks.conftest import append
from tests.webhooks.receiver import Receiver, verify

pytestmark = pytest.mark.django_db

ENROLLED, CHANGED, ASSIGNED = (
    "coursegate.enrollment.created",
    "coursegate.enrollment.changed",
    "coursegate.license.assigned",
)


def subscribe(url: str, types=("coursegate.enrollment.*",), secret="s" * 32) -> WebhookSubscription:
    return subscription_create(url=url, event_types=list(types), secret=secret)


def deliver_until_idle(rounds: int = 50) -> int:
    total = 0
    for _ in range(rounds):
        done = webhooks_deliver()
        total += done
        if not done:
            return total
    raise AssertionError("delivery did not settle")


def test_a_receiver_failing_the_first_deliveries_gets_every_event_in_order_signed_and_deduplicated():
    flaky = Receiver(fail_first=3).start()
    try:
        subscription = subscribe(flaky.url)
        events = append(*[ENROLLED, CHANGED] * 10)

        deliver_until_idle()

        assert flaky.accepted_ids() == [e.pk for e in events]
        assert [r.body["id"] for r in flaky.received[:4]] == [events[0].pk] * 4  # the same event, retried
        assert all(verify("s" * 32, r.headers["X-Coursegate-Signature"], r.raw) for r in flaky.received)
        assert all(r.headers["X-Coursegate-Event-Id"] == str(r.body["id"]) for r in flaky.received)
        subscription.refresh_from_db()
        assert (subscription.last_delivered_id, subscription.failures, subscription.last_error) == (
            events[-1].pk,
            0,
            "",
        )
    finally:
        flaky.stop()


def test_the_body_is_the_event_with_its_payload_parsed(receiver):
    subscribe(receiver.url, types=[ENROLLED])
    [event] = append(ENROLLED, payload={"user": "honor", "is_active": True})
    [plain] = append(ENROLLED, payload="not json")

    webhooks_deliver()

    first, second = (r.body for r in receiver.received)
    assert first == {"id": event.pk, "type": ENROLLED, "resource_type": "enrollment", "resource_id": "0",
                     "payload": {"user": "honor", "is_active": True},
                     "created_on": event.created_on.isoformat().replace("+00:00", "Z")}  # fmt: skip
    assert second["id"] == plain.pk and second["payload"] == "not json"
    assert receiver.received[0].headers["Content-Type"] == "application/json"


def test_only_matching_types_are_sent_and_the_cursor_passes_over_the_rest(receiver):
    subscription = subscribe(receiver.url, types=["coursegate.license.*", CHANGED])
    events = append(ENROLLED, ASSIGNED, CHANGED, ENROLLED, ENROLLED)

    assert webhooks_deliver() == 2

    assert receiver.accepted_ids() == [events[1].pk, events[2].pk]
    subscription.refresh_from_db()
    assert subscription.last_delivered_id == events[-1].pk
    assert webhooks_deliver() == 0


def test_a_new_subscription_receives_only_what_happens_after_its_creation(receiver):
    append(ENROLLED, ENROLLED)
    subscribe(receiver.url)
    [later] = append(ENROLLED)

    webhooks_sweep()

    assert receiver.accepted_ids() == [later.pk]


def test_each_subscription_has_its_own_order_and_cursor(receiver):
    other = Receiver(fail_first=100).start()
    try:
        subscribe(receiver.url)
        failing = subscribe(other.url)
        events = append(ENROLLED, ENROLLED, ENROLLED)

        webhooks_deliver()

        assert receiver.accepted_ids() == [e.pk for e in events]
        assert [r.body["id"] for r in other.received] == [events[0].pk]  # stopped at its first failure
        cursor = failing.last_delivered_id
        failing.refresh_from_db()
        assert failing.last_delivered_id == cursor < events[0].pk and failing.failures == 1
    finally:
        other.stop()


@pytest.mark.parametrize(("failures", "seconds"), [(1, 10), (2, 20), (3, 40), (8, 1280), (9, 2000), (60, 2000)])
def test_backoff_doubles_from_the_base_up_to_the_cap(settings, failures, seconds):
    settings.COURSEGATE_WEBHOOK_BACKOFF_BASE_SECONDS = 10
    settings.COURSEGATE_WEBHOOK_BACKOFF_MAX_SECONDS = 2000
    assert backoff(failures) == timedelta(seconds=seconds)


def test_a_failed_event_waits_for_its_backoff_then_the_same_event_is_tried_again(settings):
    settings.COURSEGATE_WEBHOOK_BACKOFF_BASE_SECONDS = 10
    flaky = Receiver(fail_first=2, fail_status=503).start()
    try:
        with time_machine.travel(timezone.now(), tick=False) as clock:
            subscription = subscribe(flaky.url)
            events = append(ENROLLED, CHANGED)
            assert webhooks_deliver() == 1
            subscription.refresh_from_db()
            assert subscription.next_attempt_at == timezone.now() + timedelta(seconds=10)
            assert subscription.last_error == "The receiver answered 503."
            clock.shift(9)
            assert webhooks_deliver() == 0  # not yet due
            clock.shift(2)
            assert webhooks_deliver() == 1  # the second failure: 20 s now
            subscription.refresh_from_db()
            assert subscription.failures == 2
            assert subscription.next_attempt_at == timezone.now() + timedelta(seconds=20)
            clock.shift(21)
            assert webhooks_deliver() == 2
        assert [r.body["id"] for r in flaky.received] == [events[0].pk] * 3 + [events[1].pk]
    finally:
        flaky.stop()


def test_an_event_undelivered_past_the_max_age_pauses_the_subscription_until_resumed(settings):
    settings.COURSEGATE_WEBHOOK_BACKOFF_BASE_SECONDS = 1800
    settings.COURSEGATE_WEBHOOK_BACKOFF_MAX_SECONDS = 7200
    down = Receiver(fail_first=10**6).start()
    paused_before = PAUSES._value.get()
    try:
        with time_machine.travel(timezone.now(), tick=False) as clock:
            subscription = subscribe(down.url)
            [event, _] = append(ENROLLED, ENROLLED)
            for _ in range(40):  # a day of retries, two hours apart at most
                webhooks_deliver()
                subscription.refresh_from_db()
                if not subscription.is_active:
                    break
                clock.move_to(subscription.next_attempt_at)
            assert not subscription.is_active
            assert timezone.now() - event.created_on > timedelta(hours=24)
            assert f"event {event.pk}" in subscription.paused_reason and "answered 500" in subscription.paused_reason
            assert PAUSES._value.get() == paused_before + 1
            tries = len(down.received)
            clock.shift(7200)
            assert webhooks_deliver() == 0  # paused: nothing is sent
            assert len(down.received) == tries

            down.fail_first = 0
            assert subscriptions_resume(ids=[subscription.pk]) == 1
            assert webhooks_deliver() == 2
        subscription.refresh_from_db()
        assert (subscription.is_active, subscription.paused_reason) == (True, "")
    finally:
        down.stop()


def test_a_resumed_subscription_that_fails_again_gets_a_new_retry_window(settings):
    down = Receiver(fail_first=10**6).start()
    try:
        with time_machine.travel(timezone.now(), tick=False) as clock:
            subscription = subscribe(down.url)
            append(ENROLLED)
            clock.shift(25 * 3600)
            webhooks_deliver()
            subscription.refresh_from_db()
            assert not subscription.is_active
            subscriptions_resume(ids=[subscription.pk])
            webhooks_deliver()
            subscription.refresh_from_db()
            assert subscription.is_active and subscription.failures == 1
    finally:
        down.stop()


def test_a_redirect_is_a_failure_and_is_not_followed(receiver):
    bouncer = Receiver(redirect_to=receiver.url).start()
    try:
        subscription = subscribe(bouncer.url)
        append(ENROLLED)
        webhooks_deliver()
        subscription.refresh_from_db()
        assert (subscription.failures, subscription.last_error) == (1, "The receiver answered 302.")
        assert receiver.received == []
    finally:
        bouncer.stop()


def test_the_ssrf_guard_refuses_a_private_receiver_at_connection_time(settings, receiver):
    subscription = subscribe(receiver.url)
    append(ENROLLED)
    settings.COURSEGATE_WEBHOOK_ALLOW_PRIVATE_URLS = False

    webhooks_deliver()

    subscription.refresh_from_db()
    assert subscription.failures == 1 and "ReceiverRefusedError" in subscription.last_error
    assert receiver.received == []


def test_an_unreachable_receiver_is_a_failure_with_the_error(settings):
    settings.COURSEGATE_WEBHOOK_TIMEOUT_SECONDS = 1
    closed = Receiver().start()
    url = closed.url
    closed.stop()
    subscription = subscribe(url)
    append(ENROLLED)

    webhooks_deliver()

    subscription.refresh_from_db()
    assert subscription.failures == 1 and "ConnectionRefusedError" in subscription.last_error


def test_a_subscription_held_by_another_deliverer_is_left_alone_until_its_lease_runs_out(receiver):
    subscription = subscribe(receiver.url)
    append(ENROLLED)
    WebhookSubscription.objects.filter(pk=subscription.pk).update(
        lease_token="00000000-0000-0000-0000-000000000001", lease_until=timezone.now() + timedelta(seconds=30)
    )

    assert webhooks_deliver() == 0
    with time_machine.travel(timezone.now() + timedelta(seconds=31)):
        assert webhooks_deliver() == 1
    subscription.refresh_from_db()
    assert subscription.lease_token is None


def test_the_attempt_log_keeps_the_newest_attempts_only(receiver, monkeypatch):
    monkeypatch.setattr(delivery, "ATTEMPTS_KEPT", 3)
    subscription = subscribe(receiver.url)
    events = append(*[ENROLLED] * 5)
    webhooks_deliver()
    append(ENROLLED)
    webhooks_deliver()

    kept = list(WebhookDelivery.objects.filter(subscription=subscription).order_by("id"))
    assert [d.event_id for d in kept] == [events[3].pk, events[4].pk, events[4].pk + 1]
    assert all(d.ok and d.status_code == 200 for d in kept)


def test_a_sweep_gives_each_subscription_one_batch_and_the_next_sweep_goes_on(receiver, settings, monkeypatch):
    monkeypatch.setattr(delivery, "SWEEP_LIMIT", 4)
    settings.COURSEGATE_WEBHOOK_BATCH = 3
    subscribe(receiver.url)
    subscribe(receiver.url, types=[CHANGED])
    events = append(*[ENROLLED] * 7)

    # One round per subscription and sweep: a batch (3) for the first; the second has nothing.
    assert [webhooks_sweep() for _ in range(4)] == [3, 3, 1, 0]
    assert receiver.accepted_ids() == [e.pk for e in events]


def test_a_deleted_subscription_gets_nothing_more(receiver):
    subscription = subscribe(receiver.url)
    subscription.delete()
    append(ENROLLED)
    assert webhooks_deliver() == 0


def test_each_delivered_event_costs_one_update_beyond_a_rounds_fixed_few(receiver):
    subscribe(receiver.url)
    counts = []
    for size in (5, 10):
        append(*[ENROLLED] * size)
        with CaptureQueriesContext(connection) as queries:
            assert webhooks_deliver() == size
        # The test's transaction makes savepoints of the atomic blocks (BEGIN/COMMIT in production).
        counts.append(sum(not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT")) for q in queries))
    # the cursor's UPDATE of each event (after SET LOCAL synchronous_commit on PostgreSQL)
    per_event = 2 if connection.vendor == "postgresql" else 1
    assert counts[1] - counts[0] == 5 * per_event
    # the feed's newest id (2), the claim (2), the events, the log (2), the release, the next claim
    assert counts[0] - 5 * per_event == 9


def test_a_sweep_starts_no_new_send_after_its_time_budget(settings, monkeypatch):
    slow = Receiver(delay=0.05).start()
    monkeypatch.setattr(delivery, "SWEEP_SECONDS", 0.1)
    try:
        subscribe(slow.url)
        events = append(*[ENROLLED] * 6)
        assert 1 <= webhooks_sweep() <= 3  # 50 ms each: none started after 0.1 s
        deliver_until_idle()
    finally:
        slow.stop()
    assert slow.accepted_ids() == [e.pk for e in events]
