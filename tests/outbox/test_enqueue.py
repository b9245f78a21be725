"""emails_enqueue: rows in the caller's transaction, one delivery kick per transaction, and the
notification services enqueueing instead of sending."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from coursegate.outbox.exceptions import OutboxTransactionError
from coursegate.outbox.models import OutboxEmail
from coursegate.outbox.services import Email, emails_enqueue


class Boom(Exception):
    pass


def _mail(to: str, kind: str = "test") -> Email:
    return Email(kind=kind, to=[to], subject=f"Hello {to}", body="Body\n")


def _rows() -> list[tuple[str, list[str], str]]:
    return list(OutboxEmail.objects.order_by("pk").values_list("kind", "to", "status"))


@pytest.mark.django_db(transaction=True)
def test_rows_commit_with_the_change_and_are_delivered_after_commit(smtp):
    with transaction.atomic():
        emails_enqueue([_mail("ann@example.com"), _mail("bob@example.com")])
        pending = [("test", ["ann@example.com"], "pending"), ("test", ["bob@example.com"], "pending")]
        assert (_rows(), smtp.received) == (pending, [])

    assert sorted(smtp.received) == [(a, f"Hello {a}") for a in ("ann@example.com", "bob@example.com")]
    assert _rows() == [("test", ["ann@example.com"], "sent"), ("test", ["bob@example.com"], "sent")]
    assert all(OutboxEmail.objects.values_list("sent_at", flat=True))


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_leaves_no_row_and_sends_nothing(smtp):
    with pytest.raises(Boom), transaction.atomic():
        emails_enqueue([_mail("ann@example.com")])
        raise Boom

    assert (_rows(), smtp.received) == ([], [])


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_savepoint_takes_its_rows_and_keeps_the_others(smtp):
    with transaction.atomic():
        emails_enqueue([_mail("ann@example.com")])
        with pytest.raises(Boom), transaction.atomic():
            emails_enqueue([_mail("bob@example.com")])
            raise Boom

    assert _rows() == [("test", ["ann@example.com"], "sent")]
    assert smtp.received == [("ann@example.com", "Hello ann@example.com")]


@pytest.mark.django_db(transaction=True)
def test_one_kick_per_transaction_however_many_enqueues(smtp):
    with transaction.atomic():
        emails_enqueue([_mail("ann@example.com")])
        with transaction.atomic():
            emails_enqueue([_mail("bob@example.com")])
        emails_enqueue([_mail("cid@example.com")])
        assert len(connection.run_on_commit) == 1

    assert sorted(r for r, _ in smtp.received) == ["ann@example.com", "bob@example.com", "cid@example.com"]


@pytest.mark.django_db(transaction=True)
def test_enqueueing_outside_a_transaction_is_refused():
    with pytest.raises(OutboxTransactionError):
        emails_enqueue([_mail("ann@example.com")])

    assert _rows() == []


def test_nothing_to_send_writes_nothing_and_schedules_nothing(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        assert emails_enqueue([]) == []

    assert (_rows(), callbacks) == ([], [])


def test_defaults_and_optional_fields_are_stored(db, settings, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        [pk] = emails_enqueue(
            [Email(kind="k", to=["a@example.com"], subject="S", body="B", reply_to=["r@example.com"],
                   headers={"X-Tag": "t"})]
        )  # fmt: skip

    row = OutboxEmail.objects.get(pk=pk)
    assert (row.from_email, row.reply_to, row.headers, row.attempts, row.status) == (
        settings.DEFAULT_FROM_EMAIL, ["r@example.com"], {"X-Tag": "t"}, 0, "pending",
    )  # fmt: skip


def test_a_second_transaction_in_one_test_gets_its_own_kick(db, mailoutbox, django_capture_on_commit_callbacks):
    # Test transactions never commit: the first kick stays in the connection's list once run, and
    # must not swallow the second transaction's e-mails.
    with django_capture_on_commit_callbacks(execute=True) as first:
        emails_enqueue([_mail("ann@example.com")])
    with django_capture_on_commit_callbacks(execute=True) as second:
        emails_enqueue([_mail("bob@example.com")])

    assert (len(first), len(second)) == (1, 1)
    assert [m.to for m in mailoutbox] == [["ann@example.com"], ["bob@example.com"]]


@pytest.mark.django_db(transaction=True)
def test_without_a_broker_a_request_delivers_a_bounded_number_and_the_sweep_the_rest(smtp, settings):
    from coursegate.outbox.sender import outbox_sweep

    settings.COURSEGATE_OUTBOX_INLINE_MAX = 3
    addresses = [f"l{i}@example.com" for i in range(5)]
    with transaction.atomic():
        emails_enqueue([_mail(a) for a in addresses])

    assert sorted(to for to, _subject in smtp.received) == addresses[:3]
    assert [status for _kind, _to, status in _rows()] == ["sent"] * 3 + ["pending"] * 2

    assert outbox_sweep() == 2
    assert sorted(to for to, _subject in smtp.received) == addresses
    assert {status for _kind, _to, status in _rows()} == {"sent"}
