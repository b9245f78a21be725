"""The license assignment e-mail (seed 003 "licenses/assign Endpoint": ``greeting`` opens it,
``closing`` ends it): outbox rows written in the assignment's transaction, delivered after commit
by the outbox sender (outbox/) through Django's mail framework, with retries."""

from __future__ import annotations

from collections.abc import Iterable

from coursegate.outbox.services import Email, emails_enqueue

SUBJECT = "You have been given a license to {plan} by {customer}"
BODY = (
    "{customer} has given you a license to {plan}, valid until {expiration:%Y-%m-%d}.\n\n"
    "Your activation key: {activation_key}\n"
)


def license_assignment_emails_enqueue(
    *, assignments: Iterable[tuple[str, object]], plan_title: str, customer_name: str, expiration, greeting: str = "",
    closing: str = "",
) -> int:  # fmt: skip
    """Enqueue one e-mail per (address, activation key) in the current transaction; returns how many."""
    messages = []
    for address, activation_key in assignments:
        context = {"plan": plan_title, "customer": customer_name, "expiration": expiration,
                   "activation_key": activation_key}  # fmt: skip
        body = "\n\n".join(part for part in (greeting.strip(), BODY.format(**context).strip(), closing.strip()) if part)
        messages.append(
            Email(kind="license_assigned", to=[address], subject=SUBJECT.format(**context), body=body + "\n")
        )
    return len(emails_enqueue(messages))
