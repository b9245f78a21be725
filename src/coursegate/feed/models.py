"""The change feed's store: the generic event table (issue 14 §1, §2).

Moved here from coursegate.events (state-only migrations: the table, its name, ids and indexes are
unchanged) because the domain apps that append to it (enrollments, subscriptions, assignments) sit
below events in the import layers; events reads and writes it through this model.

Rows are never changed or deleted. ``id`` is the feed's cursor (``getSinceEvent``): appends hold
the store's lock until commit, so ids commit in order (services.py). Indexes: the primary key
serves pages from an id, ``(created_on, id)`` pages by date window, ``(type, id)`` and
``(resource_type, resource_id, created_on, id)`` the filtered reads.
"""

from __future__ import annotations

from django.db import models


class GenericEvent(models.Model):
    """A generic event: a caller-named ``type`` and an opaque ``payload`` string about a resource
    (reference §1.2: ``/api/events/create``); the change feed's events are ``coursegate.*`` types
    with a JSON object payload."""

    id = models.BigAutoField(primary_key=True)
    created_on = models.DateTimeField()
    type = models.CharField(max_length=255)
    payload = models.TextField()
    resource_type = models.CharField(max_length=255, null=True)
    resource_id = models.CharField(max_length=255, null=True)

    class Meta:
        db_table = "events_genericevent"
        indexes = [
            models.Index(fields=["created_on", "id"], name="events_generic_created_id"),
            models.Index(fields=["type", "id"], name="events_generic_type_id"),
            models.Index(fields=["resource_type", "resource_id", "created_on", "id"], name="events_generic_resource"),
        ]

    def __str__(self) -> str:
        return f"generic event {self.id}: {self.type}"
