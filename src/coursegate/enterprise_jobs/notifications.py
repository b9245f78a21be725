"""E-mails to learners enrolled by a bulk license enrollment job (``notify``): outbox rows written
in the transaction of the job's chunk that enrolled them, delivered after commit by the outbox
sender (outbox/), with retries."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from coursegate.outbox.services import Email, emails_enqueue

log = logging.getLogger(__name__)

SUBJECT = "You have been enrolled through {customer}"
BODY = """Dear learner,

{customer} has enrolled you, with your subscription license, in:

{courses}

Happy learning!
"""


def _messages(customer_name: str, enrolled: Mapping[str, Sequence[tuple[str, str]]]) -> list[Email]:
    return [
        Email(
            kind="bulk_enrollment",
            to=[address],
            subject=SUBJECT.format(customer=customer_name),
            body=BODY.format(customer=customer_name, courses="\n".join(f"- {title} ({key})" for title, key in courses)),
        )
        for address, courses in enrolled.items()
        if courses
    ]


def bulk_enrollment_emails_enqueue(*, customer_name: str, enrolled: Mapping[str, Sequence[tuple[str, str]]]) -> int:
    """Enqueue one e-mail per learner address listing the (title, course run key) pairs it was
    enrolled in; returns how many. Call it inside the transaction that enrolled them (the job
    chunk's): the e-mails then exist exactly when the enrollments do."""
    return len(emails_enqueue(_messages(customer_name, enrolled)))


def bulk_enrollment_emails_send(*, customer_name: str, enrolled: Mapping[str, Sequence[tuple[str, str]]]) -> int:
    """Deprecated: the in-process send after commit, kept until the runner enqueues instead (a
    process dying after the commit loses these). Returns how many were sent; a mail server failure
    is logged, never raised."""
    messages = [
        EmailMessage(subject=m.subject, body=m.body, from_email=settings.DEFAULT_FROM_EMAIL, to=list(m.to))
        for m in _messages(customer_name, enrolled)
    ]
    if not messages:
        return 0
    try:
        with get_connection() as connection:
            return connection.send_messages(messages) or 0
    except OSError:
        log.exception("could not send %d bulk enrollment e-mails", len(messages))
        return 0
