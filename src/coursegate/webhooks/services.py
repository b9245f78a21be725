"""Writes of the webhooks: subscriptions created, deleted, resumed; a test ping.

Rules of a subscription (checked here, so the API and the admin share them): ``url`` is an http or
https URL of the shape receivers.URL_PATTERN and, unless COURSEGATE_WEBHOOK_ALLOW_PRIVATE_URLS is
on, reaches no loopback, private or link-local address (receivers.py); ``event_types`` is a
non-empty list of feed event types or prefix patterns (selectors.SUBSCRIBABLE_EVENT_TYPES);
``secret``, when given, is 16 to 200 printable ASCII characters without a space at either end
(SECRET_PATTERN: a receiver in any language reads the key as the same bytes), else one is
generated (the caller shows it once). The API's OpenAPI document publishes these patterns and
lists as they are (issue 15). A new subscription's cursor is the feed's newest event: it receives
what happens from its creation on.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from coursegate.webhooks import delivery
from coursegate.webhooks.exceptions import SubscriptionInvalidError
from coursegate.webhooks.models import WebhookSubscription
from coursegate.webhooks.receivers import url_problems
from coursegate.webhooks.selectors import event_type_problem, feed_last_id

log = logging.getLogger(__name__)

SECRET_MIN_LENGTH = 16
SECRET_MAX_LENGTH = 200
MAX_EVENT_TYPES = 50
# Published as is in the OpenAPI document (with the lengths above), so written for Python and ECMA-262.
SECRET_PATTERN = r"^[\x21-\x7E](?:[\x20-\x7E]*[\x21-\x7E])?$"
_SECRET_SHAPE = re.compile(SECRET_PATTERN)


def _problems(*, url: str, event_types: Sequence[object], secret: str | None) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    if found := url_problems(url):
        problems["url"] = found
    if not event_types:
        problems["event_types"] = ["Name at least one event type."]
    elif len(event_types) > MAX_EVENT_TYPES:
        problems["event_types"] = [f"Name at most {MAX_EVENT_TYPES} event types."]
    else:
        found = [problem for pattern in event_types if (problem := event_type_problem(pattern))]
        if found:
            problems["event_types"] = found
    if secret is not None and not (
        SECRET_MIN_LENGTH <= len(secret) <= SECRET_MAX_LENGTH and _SECRET_SHAPE.fullmatch(secret)
    ):
        problems["secret"] = [
            f"The secret must be {SECRET_MIN_LENGTH} to {SECRET_MAX_LENGTH} printable ASCII characters, "
            "without leading or trailing spaces."
        ]
    return problems


def subscription_create(
    *, url: str, event_types: Sequence[str], secret: str | None = None, actor=None
) -> WebhookSubscription:
    """A new active subscription whose cursor is the feed's newest event. Raises
    SubscriptionInvalidError naming the fields that break the rules (module docstring)."""
    problems = _problems(url=url, event_types=event_types, secret=secret)
    if problems:
        raise SubscriptionInvalidError(problems)
    with transaction.atomic():
        subscription = WebhookSubscription.objects.create(
            url=url,
            event_types=list(dict.fromkeys(event_types)),
            secret=secret if secret is not None else secrets.token_hex(32),
            created_by=actor if getattr(actor, "pk", None) else None,
            last_delivered_id=feed_last_id(),
        )
    log.info("webhooks: subscription %s created for %s (%s)", subscription.uuid, url, ", ".join(event_types))
    return subscription


def subscription_delete(*, subscription: WebhookSubscription) -> None:
    """Delete the subscription and its delivery log; nothing more is sent to it."""
    subscription.delete()
    log.info("webhooks: subscription %s deleted", subscription.uuid)


def subscriptions_resume(*, ids: Sequence[int]) -> int:
    """Resume paused subscriptions: the event at the cursor is due now and has a new retry window
    (MAX_AGE from now). Returns how many were resumed."""
    now = timezone.now()
    resumed = WebhookSubscription.objects.filter(pk__in=list(ids), is_active=False).update(
        is_active=True, paused_reason="", paused_at=None, resumed_at=now, failures=0, next_attempt_at=None
    )
    log.info("webhooks: %d subscriptions resumed", resumed)
    return resumed


def subscription_ping(*, subscription: WebhookSubscription) -> delivery.Outcome:
    """Send a test event to the subscription's receiver now; the receiver's answer (or the error).
    Never raises for a receiver that fails: that is the answer."""
    return delivery.ping(subscription)
