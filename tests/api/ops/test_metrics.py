"""GET /metrics: Prometheus gauges of what a crash or an outage can leave behind (the outbox and
the bulk enrollment jobs), for staff tokens or the static COURSEGATE_METRICS_TOKEN only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from coursegate.feed.models import GenericEvent
from coursegate.feed.services import Change, append
from coursegate.outbox.models import OutboxEmail
from coursegate.webhooks.models import WebhookSubscription

pytestmark = pytest.mark.django_db


def _samples(body: str) -> dict[str, float]:
    return {
        line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1])
        for line in body.splitlines()
        if line and not line.startswith("#")
    }


def _outbox_row(status: str, *, age: timedelta = timedelta()) -> None:
    row = OutboxEmail.objects.create(
        kind="test", to=["a@example.com"], from_email="x@example.com", subject="s", body="b", status=status,
        next_attempt_at=timezone.now(),
    )  # fmt: skip
    OutboxEmail.objects.filter(pk=row.pk).update(created=timezone.now() - age)


@pytest.mark.parametrize("kind", ["bearer", "jwt"])
def test_a_staff_token_reads_the_gauges_of_the_outbox_and_the_jobs(client_for, staff, kind):
    _outbox_row("pending", age=timedelta(minutes=5))
    _outbox_row("failed")
    _outbox_row("sent")

    response = client_for(staff, kind).get("/metrics")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
    samples = _samples(response.content.decode())
    assert {k: v for k, v in samples.items() if k.startswith("coursegate_outbox_emails")} == {
        'coursegate_outbox_emails{status="pending"}': 1,
        'coursegate_outbox_emails{status="sending"}': 0,
        'coursegate_outbox_emails{status="sent"}': 1,
        'coursegate_outbox_emails{status="failed"}': 1,
    }
    assert 300 <= samples["coursegate_outbox_oldest_unsent_seconds"] < 360
    assert samples['coursegate_bulk_enrollment_jobs{status="stalled"}'] == 0
    assert samples['coursegate_bulk_enrollment_jobs{status="pending"}'] == 0
    assert "# TYPE coursegate_outbox_emails gauge" in response.content.decode()


def test_nothing_unsent_reads_zero_age(client_for, staff):
    samples = _samples(client_for(staff).get("/metrics").content.decode())
    assert samples["coursegate_outbox_oldest_unsent_seconds"] == 0


def test_the_static_metrics_token_reads_them_and_a_wrong_one_does_not(settings):
    settings.COURSEGATE_METRICS_TOKEN = "scrape-me-0123456789"
    client = APIClient()

    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer scrape-me-0123456789").status_code == 200
    wrong = client.get("/metrics", HTTP_AUTHORIZATION="Bearer scrape-me-012345678")
    assert (wrong.status_code, wrong.json()) == (401, {"detail": "Invalid Token."})


def test_without_a_static_token_configured_no_bearer_string_opens_them(settings):
    settings.COURSEGATE_METRICS_TOKEN = ""
    response = APIClient().get("/metrics", HTTP_AUTHORIZATION="Bearer ")
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("header", "status", "body"),
    [
        (None, 401, {"detail": "Authentication credentials were not provided."}),
        ("Bearer not-a-token", 401, {"detail": "Invalid Token."}),
        ("JWT a.b.c", 401, {"detail": "Invalid Token."}),
    ],
)
def test_no_or_a_bad_token_is_401(header, status, body):
    client = APIClient()
    if header:
        client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get("/metrics")
    assert (response.status_code, response.json()) == (status, body)
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


@pytest.mark.parametrize("kind", ["bearer", "jwt"])
def test_a_token_of_a_user_who_is_not_staff_is_403(client_for, learner, kind):
    response = client_for(learner, kind).get("/metrics")
    assert (response.status_code, response.json()) == (
        403,
        {"detail": "You do not have permission to perform this action."},
    )


def test_only_get(client_for, staff):
    assert client_for(staff).post("/metrics").status_code == 405


def test_the_webhook_gauges_show_paused_subscriptions_and_the_lag(client_for, staff):
    behind = WebhookSubscription.objects.create(url="https://hooks.example.com/a", secret="s" * 32,
                                                event_types=["coursegate.enrollment.*"])  # fmt: skip
    WebhookSubscription.objects.create(url="https://hooks.example.com/b", secret="s" * 32, is_active=False,
                                       event_types=["coursegate.license.*"], paused_reason="window over")  # fmt: skip
    append([Change(type="coursegate.enrollment.created", resource_type="enrollment", resource_id=str(n), payload={})
            for n in range(3)])  # fmt: skip
    newest = GenericEvent.objects.order_by("-id").values_list("id", flat=True)[0]
    WebhookSubscription.objects.filter(pk=behind.pk).update(last_delivered_id=newest - 3)

    samples = _samples(client_for(staff).get("/metrics").content.decode())

    assert samples['coursegate_webhook_subscriptions{status="active"}'] == 1
    assert samples['coursegate_webhook_subscriptions{status="paused"}'] == 1
    assert samples["coursegate_webhook_lag_events"] == 3
