"""Routes of the Jitterbit analytics API, mounted at /api/jitterbit/v1/."""

from django.urls import re_path

from coursegate.api.jitterbit import views

urlpatterns = [
    re_path(r"^accounts/batch/?$", views.AccountsBatchView.as_view(), name="jitterbit-accounts-batch"),
    re_path(r"^enrollment/batch/?$", views.EnrollmentBatchView.as_view(), name="jitterbit-enrollment-batch"),
]
