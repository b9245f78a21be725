"""E-mails to learners enrolled by a bulk license enrollment job (``notify``): outbox rows written
in the transaction of the job's chunk that enrolled them, delivered after commit by the outbox
sender (outbox/), with retries."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from coursegate.outbox.services import Email, emails_enqueue

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
