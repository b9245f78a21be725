"""emails_enqueue writes many rows with a constant number of statements (one INSERT ... SELECT per
10,000 rows), and every field survives the JSON round trip: non-ASCII text, quotes, lists, headers."""

from __future__ import annotations

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from coursegate.outbox.models import OutboxEmail
from coursegate.outbox.services import Email, emails_enqueue


def _enqueue(count: int, django_capture_on_commit_callbacks) -> tuple[list[int], int]:
    messages = [Email(kind="bulk", to=[f"l{i}@example.com"], subject=f"S{i}", body="b") for i in range(count)]
    with django_capture_on_commit_callbacks(execute=False), CaptureQueriesContext(connection) as queries:
        with transaction.atomic():
            ids = emails_enqueue(messages)
    return ids, len(queries)


def test_statements_do_not_grow_with_the_rows(db, django_capture_on_commit_callbacks):
    small_ids, small = _enqueue(3, django_capture_on_commit_callbacks)
    big_ids, big = _enqueue(4000, django_capture_on_commit_callbacks)
    assert small == big
    assert len(set(big_ids)) == 4000
    assert OutboxEmail.objects.filter(kind="bulk", status="pending").count() == 4003
    stored = dict(OutboxEmail.objects.filter(pk__in=big_ids).values_list("subject", "to"))
    assert stored == {f"S{i}": [f"l{i}@example.com"] for i in range(4000)}


def test_every_field_survives(db, settings, django_capture_on_commit_callbacks):
    settings.DEFAULT_FROM_EMAIL = "Coursegate <noreply@example.org>"
    message = Email(
        kind="odd",
        to=["Zoë <zoe@example.com>", "o'brien@example.com"],
        subject='Ünïcode "quoted" \\ back\\slash',
        body="Line 1\nLine 2 — ☃\n",
        reply_to=["help@example.org"],
        headers={"X-Coursegate-Kind": "odd", "X-Empty": ""},
    )
    plain = Email(kind="plain", to=["a@example.com"], subject="s", body="b", from_email="Other <o@example.org>")
    with django_capture_on_commit_callbacks(execute=False), transaction.atomic():
        first, second = emails_enqueue([message, plain])
    row = OutboxEmail.objects.get(pk=first)
    assert (row.kind, row.to, row.subject, row.body) == (message.kind, message.to, message.subject, message.body)
    assert (row.reply_to, row.headers, row.from_email) == (
        ["help@example.org"],
        message.headers,
        settings.DEFAULT_FROM_EMAIL,
    )
    assert (row.status, row.attempts, row.last_error, row.sent_at, row.claim) == ("pending", 0, "", None, None)
    assert row.next_attempt_at == row.created
    assert OutboxEmail.objects.get(pk=second).from_email == "Other <o@example.org>"
    assert OutboxEmail.objects.get(pk=second).reply_to == [] and OutboxEmail.objects.get(pk=second).headers == {}
