from django.contrib import admin

from coursegate.assignments.models import AssignmentConfiguration, LearnerContentAssignment, SubsidyAccessPolicy


@admin.register(SubsidyAccessPolicy)
class SubsidyAccessPolicyAdmin(admin.ModelAdmin):
    list_display = ("uuid", "customer", "active", "spend_limit", "subsidy_balance_cents", "subsidy_expiration")


@admin.register(AssignmentConfiguration)
class AssignmentConfigurationAdmin(admin.ModelAdmin):
    list_display = ("uuid", "customer", "active")


@admin.register(LearnerContentAssignment)
class LearnerContentAssignmentAdmin(admin.ModelAdmin):
    list_display = ("uuid", "learner_email", "content_key", "state", "content_quantity", "allocated_at")
    list_filter = ("state",)
    search_fields = ("learner_email", "content_key")
