from django.contrib import admin

from coursegate.enrollments.models import Enrollment, EnrollmentAllowed, EnrollmentHistory


class EnrollmentHistoryInline(admin.TabularInline):
    model = EnrollmentHistory
    extra = 0
    can_delete = False
    readonly_fields = ("mode", "is_active", "changed_at", "actor", "source")


@admin.register(Enrollment)
class EnrollmentAdmin(admin.ModelAdmin):
    """Read-only here: changes go through the enrollment service (the APIs), so the rules and the
    history always hold."""

    list_display = ("user", "course_run", "mode", "is_active", "created")
    list_filter = ("is_active", "mode")
    search_fields = ("user__username", "course_run__key")
    raw_id_fields = ("user", "course_run")
    inlines = [EnrollmentHistoryInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(EnrollmentAllowed)
class EnrollmentAllowedAdmin(admin.ModelAdmin):
    list_display = ("email", "course_run", "auto_enroll", "user", "created")
    search_fields = ("email", "course_run__key")
    raw_id_fields = ("course_run", "user")
