"""The OAuth applications in Coursegate's console: django-oauth-toolkit's admin with the columns an
operator looks for (client id, owner, grant, when), and the client secret shown once.

Client secrets are stored hashed (docs/authentication.md): after an application is created, or its
secret replaced, the page that follows shows the new secret once, in a message; it cannot be read
again afterwards.
"""

from django.contrib import admin, messages
from oauth2_provider import admin as oauth_admin  # registers the toolkit's admins first
from oauth2_provider.models import get_application_model

Application = get_application_model()


class CoursegateApplicationAdmin(oauth_admin.ApplicationAdmin):
    list_display = ("name", "client_id", "user", "client_type", "authorization_grant_type", "created", "updated")
    list_select_related = ("user",)
    search_fields = ("name", "client_id", "user__username", "user__email")
    date_hierarchy = "created"
    ordering = ("name", "id")

    def save_model(self, request, obj, form, change):
        secret = form.cleaned_data.get("client_secret") if "client_secret" in form.changed_data or not change else None
        super().save_model(request, obj, form, change)
        if secret and obj.hash_client_secret:
            self.message_user(
                request,
                f"Client secret of {obj.name or obj.client_id}: {secret} — copy it now: it is stored hashed and "
                "will not be shown again.",
                messages.WARNING,
            )


admin.site.unregister(Application)
admin.site.register(Application, CoursegateApplicationAdmin)
