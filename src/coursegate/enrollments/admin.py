"""Enrollments in the admin: read-only rows with their history, and invitations.

An enrollment changes only through the enrollment service (its rules, its history row, its
e-mails): the admin shows enrollments and offers "Unenroll", which calls
``enrollments_bulk_deactivate``; it never adds, edits or deletes a row itself. History rows are the
audit trail: read-only, never deleted. Invitations (allowed enrollments) are added through
``enrollment_allowed_upsert``, which stores the address lower-cased.
"""

from django import forms
from django.contrib import admin, messages

from coursegate.core.admin_mixins import RecordsOnly
from coursegate.enrollments.models import Enrollment, EnrollmentAllowed, EnrollmentHistory, Source
from coursegate.enrollments.services import Outcome, enrollment_allowed_upsert, enrollments_bulk_deactivate


class EnrollmentHistoryInline(admin.TabularInline):
    model = EnrollmentHistory
    extra = 0
    can_delete = False
    fields = readonly_fields = ("changed_at", "mode", "is_active", "source", "actor")
    ordering = ("id",)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


@admin.register(Enrollment)
class EnrollmentAdmin(RecordsOnly, admin.ModelAdmin):
    """Read-only: changes go through the enrollment service, so the rules and the history hold."""

    list_display = ("id", "user", "course_run", "mode", "is_active", "created", "modified")
    list_filter = ("is_active", "mode")
    list_select_related = ("user", "course_run")
    search_fields = ("user__username", "user__email", "course_run__key")
    search_help_text = "Username, e-mail or course run key"
    date_hierarchy = "created"
    ordering = ("-created", "-id")
    show_full_result_count = False
    inlines = [EnrollmentHistoryInline]
    actions = ("unenroll",)

    @admin.action(description="Unenroll selected learners (keeps the rows, writes history)", permissions=["operate"])
    def unenroll(self, request, queryset):
        pairs = [(row.user, row.course_run) for row in queryset.select_related("user", "course_run")]
        results = enrollments_bulk_deactivate(pairs=pairs, actor=request.user, source=Source.ADMIN)
        done = sum(1 for result in results if result.outcome == Outcome.DEACTIVATED)
        self.message_user(
            request, f"Unenrolled {done} of {len(pairs)} selected; the others were already inactive.", messages.SUCCESS
        )


class EnrollmentAllowedForm(forms.ModelForm):
    class Meta:
        model = EnrollmentAllowed
        fields = ("email", "course_run", "auto_enroll")

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()


@admin.register(EnrollmentAllowed)
class EnrollmentAllowedAdmin(admin.ModelAdmin):
    """Invitations: added through enrollment_allowed_upsert; taken up by the account created for the
    address (``user``). Withdrawing one (delete) is allowed: nothing refers to it."""

    list_display = ("email", "course_run", "auto_enroll", "user", "created")
    list_filter = ("auto_enroll",)
    list_select_related = ("course_run", "user")
    search_fields = ("email", "course_run__key")
    date_hierarchy = "created"
    ordering = ("-created", "-id")
    raw_id_fields = ("course_run", "user")
    form = EnrollmentAllowedForm
    fields = ("email", "course_run", "auto_enroll", "user")
    readonly_fields = ("user",)

    def has_change_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        saved = enrollment_allowed_upsert(email=obj.email, course_run=obj.course_run, auto_enroll=obj.auto_enroll)
        obj.pk, obj.email = saved.pk, saved.email
