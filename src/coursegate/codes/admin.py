"""Enrollment codes in the admin: generated through ``codes_generate`` (the add form takes how
many), cancelled or restored through ``code_set_status`` (which unenrolls the learner who redeemed
the code). A code is never edited or deleted by hand: its redemption is part of the audit trail."""

from django import forms
from django.contrib import admin, messages
from django.db import transaction

from coursegate.codes.models import EnrollmentCode
from coursegate.codes.services import MAX_CODES_PER_REQUEST, code_set_status, codes_generate
from coursegate.core.admin_mixins import OperateByChangePermission


class EnrollmentCodeAddForm(forms.ModelForm):
    count = forms.IntegerField(
        min_value=1, max_value=MAX_CODES_PER_REQUEST, initial=1, help_text="How many codes to generate"
    )

    class Meta:
        model = EnrollmentCode
        fields = ("course_run", "mode")


@admin.register(EnrollmentCode)
class EnrollmentCodeAdmin(OperateByChangePermission, admin.ModelAdmin):
    list_display = ("code", "course_run", "mode", "status", "redeemed_by", "redeemed_at", "created", "created_by")
    list_filter = ("status",)
    list_select_related = ("course_run", "redeemed_by", "created_by")
    search_fields = ("=code", "course_run__key", "redeemed_by__email", "redeemed_by__username")
    search_help_text = "Code (exact), course run key, or the redeemer's e-mail or username"
    date_hierarchy = "created"
    ordering = ("-created", "-id")
    raw_id_fields = ("course_run", "created_by", "redeemed_by")
    readonly_fields = ("code", "course_run", "mode", "status", "created", "created_by", "redeemed_by", "redeemed_at")
    actions = ("cancel_codes", "restore_codes")

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = EnrollmentCodeAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        return ("course_run", "mode", "count") if obj is None else self.readonly_fields

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        codes = codes_generate(
            course_run=obj.course_run, count=form.cleaned_data["count"], actor=request.user, mode=obj.mode
        )
        obj.pk = codes[0].pk
        obj.code = codes[0].code
        listed = ", ".join(sorted(code.code for code in codes[:20]))
        more = f" and {len(codes) - 20} more" if len(codes) > 20 else ""
        self.message_user(request, f"Generated {len(codes)} codes for {obj.course_run}: {listed}{more}.")

    def _set_status(self, request, queryset, action: str, verb: str) -> None:
        codes = list(queryset.values_list("code", flat=True))
        freed = queryset.filter(redeemed_by__isnull=False).count()
        with transaction.atomic():  # all of them or none
            for code in codes:
                code_set_status(code=code, action=action, actor=request.user)
        self.message_user(
            request,
            f"{verb} {len(codes)} codes; {freed} learners who had redeemed one were unenrolled.",
            messages.SUCCESS,
        )

    @admin.action(description="Cancel selected codes (unenrolls their learners)", permissions=["operate"])
    def cancel_codes(self, request, queryset):
        self._set_status(request, queryset, "cancel", "Cancelled")

    @admin.action(description="Restore selected codes (usable again)", permissions=["operate"])
    def restore_codes(self, request, queryset):
        self._set_status(request, queryset, "restore", "Restored")
