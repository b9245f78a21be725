"""Idempotency keys in the admin: a read-only record of the keys, their requests and answers."""

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
                       "completed", "status", "content_type", "headers", "answer")  # fmt: skip

    @admin.display(description="answer body")
    def answer(self, row: IdempotencyKey) -> str:
        body = bytes(row.body)
        text = body[:2000].decode("utf-8", "replace")
        return text + ("…" if len(body) > 2000 else "")
