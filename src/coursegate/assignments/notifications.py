"""E-mails to learners about their content assignments: outbox rows written in the service's
transaction, delivered after commit by the outbox sender (outbox/), with retries."""

from __future__ import annotations

from coursegate.assignments.selectors import assignment_expiration, enroll_by_dates
from coursegate.outbox.services import Email, emails_enqueue

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


def assignment_emails_enqueue(kind: str, assignments, *, policy=None) -> int:
    """Enqueue one e-mail per assignment (``kind``: allocated, reminded, cancelled) in the current
    transaction; returns how many. ``policy``: the assignments' (all of one configuration), so that
    their expiration dates cost no query each; two queries whatever their number (enroll-by dates,
    the outbox insert)."""
    enroll_by = enroll_by_dates(a.content_key for a in assignments)
    messages = []
    for assignment in assignments:
        expires = assignment_expiration(assignment, enroll_by, policy=policy)["date"].date().isoformat()
        context = {"title": assignment.content_title or assignment.content_key, "key": assignment.content_key,
                   "expires": expires}  # fmt: skip
        messages.append(
            Email(
                kind=f"assignment_{kind}",
                to=[assignment.learner_email],
                subject=SUBJECTS[kind].format(**context),
                body=BODIES[kind].format(**context),
            )
        )
    return len(emails_enqueue(messages))
