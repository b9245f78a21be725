"""What operators see and do: `coursegate outbox status|retry|send`, the admin list with its
"retry now" action, and outbox_counts (read by the metrics endpoint)."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from coursegate.outbox.models import OutboxEmail
from coursegate.outbox.selectors import outbox_counts

S = OutboxEmail.Status


def _row(address: str, status: str, kind: str = "license_assigned", **fields) -> OutboxEmail:
    return OutboxEmail.objects.create(kind=kind, to=[address], from_email="no-reply@coursegate.local", subject="S",
                                      body="B", status=status, next_attempt_at=timezone.now(), **fields)  # fmt: skip


def _outbox(*args: str) -> str:
    out = StringIO()
    call_command("outbox", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def rows(db):
    old = _row("ann@example.com", S.PENDING)
    OutboxEmail.objects.filter(pk=old.pk).update(created=timezone.now() - timedelta(minutes=5))
    return {
        "pending": old,
        "sent": _row("bob@example.com", S.SENT, sent_at=timezone.now()),
        "failed": _row(
            "cid@example.com",
            S.FAILED,
            kind="assignment_reminded",
            attempts=8,
            last_error="SMTPRecipientsRefused: 550 No such user",
        ),  # fmt: skip
    }


def test_counts_have_every_status(rows):
    assert outbox_counts() == {"pending": 1, "sending": 0, "sent": 1, "failed": 1}


def test_status_prints_counts_per_status_and_kind_and_the_oldest_pending_age(rows):
    lines = [line.split() for line in _outbox("status").splitlines()]

    assert lines[:4] == [["pending", "1"], ["sending", "0"], ["sent", "1"], ["failed", "1"]]
    assert ["failed", "assignment_reminded", "1"] in lines and ["pending", "license_assigned", "1"] in lines
    assert lines[-1][:2] == ["oldest", "pending:"] and 290 <= int(lines[-1][2]) <= 330


def test_retry_needs_to_be_told_which_rows(rows):
    with pytest.raises(CommandError, match="--failed and/or --id"):
        _outbox("retry")


def test_retry_by_id_never_touches_a_sent_row(rows):
    assert _outbox("retry", "--id", str(rows["sent"].pk)) == "0 e-mails due again\n"
    assert OutboxEmail.objects.get(pk=rows["sent"].pk).status == S.SENT


def test_retry_by_id_makes_a_failed_row_due_with_fresh_attempts(rows):
    assert _outbox("retry", "--id", str(rows["failed"].pk)) == "1 e-mails due again\n"

    row = OutboxEmail.objects.get(pk=rows["failed"].pk)
    assert (row.status, row.attempts, row.next_attempt_at <= timezone.now()) == ("pending", 0, True)


def test_send_delivers_the_due_rows_once(rows, mailoutbox):
    assert _outbox("send") == "1 e-mails attempted; now 2 sent, 0 pending, 1 failed\n"
    assert [m.to for m in mailoutbox] == [["ann@example.com"]]


def test_the_admin_lists_rows_filters_by_status_searches_by_address_and_shows_the_error(rows, admin_client):
    response = admin_client.get("/admin/outbox/outboxemail/", {"status__exact": "failed", "q": "cid@"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "cid@example.com" in page and "550 No such user" in page
    assert "ann@example.com" not in page and "bob@example.com" not in page


def test_the_admin_retry_action_brings_failed_rows_back_and_leaves_the_others(rows, admin_client):
    selected = [str(row.pk) for row in rows.values()]

    response = admin_client.post(
        "/admin/outbox/outboxemail/", {"action": "retry_now", "_selected_action": selected}, follow=True
    )

    assert response.status_code == 200
    assert "1 e-mails are due again" in response.content.decode()
    statuses = {row.to[0]: (row.status, row.attempts) for row in OutboxEmail.objects.all()}
    assert statuses == {"ann@example.com": ("pending", 0), "bob@example.com": ("sent", 0),
                        "cid@example.com": ("pending", 0)}  # fmt: skip
