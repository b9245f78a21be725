"""The rules of a subscription (webhooks/services.py): receiver URLs and the SSRF guard, event types,
secrets; the cursor of a new subscription; resume; ping."""

from __future__ import annotations

import socket

import pytest

from coursegate.webhooks.exceptions import SubscriptionInvalidError
from coursegate.webhooks.models import WebhookDelivery
from coursegate.webhooks.services import subscription_create, subscription_ping, subscriptions_resume
from tests.webhooks.conftest import append
from tests.webhooks.receiver import Receiver, verify

pytestmark = pytest.mark.django_db

TYPES = ["coursegate.enrollment.*"]


def problems(**fields) -> dict[str, list[str]]:
    args = {"url": "https://example.com/hook", "event_types": TYPES, **fields}
    with pytest.raises(SubscriptionInvalidError) as caught:
        subscription_create(**args)
    return caught.value.problems


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hook", "http://127.1.2.3:8080/", "http://10.0.0.5/", "http://192.168.1.1/",
        "http://172.16.0.1/", "http://169.254.169.254/latest/meta-data/", "http://[::1]/", "http://[fe80::1]/",
        "http://[::ffff:127.0.0.1]/", "http://0.0.0.0/", "http://localhost:8000/hook", "http://api.localhost/",
        "http://224.0.0.1/",
    ],
)  # fmt: skip
def test_private_receivers_are_refused_unless_allowed(settings, url):
    settings.COURSEGATE_WEBHOOK_ALLOW_PRIVATE_URLS = False
    assert "not public" in problems(url=url)["url"][0]
    settings.COURSEGATE_WEBHOOK_ALLOW_PRIVATE_URLS = True
    assert subscription_create(url=url, event_types=TYPES).url == url


def test_a_name_that_resolves_to_a_private_address_is_refused(settings, monkeypatch):
    settings.COURSEGATE_WEBHOOK_ALLOW_PRIVATE_URLS = False
    answer = [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.1.2.3", 443))]
    monkeypatch.setattr(socket, "getaddrinfo", lambda *args, **kwargs: answer)
    assert "not public" in problems(url="https://hooks.example.net/x")["url"][0]


@pytest.mark.parametrize(
    "url", ["ftp://example.com/hook", "example.com/hook", "https://", "http://exa mple.com/", "https://example.com:99999/",
            "javascript:alert(1)", "https://example.com/hook#frag", "https://" + "a" * 2000 + ".com/"]
)  # fmt: skip
def test_a_url_must_be_http_or_https_and_well_formed(url):
    assert list(problems(url=url)) == ["url"]


@pytest.mark.parametrize(
    "event_types",
    [[], ["coursegate.enrollment.enrolled"], ["coursegate.nothing.*"], ["*"], ["coursegate.enrollment*"],
     ["coursegate.*.created"], [""], ["coursegate.license.assigned", "other"], ["x"] * 51],
)  # fmt: skip
def test_event_types_must_name_feed_events(event_types):
    assert list(problems(event_types=event_types)) == ["event_types"]


@pytest.mark.parametrize(
    "event_types", [["coursegate.*"], ["coursegate.license.*", "coursegate.enrollment.created"],
                    ["coursegate.assignment.expired"]]
)  # fmt: skip
def test_exact_types_and_prefix_patterns_are_accepted(settings, event_types):
    assert subscription_create(url="https://example.com/h", event_types=event_types).event_types == event_types


@pytest.mark.parametrize("secret", ["short", " " + "s" * 20, "s" * 201, "s" * 20 + "\n"])
def test_a_given_secret_has_16_to_200_printable_characters(secret):
    assert list(problems(secret=secret)) == ["secret"]


def test_every_problem_is_named_at_once():
    assert set(problems(url="ftp://x", event_types=["nope"], secret="x")) == {"url", "event_types", "secret"}


def test_a_secret_is_generated_when_none_is_given_and_the_cursor_starts_at_the_newest_event():
    events = append("coursegate.enrollment.created", "other.type")
    subscription = subscription_create(url="https://example.com/h", event_types=TYPES)
    again = subscription_create(url="https://example.com/h", event_types=TYPES)
    assert len(subscription.secret) == 64 and subscription.secret != again.secret
    assert subscription.last_delivered_id == events[-1].pk
    assert subscription.is_active


def test_ping_sends_a_signed_test_event_and_answers_the_receivers_status(settings):
    settings.COURSEGATE_WEBHOOK_ALLOW_PRIVATE_URLS = True
    receiver = Receiver(fail_first=1, fail_status=418).start()
    try:
        subscription = subscription_create(url=receiver.url, event_types=TYPES, secret="p" * 20)
        first, second = subscription_ping(subscription=subscription), subscription_ping(subscription=subscription)
    finally:
        receiver.stop()
    assert (first.ok, first.status_code, second.ok, second.status_code) == (False, 418, True, 200)
    body = receiver.received[0].body
    assert (body["id"], body["type"], body["resource_id"]) == (None, "coursegate.webhook.ping", str(subscription.uuid))
    assert verify("p" * 20, receiver.received[0].headers["X-Coursegate-Signature"], receiver.received[0].raw)
    assert WebhookDelivery.objects.filter(subscription=subscription, event_id=None).count() == 2
    subscription.refresh_from_db()
    assert subscription.last_delivered_id == 0 and subscription.failures == 0  # the feed's cursor is untouched


def test_resume_touches_only_paused_subscriptions():
    active = subscription_create(url="https://example.com/a", event_types=TYPES)
    paused = subscription_create(url="https://example.com/b", event_types=TYPES)
    paused.is_active, paused.paused_reason, paused.failures = False, "down", 7
    paused.save()
    assert subscriptions_resume(ids=[active.pk, paused.pk]) == 1
    paused.refresh_from_db()
    assert (paused.is_active, paused.paused_reason, paused.failures, paused.resumed_at is not None) == (
        True, "", 0, True)  # fmt: skip
