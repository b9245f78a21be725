"""Learner credit in the admin: policies (spend against the limit), assignment configurations,
assignments with their actions, and redemption transactions.

Policies and configurations are configuration and save directly. Assignments change only through
the assignment services (allocation, reminders, cancellation, expiry write the actions and the
e-mails): read-only here, with "Remind", "Cancel" and "Expire due assignments now" as actions.
Actions and redemption transactions are history: read-only, never deleted; nor are assignments.
"""

from collections import defaultdict

from django.contrib import admin, messages
from django.db import transaction
from django.db.models import BigIntegerField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.html import format_html

from coursegate.assignments.administration import assignments_cancel, assignments_remind
from coursegate.assignments.exceptions import AssignmentsNotActionableError
from coursegate.assignments.models import (
    AssignmentConfiguration,
    LearnerContentAssignment,
    LearnerContentAssignmentAction,
    RedemptionTransaction,
    SubsidyAccessPolicy,
)
from coursegate.assignments.services import assignments_expire
from coursegate.core.admin_mixins import RecordsOnly

State = LearnerContentAssignment.State


def _cents(value: int | None) -> str:
    return f"{(value or 0) / 100:,.2f}"


def _committed(state: str) -> Coalesce:
    """The policy's cents in assignments of ``state`` (content_quantity is minus the price)."""
    total = (
        LearnerContentAssignment.objects.filter(
            assignment_configuration=OuterRef("assignment_configuration"), state=state
        )
        .order_by()
        .values("assignment_configuration")
        .annotate(total=Sum("content_quantity"))
        .values("total")
    )
    return Coalesce(Subquery(total, output_field=BigIntegerField()), Value(0))


@admin.register(SubsidyAccessPolicy)
class SubsidyAccessPolicyAdmin(admin.ModelAdmin):
    list_display = ("uuid", "description", "customer", "active", "retired", "limit", "allocated", "spent",
                    "remaining", "subsidy_balance", "subsidy_expiration")  # fmt: skip
    list_filter = ("active", "retired", "customer")
    list_select_related = ("customer",)
    search_fields = ("=uuid", "description", "customer__name")
    search_help_text = "Uuid (exact), description or customer name"
    date_hierarchy = "subsidy_expiration"
    ordering = ("-created",)
    autocomplete_fields = ("customer", "catalog")
    raw_id_fields = ("assignment_configuration",)
    readonly_fields = ("allocated", "spent", "remaining", "created")

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset.annotate(allocated_cents=_committed(State.ALLOCATED), spent_cents=_committed(State.ACCEPTED))

    @admin.display(description="spend limit", ordering="spend_limit")
    def limit(self, policy) -> str:
        return _cents(policy.spend_limit)

    @admin.display(description="allocated", ordering="allocated_cents")
    def allocated(self, policy) -> str:
        return _cents(-policy.allocated_cents) if hasattr(policy, "allocated_cents") else "-"

    @admin.display(description="spent", ordering="spent_cents")
    def spent(self, policy) -> str:
        return _cents(-policy.spent_cents) if hasattr(policy, "spent_cents") else "-"

    @admin.display(description="left to allocate")
    def remaining(self, policy) -> str:
        """What may still be allocated: the lower of the limit and the subsidy's balance, less what
        is allocated or spent."""
        if not hasattr(policy, "allocated_cents"):
            return "-"
        committed = -policy.allocated_cents - policy.spent_cents
        return _cents(min(policy.spend_limit, policy.subsidy_balance_cents) - committed)

    @admin.display(description="subsidy balance", ordering="subsidy_balance_cents")
    def subsidy_balance(self, policy) -> str:
        return _cents(policy.subsidy_balance_cents)


