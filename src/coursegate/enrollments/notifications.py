"""E-mails to learners about enrollment changes: outbox rows written in the change's transaction,
delivered after commit through Django's mail framework (the file backend by default, SMTP with
EMAIL_URL) by the outbox sender, with retries."""

from __future__ import annotations

from collections.abc import Iterable

from coursegate.courses.models import CourseRun
from coursegate.outbox.services import Email, emails_enqueue

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


def enrollment_change_emails_enqueue(changes: Iterable[tuple[str, str, CourseRun]]) -> int:
    """Enqueue one e-mail per (change, address, course_run) in the current transaction; returns how
    many. Delivered after commit (outbox/services.py)."""
    messages = []
    for change, address, run in changes:
        context = {"title": run.display_name, "key": run.key}
        messages.append(
            Email(
                kind=f"enrollment_{change}",
                to=[address],
                subject=SUBJECTS[change].format(**context),
                body=BODIES[change].format(**context),
            )
        )
    return len(emails_enqueue(messages))
