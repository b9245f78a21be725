"""Users and role assignments in the admin.

A user is added through ``user_create`` (the profile, the stripped name and e-mail, the
case-insensitive e-mail rule), with the e-mail asked on the add form; role assignments are given
with ``role_assign`` and taken away with ``role_revoke`` (a role is not edited: revoke it and
assign another).
"""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db import transaction
from oauth2_provider.models import (
    get_access_token_model,
    get_grant_model,
    get_id_token_model,
    get_refresh_token_model,
)

from coursegate.accounts.models import Profile, RoleAssignment, User
from coursegate.accounts.services import role_assign, role_revoke, user_create


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False


def _oauth_token_names() -> set[str]:
    models = (get_access_token_model(), get_refresh_token_model(), get_id_token_model(), get_grant_model())
    return {str(model._meta.verbose_name) for model in models}


def _email_taken(form: forms.ModelForm, email: str) -> str:
    email = (email or "").strip()
    others = User.objects.filter(email__iexact=email)
    if form.instance.pk is not None:
        others = others.exclude(pk=form.instance.pk)
    if email and others.exists():
        raise forms.ValidationError("A user with this e-mail address (in any letter case) already exists.")
    return email


class UserAddForm(AdminUserCreationForm):
    email = forms.EmailField(required=True)
    name = forms.CharField(max_length=255, required=False, help_text="Full name, kept in the profile")

    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("username", "email")

    def clean_email(self):
        return _email_taken(self, self.cleaned_data.get("email", ""))


class UserEditForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User

    def clean_email(self):
        return _email_taken(self, self.cleaned_data.get("email", ""))


@admin.register(User)
class CoursegateUserAdmin(UserAdmin):
    add_form = UserAddForm
    form = UserEditForm
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "email", "name", "usable_password", "password1", "password2"),
            },
        ),  # fmt: skip
    )
    inlines = [ProfileInline]
    list_display = ("username", "email", "full_name", "is_staff", "is_superuser", "is_active", "date_joined",
                    "last_login")  # fmt: skip
    list_select_related = ("profile",)
    list_filter = ("is_staff", "is_superuser", "is_active")
    search_fields = ("username", "email", "profile__name")
    date_hierarchy = "date_joined"
    ordering = ("-date_joined", "-id")

    @admin.display(description="name", ordering="profile__name")
    def full_name(self, user: User) -> str:
        profile = getattr(user, "profile", None)
        return profile.name if profile is not None else ""

    def get_inline_instances(self, request, obj=None):
        # The profile is user_create's to make: no profile form on the add page.
        return super().get_inline_instances(request, obj) if obj is not None else []

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        data = form.cleaned_data
        created = user_create(
            username=data["username"],
            email=data["email"],
            password=data.get("password1") if data.get("set_usable_password", True) else None,
            name=data.get("name", ""),
            validate_password=False,  # the form has validated it
        )
        obj.pk, obj.password, obj.email = created.pk, created.password, created.email
        obj._state.adding = False
        obj._state.db = created._state.db

    def get_deleted_objects(self, objs, request):
        """As Django's, except that the user's OAuth tokens may go with it.

        django-oauth-toolkit's admin refuses to delete token rows one by one (it wants its
        "revoke" action), and Django's delete page then refuses to delete any user who ever got
        a token. Deleting the user is how an operator ends all its tokens at once: they are
        deleted with it, and every request reads them (docs/authentication.md)."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        return deleted, counts, perms_needed - _oauth_token_names(), protected


class RoleAssignmentForm(forms.ModelForm):
    class Meta:
        model = RoleAssignment
        fields = ("user", "role", "context")
        help_texts = {"context": "A customer uuid for the enterprise roles, * for every customer, else empty"}


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    form = RoleAssignmentForm
    list_display = ("user", "role", "context", "created")
    list_filter = ("role",)
    list_select_related = ("user",)
    search_fields = ("user__username", "user__email", "context")
    date_hierarchy = "created"
    ordering = ("-created", "-id")
    raw_id_fields = ("user",)

    def has_change_permission(self, request, obj=None):
        return False  # revoke and assign another

    def save_model(self, request, obj, form, change):
        saved = role_assign(user=obj.user, role=obj.role, context=obj.context)
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        role_revoke(user=obj.user, role=obj.role, context=obj.context)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for row in queryset.select_related("user"):
                role_revoke(user=row.user, role=row.role, context=row.context)
