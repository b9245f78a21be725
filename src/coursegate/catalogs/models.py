"""Enterprise catalogs and the content metadata they hold (courses, course runs, programs).

Content items are shared: a course can be in many catalogs. The fields queried are columns; the
rest of a seed item's metadata (descriptions, images, owners, ...) is the JSON ``metadata``.
"""

from __future__ import annotations

import uuid

from django.db import models


class ContentItem(models.Model):
    class Type(models.TextChoices):
        COURSE = "course"
        COURSE_RUN = "courserun"
        PROGRAM = "program"

    content_type = models.CharField(max_length=16, choices=Type.choices)
    content_key = models.CharField(max_length=255, help_text="Org+Course, a course run key, or a program uuid")
    title = models.CharField(max_length=255, blank=True)
    parent_key = models.CharField(max_length=255, blank=True, help_text="A run's course key")
    enroll_by = models.DateTimeField(null=True, blank=True, help_text="Last moment to enroll (runs, courses)")
    price_cents = models.PositiveIntegerField(null=True, blank=True, help_text="First paid seat price, if known")
    is_active = models.BooleanField(default=True, help_text="Open for enrollment now or in the future")
    metadata = models.JSONField(default=dict, blank=True)
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["content_type", "content_key"], name="catalogs_content_unique_key")
        ]
        indexes = [models.Index(fields=["content_key"]), models.Index(fields=["parent_key"])]

    def __str__(self) -> str:
        return f"{self.content_type} {self.content_key}"


class EnterpriseCatalog(models.Model):
    uuid = models.UUIDField(primary_key=True, default=uuid.uuid4)
    title = models.CharField(max_length=255)
    customer = models.ForeignKey("enterprise.EnterpriseCustomer", on_delete=models.CASCADE, related_name="catalogs")
    catalog_query_uuid = models.UUIDField(null=True, blank=True)
    query_title = models.CharField(max_length=255, blank=True)
    items = models.ManyToManyField(ContentItem, through="CatalogItem", related_name="catalogs")
    created = models.DateTimeField(auto_now_add=True)
    modified = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.title} ({self.uuid})"


class CatalogItem(models.Model):
    catalog = models.ForeignKey(EnterpriseCatalog, on_delete=models.CASCADE)
    item = models.ForeignKey(ContentItem, on_delete=models.CASCADE)
    added = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["catalog", "item"], name="catalogs_item_once_per_catalog")]

    def __str__(self) -> str:
        return f"{self.item_id} in {self.catalog_id}"
