"""E-mails to learners about enrollment changes, sent through Django's mail framework (the file
backend by default, SMTP with EMAIL_URL). Callers schedule them with transaction.on_commit."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from coursegate.courses.models import CourseRun

log = logging.getLogger(__name__)

SUBJECTS = {
    "enrolled_enroll": "You have been enrolled in {title}",
    "allowed_enroll": "You have been invited to register for {title}",
    "enrolled_unenroll": "You have been unenrolled from {title}",
    "allowed_unenroll": "You have been removed from the invitation list of {title}",
}
BODIES = {
    "enrolled_enroll": "Dear learner,\n\nYou have been enrolled in {title} ({key}).\n",
    "allowed_enroll": (
        "Dear learner,\n\nYou have been invited to join {title} ({key}). Create an account with this "
        "e-mail address to take part.\n"
    ),
    "enrolled_unenroll": "Dear learner,\n\nYou have been unenrolled from {title} ({key}).\n",
    "allowed_unenroll": "Dear learner,\n\nYour invitation to {title} ({key}) has been withdrawn.\n",
}


def enrollment_change_emails_send(changes: Iterable[tuple[str, str, CourseRun]]) -> int:
    """Send one e-mail per (change, address, course_run); returns how many were sent. A mail
    server failure is logged, never raised: the enrollments are already committed."""
    messages = []
    for change, address, run in changes:
        context = {"title": run.display_name, "key": run.key}
        messages.append(
            EmailMessage(
                subject=SUBJECTS[change].format(**context),
                body=BODIES[change].format(**context),
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[address],
            )
        )
    try:
        with get_connection() as connection:
            return connection.send_messages(messages) or 0
    except OSError:
        log.exception("could not send %d enrollment e-mails", len(messages))
        return 0
