from django.contrib import admin

from coursegate.events.models import ApprenticeshipEvent


@admin.register(ApprenticeshipEvent)
class ApprenticeshipEventAdmin(admin.ModelAdmin):
    """Read-only: the store is append-only."""

    list_display = ("id", "created_on", "event", "apprenticeship_id", "training_type")
    search_fields = ("event", "learner_id", "provider_id")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
