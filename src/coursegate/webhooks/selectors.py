"""Reads of the webhooks: subscriptions, the feed events due to one, and the operators' figures."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Max, Min, Q, QuerySet

from coursegate.feed.models import GenericEvent
from coursegate.feed.services import TYPES
from coursegate.webhooks.exceptions import SubscriptionNotFoundError
from coursegate.webhooks.models import WebhookDelivery, WebhookSubscription

# A subscription names some of the change feed's event types, or a prefix pattern ending in ".*"
# that covers at least one of them ("coursegate.enrollment.*", "coursegate.*").
FEED_EVENT_TYPES: tuple[str, ...] = tuple(TYPES)


def _prefix_patterns(types: tuple[str, ...]) -> tuple[str, ...]:
    """Every "<prefix>.*" that covers a feed type: the type cut after each of its dots."""
    found = {known[: index + 1] + "*" for known in types for index, ch in enumerate(known) if ch == "."}
    return tuple(sorted(found))


# The whole list of what ``event_types`` may hold: finite, so the OpenAPI document states it as an
# enum (issue 15) and the rule below is a lookup in it.
SUBSCRIBABLE_EVENT_TYPES: tuple[str, ...] = FEED_EVENT_TYPES + _prefix_patterns(FEED_EVENT_TYPES)
_SUBSCRIBABLE = frozenset(SUBSCRIBABLE_EVENT_TYPES)


def event_type_problem(pattern: object) -> str | None:
    """Why ``pattern`` names no feed event type (None when it names one or more)."""
    if not isinstance(pattern, str) or not pattern:
        return "Each event type must be a non-empty string."
    if pattern in _SUBSCRIBABLE:
        return None
    return (
        f'Unknown event type "{pattern}": use one of {", ".join(FEED_EVENT_TYPES)} '
        'or a prefix pattern such as "coursegate.enrollment.*".'
    )


def types_filter(patterns: list[str]) -> Q:
    """The feed rows a subscription's ``event_types`` match (exact types and ``prefix.*`` patterns)."""
    exact = [p for p in patterns if not p.endswith(".*")]
    query = Q(type__in=exact) if exact else Q(pk__in=[])
    for pattern in patterns:
        if pattern.endswith(".*"):
            query |= Q(type__startswith=pattern[:-1])
    return query


def feed_last_id() -> int:
    """The newest feed event's id (0 for an empty feed). Ids commit in order (the store's lock),
    so every id up to it is committed or was rolled back for good: a cursor may pass it."""
    return GenericEvent.objects.aggregate(last=Max("id"))["last"] or 0


@dataclass(frozen=True)
class FeedEvent:
    id: int
    created_on: datetime
    type: str
    payload: str
    resource_type: str | None
    resource_id: str | None


def feed_events_due(*, after: int, upto: int, patterns: list[str], limit: int) -> list[FeedEvent]:
    """The first ``limit`` events in ``(after, upto]`` that ``patterns`` match, in id order."""
    rows = (
        GenericEvent.objects.filter(types_filter(patterns), id__gt=after, id__lte=upto)
        .order_by("id")
        .values_list("id", "created_on", "type", "payload", "resource_type", "resource_id")[:limit]
    )
    return [FeedEvent(*row) for row in rows]


def subscriptions_list() -> QuerySet[WebhookSubscription]:
    return WebhookSubscription.objects.order_by("created", "id")


def subscription_get(*, subscription_uuid: object) -> WebhookSubscription:
    """The subscription ``subscription_uuid`` names; SubscriptionNotFoundError when none (or malformed)."""
    try:
        key = uuid.UUID(str(subscription_uuid))
    except ValueError:
        raise SubscriptionNotFoundError(subscription_uuid) from None
    try:
        return WebhookSubscription.objects.get(uuid=key)
    except WebhookSubscription.DoesNotExist:
        raise SubscriptionNotFoundError(subscription_uuid) from None


def subscription_lag(subscription: WebhookSubscription, *, last_id: int | None = None) -> int:
    """Feed events after the subscription's cursor (matching or not): an upper bound of its lag."""
    return max(0, (feed_last_id() if last_id is None else last_id) - subscription.last_delivered_id)


def deliveries_recent(*, subscription: WebhookSubscription, limit: int = 20) -> list[WebhookDelivery]:
    return list(subscription.deliveries.order_by("-id")[:limit])


def webhook_counts() -> dict[str, int]:
    """For the metrics page: subscriptions active and paused, and the largest cursor lag (in feed
    events, matching or not) among the active ones."""
    figures = WebhookSubscription.objects.aggregate(
        active=Count("id", filter=Q(is_active=True)),
        paused=Count("id", filter=Q(is_active=False)),
        lowest=Min("last_delivered_id", filter=Q(is_active=True)),
    )
    lag = max(0, feed_last_id() - figures["lowest"]) if figures["lowest"] is not None else 0
    return {"active": figures["active"], "paused": figures["paused"], "max_lag_events": lag}
