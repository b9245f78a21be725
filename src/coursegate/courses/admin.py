from django.contrib import admin

from coursegate.courses.models import Course, CourseMode, CourseRun


class CourseModeInline(admin.TabularInline):
    model = CourseMode
    extra = 0


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ("key", "org", "title")
    search_fields = ("key", "title")


@admin.register(CourseRun)
class CourseRunAdmin(admin.ModelAdmin):
    list_display = ("key", "title", "start", "enrollment_start", "enrollment_end", "invite_only", "max_enrollments")
    search_fields = ("key", "title")
    inlines = [CourseModeInline]
