"""The license e-mails, written as outbox rows in the change's transaction and delivered after
commit by the outbox sender (outbox/) through Django's mail framework, with retries:

- the assignment e-mail (seed 003 "licenses/assign Endpoint": ``greeting`` opens it, ``closing``
  ends it);
- the reminder of a license still pending activation (reference/learner_side.md §4.4, §4.5;
  license-manager's ``send_reminder_email_task``): the activation link, between the admin's
  ``greeting`` and ``closing``.
"""

from __future__ import annotations

from collections.abc import Iterable

from coursegate.outbox.services import Email, emails_enqueue

SUBJECT = "You have been given a license to {plan} by {customer}"
BODY = (
    "{customer} has given you a license to {plan}, valid until {expiration:%Y-%m-%d}.\n\n"
    "Your activation key: {activation_key}\n"
)
REMINDER_SUBJECT = "Reminder: activate your license to {plan} from {customer}"
REMINDER_BODY = (
    "{customer} has given you a license to {plan}, valid until {expiration:%Y-%m-%d}, and it is still "
    "waiting for you.\n\nActivate it here: {link}\n"
)


def activation_link(*, portal_url: str, customer_slug: str, activation_key: object) -> str:
    """The page where a learner activates a license: ``<portal>/<customer slug>/licenses/<key>/activate``
    (license-manager's learner portal path; ``portal_url`` is COURSEGATE_LEARNER_PORTAL_URL or
    this server's base URL)."""
    return f"{portal_url.rstrip('/')}/{customer_slug}/licenses/{activation_key}/activate"


def _body(greeting: str, text: str, closing: str) -> str:
    return "\n\n".join(part for part in (greeting.strip(), text.strip(), closing.strip()) if part) + "\n"


def license_assignment_emails_enqueue(
    *, assignments: Iterable[tuple[str, object]], plan_title: str, customer_name: str, expiration, greeting: str = "",
    closing: str = "",
) -> int:  # fmt: skip
    """Enqueue one e-mail per (address, activation key) in the current transaction; returns how many."""
    messages = []
    for address, activation_key in assignments:
        context = {"plan": plan_title, "customer": customer_name, "expiration": expiration,
                   "activation_key": activation_key}  # fmt: skip
        messages.append(
            Email(
                kind="license_assigned",
                to=[address],
                subject=SUBJECT.format(**context),
                body=_body(greeting, BODY.format(**context), closing),
            )
        )
    return len(emails_enqueue(messages))


def license_reminder_emails_enqueue(
    *, reminders: Iterable[tuple[str, object]], plan_title: str, customer_name: str, customer_slug: str,
    expiration, portal_url: str, greeting: str = "", closing: str = "",
) -> int:  # fmt: skip
    """Enqueue one reminder per (address, activation key) in the current transaction; returns how many."""
    context = {"plan": plan_title, "customer": customer_name, "expiration": expiration}
    subject = REMINDER_SUBJECT.format(**context)
    messages = (
        Email(
            kind="license_reminder",
            to=[address],
            subject=subject,
            body=_body(
                greeting,
                REMINDER_BODY.format(
                    **context,
                    link=activation_link(portal_url=portal_url, customer_slug=customer_slug, activation_key=key),
                ),
                closing,
            ),
        )
        for address, key in reminders
    )
    return len(emails_enqueue(messages))
