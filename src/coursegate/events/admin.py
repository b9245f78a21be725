"""The event stores in the admin: read-only, never deleted (each store is append-only and its
ids are the consumers' paging cursor)."""

from django.apps import apps
from django.contrib import admin

from coursegate.events.models import ApprenticeshipEvent


@admin.register(ApprenticeshipEvent)
class ApprenticeshipEventAdmin(admin.ModelAdmin):
    list_display = ("id", "created_on", "event", "apprenticeship_id", "learner_id", "provider_id",
                    "employer_account_id", "training_type", "training_id", "training_total_cost")  # fmt: skip
    list_filter = ("training_type",)  # choices only: a filter on free text would scan the store
    search_fields = ("=apprenticeship_id", "event", "learner_id", "provider_id", "employer_account_id", "training_id")
    search_help_text = "Apprenticeship id (exact), event, learner, provider, employer account or training id"
    date_hierarchy = "created_on"
    ordering = ("-id",)
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class EventStoreAdmin(admin.ModelAdmin):
    """The other event stores (agreement, account, generic events): read-only and never deleted,
    as the apprenticeship store; newest first, with every column listed."""

    ordering = ("-id",)
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _register_other_stores() -> None:
    # The generic store lives in the feed app (it is also the change feed) but is one of these stores.
    stores = [*apps.get_app_config("events").get_models(), *apps.get_app_config("feed").get_models()]
    for model in stores:
        if admin.site.is_registered(model):
            continue
        names = [field.name for field in model._meta.concrete_fields]
        options = {
            "list_display": names[:10],
            "search_fields": [name for name in ("event", "type", "provider_id", "resource_id") if name in names],
            "date_hierarchy": "created_on" if "created_on" in names else None,
        }
        admin.site.register(model, type(f"{model.__name__}Admin", (EventStoreAdmin,), options))


_register_other_stores()
