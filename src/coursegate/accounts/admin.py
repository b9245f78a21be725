from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from coursegate.accounts.models import Profile, RoleAssignment, User


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False


@admin.register(User)
class CoursegateUserAdmin(UserAdmin):
    inlines = [ProfileInline]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "context", "created")
    list_filter = ("role",)
    search_fields = ("user__username", "context")
    raw_id_fields = ("user",)
