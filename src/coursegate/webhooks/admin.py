"""Webhook subscriptions in the admin: each receiver's state (active or paused and why), its lag
behind the feed, its last error and its recent delivery attempts; actions resume and send a ping.

Subscriptions are created over the API (POST /api/webhooks/v1/subscriptions shows the secret
once); here they are records, written only through the services by the actions. The secret is
never shown.
"""

from django.contrib import admin, messages

from coursegate.core.admin_mixins import RecordsOnly
from coursegate.webhooks.models import WebhookDelivery, WebhookSubscription
from coursegate.webhooks.selectors import feed_last_id, subscription_lag
from coursegate.webhooks.services import subscription_ping, subscriptions_resume


class DeliveryInline(RecordsOnly, admin.TabularInline):
    model = WebhookDelivery
    fields = ("attempted_at", "event_id", "event_type", "ok", "status_code", "duration_ms", "error")
    readonly_fields = fields
    ordering = ("-id",)
    extra = 0
    max_num = 0
    verbose_name_plural = "recent delivery attempts (the newest 100 are kept)"


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(RecordsOnly, admin.ModelAdmin):
    list_display = ("uuid", "url", "types", "status", "lag", "last_delivered_id", "failures", "next_attempt_at",
                    "last_error", "last_success_at", "created")  # fmt: skip
    list_filter = ("is_active",)
    search_fields = ("url", "=uuid")
    ordering = ("-id",)
    actions = ("resume", "ping")
    fields = ("uuid", "url", "event_types", "is_active", "paused_reason", "paused_at", "resumed_at",
              "last_delivered_id", "failures", "next_attempt_at", "last_error", "last_success_at", "created_by",
              "created", "modified")  # fmt: skip
    readonly_fields = fields
    inlines = (DeliveryInline,)

    def get_queryset(self, request):
        self._last_id = feed_last_id()  # once per page, for the lag column
        return super().get_queryset(request)

    @admin.display(description="event types")
    def types(self, row: WebhookSubscription) -> str:
        return ", ".join(row.event_types)

    @admin.display(description="status")
    def status(self, row: WebhookSubscription) -> str:
        return "active" if row.is_active else f"paused: {row.paused_reason[:120]}"

    @admin.display(description="lag (feed events)")
    def lag(self, row: WebhookSubscription) -> int:
        return subscription_lag(row, last_id=getattr(self, "_last_id", None))

    @admin.action(description="Resume (paused subscriptions)", permissions=["operate"])
    def resume(self, request, queryset):
        count = subscriptions_resume(ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, f"{count} subscriptions resumed; the dispatcher delivers their events shortly.",
                          messages.SUCCESS)  # fmt: skip

    @admin.action(description="Send a test ping", permissions=["operate"])
    def ping(self, request, queryset):
        for subscription in queryset[:10]:
            outcome = subscription_ping(subscription=subscription)
            if outcome.ok:
                self.message_user(request, f"{subscription.url}: answered {outcome.status_code}.", messages.SUCCESS)
            else:
                answer = outcome.status_code or outcome.error
                self.message_user(request, f"{subscription.url}: failed ({answer}).", messages.WARNING)
