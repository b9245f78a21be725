"""The admin's webhook pages: each subscription's state, lag and last error, its recent attempts,
and the resume and ping actions (through the services)."""

from __future__ import annotations

import pytest

from coursegate.feed.models import GenericEvent
from coursegate.webhooks.delivery import webhooks_deliver
from coursegate.webhooks.models import WebhookSubscription
from coursegate.webhooks.services import subscription_create
from tests.webhooks.conftest import append

pytestmark = pytest.mark.django_db

PAGE = "/admin/webhooks/webhooksubscription/"


@pytest.fixture
def paused(receiver):
    subscription = subscription_create(url=receiver.url, event_types=["coursegate.*"], secret="k" * 24)
    WebhookSubscription.objects.filter(pk=subscription.pk).update(
        is_active=False, paused_reason="Paused: event 7 stayed undelivered", last_error="The receiver answered 500."
    )
    append("coursegate.enrollment.created", "coursegate.license.revoked", "other.kind")
    # The cursor three ids before the newest: the lag counts ids, and PostgreSQL's sequence does not
    # restart at 1 in each test (the subscription's cursor starts at the newest id, 0 in an empty feed).
    newest = GenericEvent.objects.order_by("-id").values_list("id", flat=True)[0]
    WebhookSubscription.objects.filter(pk=subscription.pk).update(last_delivered_id=newest - 3)
    return subscription


def test_the_list_shows_status_lag_and_last_error_but_never_the_secret(admin_client, paused):
    page = admin_client.get(PAGE).content.decode()

    assert "paused: Paused: event 7 stayed undelivered" in page
    assert "The receiver answered 500." in page
    assert "k" * 24 not in page
    assert '<td class="field-lag">3</td>' in page


def test_the_detail_page_lists_recent_attempts(admin_client, paused, receiver):
    admin_client.post(PAGE, {"action": "resume", "_selected_action": [paused.pk]}, follow=True)
    webhooks_deliver()

    page = admin_client.get(f"{PAGE}{paused.pk}/change/").content.decode()

    assert "Recent delivery attempts" in page and "coursegate.license.revoked" in page
    assert "k" * 24 not in page


def test_resume_and_ping_actions(admin_client, paused, receiver):
    response = admin_client.post(PAGE, {"action": "resume", "_selected_action": [paused.pk]}, follow=True)
    assert "1 subscriptions resumed" in response.content.decode()
    paused.refresh_from_db()
    assert paused.is_active

    response = admin_client.post(PAGE, {"action": "ping", "_selected_action": [paused.pk]}, follow=True)
    assert "answered 200" in response.content.decode()
    assert receiver.received[-1].body["type"] == "coursegate.webhook.ping"


def test_no_add_and_no_edit_in_the_admin(admin_client, paused):
    assert admin_client.get(f"{PAGE}add/").status_code == 403
    response = admin_client.post(f"{PAGE}{paused.pk}/change/", {"url": "https://evil.example/"})
    assert response.status_code == 403
