"""Enterprise customers, their learners and the enrollments made under them, in the admin.

Customers are configuration (the form saves what customer_upsert would). A learner link is made
with ``learner_link`` (which gives an account the customer's learner role) and ended with
``learner_unlink`` (the link stays, inactive, because its enterprise enrollments refer to it): so
"delete" is not offered, the "Unlink" action is. Enterprise enrollments are records of enrollments
made through the APIs: read-only, never deleted.
"""

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.html import format_html

from coursegate.core.admin_mixins import OperateByChangePermission
from coursegate.enterprise.models import EnterpriseCustomer, EnterpriseEnrollment, EnterpriseLearner
from coursegate.enterprise.services import learner_link, learner_unlink


def _count_of(relation: str) -> Coalesce:
    """A correlated COUNT of the outer customer's ``relation`` rows (a reverse relation, so the
    apps above this one need not be imported): one column per count, no join fan-out between
    two counts."""
    counted = EnterpriseCustomer.objects.filter(pk=OuterRef("pk")).order_by().annotate(n=Count(relation)).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _link(admin_url: str, query: str, text: object) -> str:
    return format_html('<a href="{}?{}">{}</a>', reverse(admin_url), query, text)


@admin.register(EnterpriseCustomer)
class EnterpriseCustomerAdmin(admin.ModelAdmin):
    list_display = ("name", "uuid", "slug", "contact_email", "active", "learner_count", "plan_count", "created")
    list_filter = ("active",)
    search_fields = ("name", "slug", "=uuid", "contact_email")
    search_help_text = "Name, slug, uuid (exact) or contact e-mail"
    date_hierarchy = "created"
    ordering = ("name",)
    fields = ("uuid", "name", "slug", "contact_email", "active", "created", "learners_link", "plans_link")
    readonly_fields = ("created", "learners_link", "plans_link")
    prepopulated_fields = {"slug": ("name",)}

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset.annotate(n_learners=_count_of("learners"), n_plans=_count_of("subscription_plans"))

    def get_readonly_fields(self, request, obj=None):
        return (*self.readonly_fields, "uuid") if obj is not None else self.readonly_fields

    @admin.display(description="learners", ordering="n_learners")
    def learner_count(self, customer) -> str:
        return _link("admin:enterprise_enterpriselearner_changelist", f"customer={customer.pk}", customer.n_learners)

    @admin.display(description="plans", ordering="n_plans")
    def plan_count(self, customer) -> str:
        return _link("admin:subscriptions_subscriptionplan_changelist", f"customer={customer.pk}", customer.n_plans)

    @admin.display(description="learners")
    def learners_link(self, customer) -> str:
        if customer.pk is None or not hasattr(customer, "n_learners"):
            return "-"
        return self.learner_count(customer)

    @admin.display(description="subscription plans")
    def plans_link(self, customer) -> str:
        if customer.pk is None or not hasattr(customer, "n_plans"):
            return "-"
        return self.plan_count(customer)


class EnterpriseLearnerAddForm(forms.ModelForm):
    class Meta:
        model = EnterpriseLearner
        fields = ("customer", "email", "user")

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()


@admin.register(EnterpriseLearner)
class EnterpriseLearnerAdmin(OperateByChangePermission, admin.ModelAdmin):
    list_display = ("email", "customer", "user", "active", "created")
    list_filter = ("active", "customer")
    list_select_related = ("customer", "user")
    search_fields = ("email", "user__username")
    date_hierarchy = "created"
    ordering = ("-created", "-id")
    raw_id_fields = ("user",)
    form = EnterpriseLearnerAddForm
    actions = ("unlink",)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        saved = learner_link(customer=obj.customer, email=obj.email, user=obj.user)
        obj.pk = saved.pk

    @admin.action(description="Unlink selected learners (their learner role is revoked)", permissions=["operate"])
    def unlink(self, request, queryset):
        rows = list(queryset.select_related("customer").values_list("customer_id", "email"))
        customers = EnterpriseCustomer.objects.in_bulk({customer_id for customer_id, _ in rows})
        with transaction.atomic():
            ended = sum(learner_unlink(customer=customers[customer_id], email=email) for customer_id, email in rows)
        self.message_user(request, f"Unlinked {ended} learners; {len(rows) - ended} were already inactive.",
                          messages.SUCCESS)  # fmt: skip


@admin.register(EnterpriseEnrollment)
class EnterpriseEnrollmentAdmin(admin.ModelAdmin):
    list_display = ("id", "customer", "learner_email", "course_run", "source", "progress_status", "has_passed",
                    "current_grade", "last_activity_date", "created")  # fmt: skip
    list_filter = ("progress_status", "has_passed", "source", "customer")
    list_select_related = ("customer", "learner", "enrollment__course_run")
    search_fields = ("learner__email", "enrollment__course_run__key", "=license_uuid")
    search_help_text = "Learner e-mail, course run key or license uuid (exact)"
    date_hierarchy = "created"
    ordering = ("-created", "-id")
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="learner", ordering="learner__email")
    def learner_email(self, row) -> str:
        return row.learner.email

    @admin.display(description="course run", ordering="enrollment__course_run__key")
    def course_run(self, row) -> str:
        return row.enrollment.course_run.key
