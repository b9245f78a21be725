"""The sender against a real SMTP server: delivery, a server that is down (backoff, then delivered
once it is up), giving up after the last attempt and `coursegate outbox retry`, refused recipients,
leases of dead senders, and concurrent senders (PostgreSQL)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import call_command
from django.utils import timezone

from coursegate.outbox.models import OutboxEmail
from coursegate.outbox.sender import BATCH, outbox_send_due, outbox_sweep
from tests.kit.races import race_each
from tests.outbox.smtp import SmtpServer

S = OutboxEmail.Status


def _write(*addresses: str, **fields) -> list[OutboxEmail]:
    """Outbox rows as emails_enqueue writes them (without its after-commit kick)."""
    now = timezone.now()
    return OutboxEmail.objects.bulk_create(
        OutboxEmail(kind="test", to=[a], from_email="no-reply@coursegate.local", subject=f"To {a}", body="Hi\n",
                    next_attempt_at=now, **fields)
        for a in addresses
    )  # fmt: skip


def _state() -> dict[str, tuple[str, int]]:
    return {row.to[0]: (row.status, row.attempts) for row in OutboxEmail.objects.all()}


def test_due_rows_are_delivered_over_smtp_and_marked_sent(db, smtp):
    _write("ann@example.com", "bob@example.com", "cid@example.com")

    assert outbox_send_due() == 3

    assert sorted(smtp.received) == [(f"{n}@example.com", f"To {n}@example.com") for n in ("ann", "bob", "cid")]
    assert _state() == {f"{n}@example.com": ("sent", 0) for n in ("ann", "bob", "cid")}
    assert not OutboxEmail.objects.filter(sent_at=None).exists()
    # Sent rows are never due again.
    assert (outbox_send_due(), outbox_sweep(), len(smtp.received)) == (0, 0, 3)


def test_smtp_down_keeps_rows_pending_with_backoff_then_delivers_once_it_is_up(db, smtp_down, settings):
    settings.COURSEGATE_OUTBOX_RETRY_SECONDS = 30
    _write("ann@example.com", "bob@example.com")
    start = timezone.now()

    assert outbox_send_due() == 2
    assert _state() == {"ann@example.com": ("pending", 1), "bob@example.com": ("pending", 1)}
    row = OutboxEmail.objects.first()
    assert "Connection refused" in row.last_error or "ConnectionRefusedError" in row.last_error
    assert timedelta(seconds=29) < row.next_attempt_at - start < timedelta(seconds=31)
    assert outbox_send_due() == 0  # not due yet

    with time_machine.travel(start + timedelta(seconds=31)):
        assert outbox_send_due() == 2  # second failure: the wait doubles
        assert _state() == {"ann@example.com": ("pending", 2), "bob@example.com": ("pending", 2)}
        wait = OutboxEmail.objects.first().next_attempt_at - timezone.now()
        assert timedelta(seconds=59) < wait < timedelta(seconds=61)

    server = SmtpServer(smtp_down).start()
    try:
        with time_machine.travel(start + timedelta(seconds=31 + 61)):
            assert outbox_send_due() == 2
    finally:
        server.stop()
    assert sorted(r for r, _ in server.received) == ["ann@example.com", "bob@example.com"]
    assert _state() == {"ann@example.com": ("sent", 2), "bob@example.com": ("sent", 2)}
    assert set(OutboxEmail.objects.values_list("last_error", flat=True)) == {""}


def test_after_the_last_attempt_rows_fail_and_outbox_retry_brings_them_back(db, smtp_down, settings):
    settings.COURSEGATE_OUTBOX_RETRY_SECONDS = 0  # due again at once
    settings.COURSEGATE_OUTBOX_MAX_ATTEMPTS = 3
    _write("ann@example.com", "bob@example.com")

    for _ in range(5):
        outbox_send_due()

    assert _state() == {"ann@example.com": ("failed", 3), "bob@example.com": ("failed", 3)}
    server = SmtpServer(smtp_down).start()
    try:
        assert outbox_send_due() == 0  # failed rows are not retried by themselves
        call_command("outbox", "retry", "--failed")
        assert _state() == {"ann@example.com": ("pending", 0), "bob@example.com": ("pending", 0)}
        call_command("outbox", "send")
    finally:
        server.stop()
    assert sorted(r for r, _ in server.received) == ["ann@example.com", "bob@example.com"]
    assert _state() == {"ann@example.com": ("sent", 0), "bob@example.com": ("sent", 0)}


def test_a_refused_recipient_costs_its_own_row_an_attempt_and_the_batch_goes_on(db, smtp):
    _write("ann@example.com", "nobody@refused.example", "bob@example.com")

    assert outbox_send_due() == 3

    assert sorted(r for r, _ in smtp.received) == ["ann@example.com", "bob@example.com"]
    assert _state() == {"ann@example.com": ("sent", 0), "nobody@refused.example": ("pending", 1),
                        "bob@example.com": ("sent", 0)}  # fmt: skip
    assert "550" in OutboxEmail.objects.get(status=S.PENDING).last_error


def test_a_row_whose_sender_died_is_due_again_once_its_lease_has_passed(db, smtp):
    now = timezone.now()
    [dead] = _write("dead@example.com", status=S.SENDING, claimed_until=now - timedelta(seconds=1))
    [alive] = _write("alive@example.com", status=S.SENDING, claimed_until=now + timedelta(minutes=1))

    assert outbox_send_due() == 1

    assert smtp.received == [("dead@example.com", "To dead@example.com")]
    # The attempt cut short by the dead sender counts; the live sender's row is left alone.
    assert _state() == {"dead@example.com": ("sent", 1), "alive@example.com": ("sending", 0)}
    assert OutboxEmail.objects.get(pk=alive.pk).claimed_until > now


def test_a_sender_that_dies_in_the_last_attempt_fails_the_row(db, smtp, settings):
    settings.COURSEGATE_OUTBOX_MAX_ATTEMPTS = 3
    _write("ann@example.com", status=S.SENDING, attempts=2, claimed_until=timezone.now() - timedelta(seconds=1))

    assert outbox_send_due() == 0

    assert (_state(), smtp.received) == ({"ann@example.com": ("failed", 3)}, [])


class TakeOverBackend(EmailBackend):
    """Sending ann's e-mail takes this long that another sender claims bob's row meanwhile."""

    def send_messages(self, messages):
        OutboxEmail.objects.filter(subject="To bob@example.com").update(claim=uuid.uuid4())
        return super().send_messages(messages)


def test_the_lease_is_renewed_as_sending_goes_on_and_a_row_taken_over_is_left_to_its_new_sender(db, settings):
    settings.EMAIL_BACKEND = f"{__name__}.TakeOverBackend"
    settings.COURSEGATE_OUTBOX_LEASE_SECONDS = 0  # renewed before every send
    _write("ann@example.com", "bob@example.com", "cid@example.com")

    outbox_send_due()

    assert [m.to for m in mail.outbox] == [["ann@example.com"], ["cid@example.com"]]
    assert _state() == {"ann@example.com": ("sent", 0), "bob@example.com": ("sending", 0),
                        "cid@example.com": ("sent", 0)}  # fmt: skip


def test_sending_only_some_ids_leaves_the_others_due(db, smtp):
    rows = _write("ann@example.com", "bob@example.com")

    assert outbox_send_due(ids=[rows[1].pk]) == 1

    assert _state() == {"ann@example.com": ("pending", 0), "bob@example.com": ("sent", 0)}


def test_a_limit_bounds_one_round(db, smtp):
    _write(*[f"l{i}@example.com" for i in range(BATCH + 5)])

    assert outbox_send_due(limit=BATCH + 2) == BATCH + 2
    assert OutboxEmail.objects.filter(status=S.PENDING).count() == 3


@pytest.mark.django_db(transaction=True)
def test_concurrent_senders_deliver_each_row_once(requires_shared_database, smtp):
    addresses = [f"c{i}@example.com" for i in range(3 * BATCH + 17)]
    _write(*addresses)

    handled = race_each(lambda _: outbox_send_due(), 4)

    assert sum(handled) == len(addresses)
    counts = smtp.per_recipient()
    assert sorted(counts) == sorted(addresses)
    assert set(counts.values()) == {1}
    assert set(_state().values()) == {("sent", 0)}