@admin.register(AssignmentConfiguration)
class AssignmentConfigurationAdmin(admin.ModelAdmin):
    list_display = ("uuid", "customer", "active", "policy_link", "assignments_link", "created")
    list_filter = ("active", "customer")
    list_select_related = ("customer", "policy")
    search_fields = ("=uuid", "customer__name")
    date_hierarchy = "created"
    ordering = ("-created",)
    autocomplete_fields = ("customer",)
    readonly_fields = ("created",)

    @admin.display(description="policy")
    def policy_link(self, configuration) -> str:
        policy = getattr(configuration, "policy", None)
        if policy is None:
            return "-"
        url = reverse("admin:assignments_subsidyaccesspolicy_change", args=[policy.pk])
        return format_html('<a href="{}">{}</a>', url, policy.description or policy.pk)

    @admin.display(description="assignments")
    def assignments_link(self, configuration) -> str:
        url = reverse("admin:assignments_learnercontentassignment_changelist")
        return format_html('<a href="{}?assignment_configuration={}">assignments</a>', url, configuration.pk)


class ActionInline(admin.TabularInline):
    model = LearnerContentAssignmentAction
    extra = 0
    can_delete = False
    fields = readonly_fields = ("action_type", "completed_at", "error_reason", "created")
    ordering = ("created",)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _by_configuration(queryset) -> dict:
    uuids: dict = defaultdict(list)
    for configuration_id, uuid in queryset.values_list("assignment_configuration_id", "uuid"):
        uuids[configuration_id].append(str(uuid))
    configurations = AssignmentConfiguration.objects.in_bulk(list(uuids))
    return {configurations[key]: found for key, found in uuids.items()}


@admin.register(LearnerContentAssignment)
class LearnerContentAssignmentAdmin(RecordsOnly, admin.ModelAdmin):
    list_display = ("uuid", "learner_email", "content_key", "content_title", "state", "price",
                    "assignment_configuration", "allocated_at", "accepted_at", "modified")  # fmt: skip
    list_filter = ("state", "is_assigned_course_run", "assignment_configuration")
    list_select_related = ("assignment_configuration",)
    search_fields = ("learner_email", "content_key", "=uuid")
    search_help_text = "Learner e-mail, content key or uuid (exact)"
    date_hierarchy = "created"
    ordering = ("-created", "uuid")
    show_full_result_count = False
    inlines = [ActionInline]
    actions = ("remind", "cancel", "expire_due")

    @admin.display(description="price", ordering="content_quantity")
    def price(self, assignment) -> str:
        return _cents(-assignment.content_quantity)

    def _apply(self, request, queryset, service, done: str) -> None:
        try:
            with transaction.atomic():  # every configuration's or none
                changed = sum(
                    service(configuration=configuration, assignment_uuids=uuids, actor=request.user)
                    for configuration, uuids in _by_configuration(queryset).items()
                )
        except AssignmentsNotActionableError as exc:
            refused = ", ".join([*exc.not_actionable, *exc.unknown][:10])
            self.message_user(request, f"Nothing was changed: not in a state that allows it: {refused}.",
                              messages.ERROR)  # fmt: skip
            return
        self.message_user(request, done.format(changed), messages.SUCCESS)

    @admin.action(description="Remind the learners of selected assignments (allocated only)", permissions=["operate"])
    def remind(self, request, queryset):
        self._apply(request, queryset, assignments_remind, "Reminded {} learners (one e-mail each).")

    @admin.action(description="Cancel selected assignments (allocated or errored)", permissions=["operate"])
    def cancel(self, request, queryset):
        self._apply(request, queryset, assignments_cancel, "Cancelled {} assignments; their learners are told.")

    @admin.action(description="Expire every assignment now due (not only those selected)", permissions=["operate"])
    def expire_due(self, request, queryset):
        expired = assignments_expire()
        self.message_user(
            request, f"Expired {expired} allocated assignments whose time had passed (all that were due).",
            messages.SUCCESS,
        )  # fmt: skip


@admin.register(RedemptionTransaction)
class RedemptionTransactionAdmin(admin.ModelAdmin):
    list_display = ("uuid", "state", "policy", "lms_user", "content_key", "amount", "reference_id", "reversed_at",
                    "created")  # fmt: skip
    list_filter = ("state", "policy")
    list_select_related = ("policy", "lms_user")
    search_fields = ("=uuid", "content_key", "lms_user__email", "lms_user__username", "reference_id")
    date_hierarchy = "created"
    ordering = ("-created",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="amount", ordering="quantity")
    def amount(self, transaction_row) -> str:
        return _cents(-transaction_row.quantity)
