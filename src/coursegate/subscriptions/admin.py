"""Subscription plans and licenses in the admin.

A plan is saved through ``plan_upsert``, which tops its licenses up to the number asked; its page
shows the licenses by status (one aggregate query) and links to them. Plans are never deleted
(their licenses are the customer's history): deactivate one instead. Licenses change only through
the license services: read-only here, with the chores as actions ("Revoke" calls
``licenses_bulk_revoke``, "Remind" calls ``licenses_remind``; "Remind all pending" on plans calls
``licenses_remind_all``), and never deleted.
"""

from collections import defaultdict

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from coursegate.core.admin_mixins import OperateByChangePermission, RecordsOnly
from coursegate.subscriptions.exceptions import LicenseRevocationFailure, NoPendingLicensesError
from coursegate.subscriptions.models import License, SubscriptionPlan, SubscriptionPlanRenewal
from coursegate.subscriptions.reminders import licenses_remind, licenses_remind_all
from coursegate.subscriptions.selectors import LIVE_STATUSES, license_counts_for_plans, revocations_for
from coursegate.subscriptions.services import licenses_bulk_revoke, plan_upsert

# Licenses an admin form may create at once; more go through `coursegate import licenses`.
MAX_LICENSES_FROM_THE_ADMIN = 100_000


class SubscriptionPlanForm(forms.ModelForm):
    num_licenses = forms.IntegerField(
        min_value=0,
        max_value=MAX_LICENSES_FROM_THE_ADMIN,
        required=False,
        help_text="Licenses the plan holds (not counting revoked ones): new unassigned licenses are added up to "
        "this number; a lower number removes none. Empty on an existing plan: unchanged.",
    )

    class Meta:
        model = SubscriptionPlan
        fields = ("uuid", "title", "customer", "catalog", "start_date", "expiration_date", "is_active", "plan_type",
                  "is_revocation_cap_enabled", "revoke_max_percentage", "should_auto_apply_licenses",
                  "salesforce_opportunity_line_item")  # fmt: skip

    def clean(self):
        cleaned = super().clean()
        catalog, customer = cleaned.get("catalog"), cleaned.get("customer")
        if catalog is not None and customer is not None and catalog.customer_id != customer.pk:
            self.add_error("catalog", "This catalog belongs to another customer.")
        start, end = cleaned.get("start_date"), cleaned.get("expiration_date")
        if start is not None and end is not None and start > end:
            self.add_error("expiration_date", "The plan must expire after it starts.")
        if self.instance._state.adding and cleaned.get("num_licenses") is None and "num_licenses" not in self.errors:
            self.add_error("num_licenses", "How many licenses the new plan holds.")
        return cleaned


@admin.register(SubscriptionPlan)
class SubscriptionPlanAdmin(OperateByChangePermission, admin.ModelAdmin):
    form = SubscriptionPlanForm
    list_display = ("title", "uuid", "customer", "start_date", "expiration_date", "is_active", "plan_type",
                    "licenses_link")  # fmt: skip
    list_filter = ("is_active", "plan_type", "customer")
    list_select_related = ("customer",)
    search_fields = ("title", "=uuid", "customer__name", "salesforce_opportunity_line_item")
    search_help_text = "Title, uuid (exact), customer name or Salesforce line item"
    date_hierarchy = "start_date"
    ordering = ("-start_date", "title")
    autocomplete_fields = ("customer", "catalog")
    actions = ("remind_all_pending",)
    fieldsets = (
        (None, {"fields": ("uuid", "title", "customer", "catalog", "start_date", "expiration_date", "is_active",
                           "plan_type", "salesforce_opportunity_line_item")}),
        ("Licenses", {"fields": ("num_licenses", "license_counts")}),
        ("Revocations", {"fields": ("is_revocation_cap_enabled", "revoke_max_percentage", "num_revocations_applied")}),
        ("Other", {"fields": ("should_auto_apply_licenses", "is_locked_for_renewal_processing", "created")}),
    )  # fmt: skip
    readonly_fields = ("license_counts", "num_revocations_applied", "is_locked_for_renewal_processing", "created")

    def get_readonly_fields(self, request, obj=None):
        return (*self.readonly_fields, "uuid") if obj is not None else self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        wanted = data.get("num_licenses")
        if wanted is None:  # an existing plan, licenses left as they are
            wanted = 0
        fields = {name: data[name] for name in SubscriptionPlanForm.Meta.fields if name in data}
        for name in ("uuid", "customer", "catalog", "title", "start_date", "expiration_date"):
            fields.pop(name, None)
        saved = plan_upsert(
            uuid=obj.uuid, customer=obj.customer, catalog=obj.catalog, title=obj.title, start_date=obj.start_date,
            expiration_date=obj.expiration_date, num_licenses=wanted, **fields,
        )  # fmt: skip
        obj.pk = saved.pk
        obj._state.adding = False

    @admin.display(description="licenses")
    def licenses_link(self, plan) -> str:
        url = reverse("admin:subscriptions_license_changelist")
        return format_html('<a href="{}?plan={}">licenses</a>', url, plan.pk)

    @admin.display(description="licenses by status")
    def license_counts(self, plan) -> str:
        if plan.pk is None or plan._state.adding:
            return "-"
        counts = license_counts_for_plans([plan.pk])[plan.pk]
        url = reverse("admin:subscriptions_license_changelist")
        rows = [(status, getattr(counts, status)) for status in ("unassigned", "assigned", "activated", "revoked")]
        cap = revocations_for(plan, counts)
        table = format_html_join(
            "", '<tr><th><a href="{}?plan={}&amp;status={}">{}</a></th><td class="cg-count-{}">{}</td></tr>',
            ((url, plan.pk, status, status, status, n) for status, n in rows),
        )  # fmt: skip
        capped = (
            format_html("<p>Revocation cap: {} of {} used, {} left.</p>", cap.used, cap.total, cap.remaining)
            if cap is not None
            else ""
        )
        return format_html(
            '<table id="cg-license-counts">{}<tr><th>total (not revoked)</th><td class="cg-count-total">{}</td></tr>'
            "</table>{}",
            table, counts.total, capped,
        )  # fmt: skip

    @admin.action(description="Remind every learner with a pending license (selected plans)", permissions=["operate"])
    def remind_all_pending(self, request, queryset):
        reminded = 0
        with transaction.atomic():
            for plan in queryset:
                try:
                    reminded += licenses_remind_all(plan=plan, actor=request.user)
                except NoPendingLicensesError:
                    continue
        self.message_user(request, f"Reminded {reminded} learners with a pending license.", messages.SUCCESS)


