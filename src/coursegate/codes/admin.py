from django.contrib import admin

from coursegate.codes.models import EnrollmentCode


@admin.register(EnrollmentCode)
class EnrollmentCodeAdmin(admin.ModelAdmin):
    list_display = ("code", "course_run", "status", "redeemed_by", "redeemed_at", "created")
    list_filter = ("status",)
    search_fields = ("code", "course_run__key", "redeemed_by__email")
    raw_id_fields = ("course_run", "created_by", "redeemed_by")
    readonly_fields = ("redeemed_by", "redeemed_at")
