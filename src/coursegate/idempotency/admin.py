"""Idempotency keys in the admin: a read-only record of the keys, their requests and answers.

The stored bodies are not shown, only their size: an answer may hold what its endpoint shows once
(a new webhook subscription's signing secret)."""

from django.contrib import admin

from coursegate.core.admin_mixins import RecordsOnly
from coursegate.idempotency.models import IdempotencyKey


@admin.register(IdempotencyKey)
class IdempotencyKeyAdmin(RecordsOnly, admin.ModelAdmin):
    list_display = ("id", "key", "client", "method", "path", "state", "status", "run", "created", "completed")
    list_filter = ("state", "status", "method")
    search_fields = ("key", "client", "path")
    date_hierarchy = "created"
    ordering = ("-id",)
    exclude = ("body",)
    readonly_fields = ("client", "key", "fingerprint", "method", "path", "state", "run", "created", "started",
                       "completed", "status", "content_type", "headers", "body_size")  # fmt: skip

    @admin.display(description="answer body")
    def body_size(self, row: IdempotencyKey) -> str:
        return f"{len(row.body)} bytes"