@admin.register(SubscriptionPlanRenewal)
class SubscriptionPlanRenewalAdmin(admin.ModelAdmin):
    list_display = ("id", "prior_plan", "renewed_plan", "effective_date")
    list_select_related = ("prior_plan", "renewed_plan")
    search_fields = ("prior_plan__title", "renewed_plan__title", "=prior_plan__uuid", "=renewed_plan__uuid")
    date_hierarchy = "effective_date"
    ordering = ("-effective_date",)
    autocomplete_fields = ("prior_plan", "renewed_plan")


def _by_plan(queryset, statuses) -> dict:
    """{plan: [e-mail, ...]} of the selected licenses in ``statuses`` (two queries)."""
    emails: dict = defaultdict(list)
    for plan_id, email in queryset.filter(status__in=statuses).values_list("plan_id", "user_email"):
        emails[plan_id].append(email)
    plans = SubscriptionPlan.objects.in_bulk(list(emails))
    return {plans[plan_id]: found for plan_id, found in emails.items()}


@admin.register(License)
class LicenseAdmin(RecordsOnly, admin.ModelAdmin):
    list_display = ("uuid", "plan", "status", "user_email", "lms_user", "assigned_date", "activation_date",
                    "last_remind_date", "revoked_date")  # fmt: skip
    list_filter = ("status", "plan")
    list_select_related = ("plan", "lms_user")
    search_fields = ("user_email", "=uuid", "=activation_key")
    search_help_text = "E-mail, license uuid or activation key (exact)"
    date_hierarchy = "created"
    ordering = ("-created", "uuid")
    show_full_result_count = False
    actions = ("revoke", "remind")

    @admin.action(description="Revoke selected licenses (assigned or activated)", permissions=["operate"])
    def revoke(self, request, queryset):
        selected = queryset.count()
        try:
            with transaction.atomic():  # every plan's revocations or none
                revoked = sum(
                    len(licenses_bulk_revoke(plan=plan, user_emails=emails, actor=request.user))
                    for plan, emails in _by_plan(queryset, LIVE_STATUSES).items()
                )
        except LicenseRevocationFailure as exc:
            self.message_user(request, f"Nothing was revoked: {exc}", messages.ERROR)
            return
        self.message_user(
            request,
            f"Revoked {revoked} licenses, each replaced by an unassigned one; "
            f"{selected - revoked} of those selected were not assigned or activated.",
            messages.SUCCESS,
        )

    @admin.action(description="Remind the learners of selected licenses (pending activation)", permissions=["operate"])
    def remind(self, request, queryset):
        selected = queryset.count()
        with transaction.atomic():
            reminded = sum(
                licenses_remind(plan=plan, user_emails=emails, actor=request.user)
                for plan, emails in _by_plan(queryset, [License.Status.ASSIGNED]).items()
            )
        self.message_user(
            request,
            f"Reminded {reminded} learners (one e-mail each); {selected - reminded} of those selected were not "
            "pending activation.",
            messages.SUCCESS,
        )
