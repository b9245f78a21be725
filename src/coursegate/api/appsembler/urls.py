"""Routes of the Appsembler API, mounted at /appsembler_api/v0/ (no trailing slashes, as the seed)."""

from django.urls import re_path

from coursegate.api.appsembler import views

urlpatterns = [
    re_path(r"^accounts/create/?$", views.AccountCreateView.as_view(), name="appsembler-account-create"),
    re_path(
        r"^accounts/get-user/(?P<username>[\w.+-]+)/?$", views.AccountGetView.as_view(), name="appsembler-account-get"
    ),
    re_path(r"^enrollment-codes/generate/?$", views.CodesGenerateView.as_view(), name="appsembler-codes-generate"),
    re_path(r"^enrollment-codes/enroll-user/?$", views.CodeEnrollUserView.as_view(), name="appsembler-codes-enroll"),
    re_path(r"^enrollment-codes/status/?$", views.CodeStatusView.as_view(), name="appsembler-codes-status"),
    re_path(r"^bulk-enrollment/bulk-enroll/?$", views.BulkEnrollView.as_view(), name="appsembler-bulk-enroll"),
    re_path(r"^analytics/accounts/batch/?$", views.AccountsBatchView.as_view(), name="appsembler-accounts-batch"),
    re_path(r"^analytics/enrollment/batch/?$", views.EnrollmentBatchView.as_view(), name="appsembler-enrollment-batch"),
]
