"""E-mails to learners about their content assignments (sent after commit by the services)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from coursegate.assignments.selectors import assignment_expiration, enroll_by_dates

log = logging.getLogger(__name__)

SUBJECTS = {
    "allocated": "You have been assigned {title}",
    "reminded": "Reminder: {title} is waiting for you",
    "cancelled": "Your assignment of {title} was cancelled",
}
BODIES = {
    "allocated": "Hello,\n\nYour organization has assigned you {title} ({key}). Enroll before {expires}.\n",
    "reminded": "Hello,\n\nA reminder that {title} ({key}) is assigned to you. Enroll before {expires}.\n",
    "cancelled": "Hello,\n\nYour assignment of {title} ({key}) has been cancelled by your organization.\n",
}


def assignment_emails_send(kind: str, assignments, *, policy=None) -> int:
    """One e-mail per assignment; a mail server failure is logged, never raised."""
    enroll_by = enroll_by_dates(a.content_key for a in assignments)
    messages = []
    for assignment in assignments:
        expires = assignment_expiration(assignment, enroll_by)["date"].date().isoformat()
        context = {"title": assignment.content_title or assignment.content_key, "key": assignment.content_key,
                   "expires": expires}  # fmt: skip
        messages.append(
            EmailMessage(
                subject=SUBJECTS[kind].format(**context),
                body=BODIES[kind].format(**context),
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[assignment.learner_email],
            )
        )
    try:
        with get_connection() as connection:
            return connection.send_messages(messages) or 0
    except OSError:
        log.exception("could not send %d assignment e-mails (%s)", len(messages), kind)
        return 0
