from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from oauth2_provider.models import (
    get_access_token_model,
    get_grant_model,
    get_id_token_model,
    get_refresh_token_model,
)

from coursegate.accounts.models import Profile, RoleAssignment, User


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False


def _oauth_token_names() -> set[str]:
    models = (get_access_token_model(), get_refresh_token_model(), get_id_token_model(), get_grant_model())
    return {str(model._meta.verbose_name) for model in models}


@admin.register(User)
class CoursegateUserAdmin(UserAdmin):
    inlines = [ProfileInline]

    def get_deleted_objects(self, objs, request):
        """As Django's, except that the user's OAuth tokens may go with it.

        django-oauth-toolkit's admin refuses to delete token rows one by one (it wants its
        "revoke" action), and Django's delete page then refuses to delete any user who ever got
        a token. Deleting the user is how an operator ends all its tokens at once: they are
        deleted with it, and every request reads them (docs/authentication.md)."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        return deleted, counts, perms_needed - _oauth_token_names(), protected


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "context", "created")
    list_filter = ("role",)
    search_fields = ("user__username", "context")
    raw_id_fields = ("user",)
