"""Routes of the edX Enterprise API, mounted at /enterprise/. Trailing slashes are optional
(the Postman collection uses both forms)."""

from django.urls import re_path

from coursegate.api.enterprise.views import (
    assignments,
    catalogs,
    contains,
    jobs,
    learner,
    learner_summary,
    plan_licenses,
    redemption,
    subscriptions,
)

CATALOG = r"v2/enterprise-catalogs/(?P<catalog_uuid>[^/]+)"

PLAN_LICENSES = r"v1/subscriptions/(?P<plan_uuid>[^/]+)/licenses"

CONFIGURATION = r"v1/assignment-configurations/(?P<configuration_uuid>[^/]+)/admin/assignments"

urlpatterns = [
    re_path(
        r"^v1/policy-allocation/(?P<policy_uuid>[^/]+)/allocate/?$",
        assignments.PolicyAllocateView.as_view(),
        name="enterprise-policy-allocate",
    ),
    re_path(
        rf"^{CONFIGURATION}/remind/?$",
        assignments.AssignmentsRemindView.as_view(),
        name="enterprise-assignments-remind",
    ),
    re_path(
        rf"^{CONFIGURATION}/cancel/?$",
        assignments.AssignmentsCancelView.as_view(),
        name="enterprise-assignments-cancel",
    ),
    re_path(
        rf"^{CONFIGURATION}/remind-all/?$",
        assignments.AssignmentsRemindAllView.as_view(),
        name="enterprise-assignments-remind-all",
    ),
    re_path(
        rf"^{CONFIGURATION}/cancel-all/?$",
        assignments.AssignmentsCancelAllView.as_view(),
        name="enterprise-assignments-cancel-all",
    ),
    re_path(rf"^{CONFIGURATION}/?$", assignments.AssignmentsListView.as_view(), name="enterprise-assignments-list"),
    re_path(
        r"^v1/policy-redemption/credits_available/?$",
        redemption.CreditsAvailableView.as_view(),
        name="enterprise-policy-credits-available",
    ),
    re_path(
        r"^v1/policy-redemption/enterprise-customer/(?P<customer_uuid>[^/]+)/can-redeem/?$",
        redemption.CanRedeemView.as_view(),
        name="enterprise-policy-can-redeem",
    ),
    re_path(
        r"^v1/policy-redemption/(?P<policy_uuid>[^/]+)/redeem/?$",
        redemption.PolicyRedeemView.as_view(),
        name="enterprise-policy-redeem",
    ),
    re_path(r"^v2/enterprise-catalogs/?$", catalogs.CatalogListView.as_view(), name="enterprise-catalog-list"),
    re_path(rf"^{CATALOG}/?$", catalogs.CatalogDetailView.as_view(), name="enterprise-catalog-detail"),
    re_path(
        rf"^{CATALOG}/contains_content_items/?$",
        contains.CatalogContainsView.as_view(),
        name="enterprise-catalog-contains",
    ),
    re_path(
        r"^v2/enterprise-customer/(?P<customer_uuid>[^/]+)/contains_content_items/?$",
        contains.CustomerContainsView.as_view(),
        name="enterprise-customer-contains",
    ),
    re_path(
        rf"^{CATALOG}/courses/(?P<course_key>[^/]+?)/?$",
        catalogs.CatalogCourseView.as_view(),
        name="enterprise-catalog-course",
    ),
    re_path(
        rf"^{CATALOG}/course-runs/(?P<course_run_id>.+?)/?$",
        catalogs.CatalogCourseRunView.as_view(),
        name="enterprise-catalog-course-run",
    ),
    re_path(
        rf"^{CATALOG}/programs/(?P<program_id>[^/]+?)/?$",
        catalogs.CatalogProgramView.as_view(),
        name="enterprise-catalog-program",
    ),
    re_path(r"^v1/subscriptions/?$", subscriptions.SubscriptionListView.as_view(), name="enterprise-subscriptions"),
    re_path(
        r"^v1/subscriptions/(?P<plan_uuid>[^/]+)/licenses/assign/?$",
        subscriptions.LicenseAssignView.as_view(),
        name="enterprise-licenses-assign",
    ),
    re_path(
        r"^v1/subscriptions/(?P<plan_uuid>[^/]+)/licenses/bulk-revoke/?$",
        subscriptions.LicenseBulkRevokeView.as_view(),
        name="enterprise-licenses-bulk-revoke",
    ),
    re_path(rf"^{PLAN_LICENSES}/?$", plan_licenses.PlanLicenseListView.as_view(), name="enterprise-plan-licenses"),
    re_path(
        rf"^{PLAN_LICENSES}/overview/?$",
        plan_licenses.PlanLicenseOverviewView.as_view(),
        name="enterprise-plan-licenses-overview",
    ),
    re_path(
        rf"^{PLAN_LICENSES}/csv/?$", plan_licenses.PlanLicenseCsvView.as_view(), name="enterprise-plan-licenses-csv"
    ),
    re_path(
        rf"^{PLAN_LICENSES}/remind/?$",
        plan_licenses.PlanLicenseRemindView.as_view(),
        name="enterprise-plan-licenses-remind",
    ),
    re_path(
        rf"^{PLAN_LICENSES}/remind-all/?$",
        plan_licenses.PlanLicenseRemindAllView.as_view(),
        name="enterprise-plan-licenses-remind-all",
    ),
    re_path(
        rf"^{PLAN_LICENSES}/revoke-all/?$",
        plan_licenses.PlanLicenseRevokeAllView.as_view(),
        name="enterprise-plan-licenses-revoke-all",
    ),
    re_path(
        r"^v1/license-activation/?$", learner.LicenseActivationView.as_view(), name="enterprise-license-activation"
    ),
    re_path(r"^v1/learner-licenses/?$", learner.LearnerLicensesView.as_view(), name="enterprise-learner-licenses"),
    re_path(
        r"^v1/bulk-license-enrollment/?$",
        jobs.BulkLicenseEnrollmentView.as_view(),
        name="enterprise-bulk-license-enrollment",
    ),
    re_path(
        r"^v3/enterprise-customer/(?P<customer_uuid>[^/]+)/learner-summary/?$",
        learner_summary.LearnerSummaryView.as_view(),
        name="enterprise-learner-summary",
    ),
]
