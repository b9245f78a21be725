"""The license assignment e-mail (seed 003 "licenses/assign Endpoint": ``greeting`` opens it,
``closing`` ends it), sent through Django's mail framework (the file backend by default, SMTP with
EMAIL_URL). The assign service schedules it with transaction.on_commit."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

log = logging.getLogger(__name__)

SUBJECT = "You have been given a license to {plan} by {customer}"
BODY = (
    "{customer} has given you a license to {plan}, valid until {expiration:%Y-%m-%d}.\n\n"
    "Your activation key: {activation_key}\n"
)
BATCH = 500  # messages per SMTP connection


def license_assignment_emails_send(
    *, assignments: Iterable[tuple[str, object]], plan_title: str, customer_name: str, expiration, greeting: str = "",
    closing: str = "",
) -> int:  # fmt: skip
    """Send one e-mail per (address, activation key); returns how many were sent. A mail server
    failure is logged, never raised: the assignments are already committed."""
    messages = []
    for address, activation_key in assignments:
        context = {"plan": plan_title, "customer": customer_name, "expiration": expiration,
                   "activation_key": activation_key}  # fmt: skip
        body = "\n\n".join(part for part in (greeting.strip(), BODY.format(**context).strip(), closing.strip()) if part)
        messages.append(
            EmailMessage(
                subject=SUBJECT.format(**context),
                body=body + "\n",
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[address],
            )
        )
    sent = 0
    for start in range(0, len(messages), BATCH):
        batch = messages[start : start + BATCH]
        try:
            with get_connection() as connection:
                sent += connection.send_messages(batch) or 0
        except OSError:
            log.exception("could not send %d license assignment e-mails", len(batch))
    return sent
