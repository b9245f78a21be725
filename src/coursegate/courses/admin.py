"""Courses, their runs and the runs' modes. Plain configuration: an edit here is what
course_run_upsert would write (no history, no e-mail), so the forms save directly. A run with
enrollments cannot be deleted (the database protects it)."""

from django.contrib import admin

from coursegate.courses.models import Course, CourseMode, CourseRun


class CourseModeInline(admin.TabularInline):
    model = CourseMode
    extra = 0
    fields = ("slug", "name", "min_price", "currency", "expiration_datetime", "sku")


class CourseRunInline(admin.TabularInline):
    model = CourseRun
    extra = 0
    fields = ("key", "title", "start", "end", "enrollment_start", "enrollment_end", "invite_only")
    show_change_link = True
    can_delete = False


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ("key", "org", "title", "created")
    list_filter = ("org",)
    search_fields = ("key", "title")
    date_hierarchy = "created"
    ordering = ("key",)
    inlines = [CourseRunInline]


@admin.register(CourseRun)
class CourseRunAdmin(admin.ModelAdmin):
    list_display = ("key", "title", "course", "start", "end", "enrollment_start", "enrollment_end", "pacing",
                    "invite_only", "max_enrollments")  # fmt: skip
    list_filter = ("pacing", "invite_only")
    list_select_related = ("course",)
    search_fields = ("key", "title", "course__key")
    date_hierarchy = "start"
    ordering = ("key",)
    autocomplete_fields = ("course",)
    inlines = [CourseModeInline]
