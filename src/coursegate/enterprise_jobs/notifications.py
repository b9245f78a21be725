"""E-mails to learners enrolled by a bulk license enrollment job (``notify``), sent through
Django's mail framework (the file backend by default, SMTP with EMAIL_URL) after the job's commit."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

log = logging.getLogger(__name__)

SUBJECT = "You have been enrolled through {customer}"
BODY = """Dear learner,

{customer} has enrolled you, with your subscription license, in:

{courses}

Happy learning!
"""


def bulk_enrollment_emails_send(*, customer_name: str, enrolled: Mapping[str, Sequence[tuple[str, str]]]) -> int:
    """One e-mail per learner address listing the (title, course run key) pairs it was enrolled in;
    returns how many were sent. A mail server failure is logged, never raised: the enrollments
    are already committed."""
    messages = [
        EmailMessage(
            subject=SUBJECT.format(customer=customer_name),
            body=BODY.format(customer=customer_name, courses="\n".join(f"- {title} ({key})" for title, key in courses)),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[address],
        )
        for address, courses in enrolled.items()
        if courses
    ]
    if not messages:
        return 0
    try:
        with get_connection() as connection:
            return connection.send_messages(messages) or 0
    except OSError:
        log.exception("could not send %d bulk enrollment e-mails", len(messages))
        return 0
