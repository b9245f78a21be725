"""The outbox in the admin: what was sent, what waits and why, and a "retry now" for failed rows.

Rows are read-only here and never deleted (an e-mail is what the change wrote, and the sender's
record of it); the only write is the retry action, which goes through ``outbox_retry``.
"""

from django.contrib import admin, messages

from coursegate.core.admin_mixins import OperateByChangePermission
from coursegate.outbox.models import OutboxEmail
from coursegate.outbox.services import outbox_retry


@admin.register(OutboxEmail)
class OutboxEmailAdmin(OperateByChangePermission, admin.ModelAdmin):
    list_display = ("id", "kind", "recipients", "subject", "status", "attempts", "next_attempt_at", "last_error",
                    "created", "sent_at")  # fmt: skip
    list_filter = ("status", "kind")
    search_fields = ("to", "subject")
    date_hierarchy = "created"
    ordering = ("-id",)
    actions = ("retry_now",)
    readonly_fields = [f.name for f in OutboxEmail._meta.fields]

    @admin.display(description="to")
    def recipients(self, row: OutboxEmail) -> str:
        return ", ".join(row.to)

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description="Retry now (failed rows)", permissions=["operate"])
    def retry_now(self, request, queryset):
        ids = list(queryset.filter(status=OutboxEmail.Status.FAILED).values_list("pk", flat=True))
        changed = outbox_retry(ids=ids)
        self.message_user(request, f"{changed} e-mails are due again; the dispatcher sends them shortly.",
                          messages.SUCCESS)  # fmt: skip
