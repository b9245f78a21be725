"""Routes of the Open edX Enrollment API, mounted at /api/enrollment/v1/.

Course ids in paths may be ``course-v1:Org+Course+Run`` or the legacy ``Org/Course/Run`` (with
its slashes); the views decide whether the key is well-formed. Usernames follow Open edX's
USERNAME_PATTERN (no comma, so ``{username},{course_id}`` splits unambiguously).
"""

from django.urls import re_path

from coursegate.api.edx_enrollment import views

USERNAME = r"(?P<username>[\w .@+-]+)"
COURSE_ID = r"(?P<course_id>[^,]+?)/?"  # a trailing slash is tolerated, not part of the id

urlpatterns = [
    re_path(rf"^enrollment/{USERNAME},{COURSE_ID}$", views.EnrollmentView.as_view(), name="edx-enrollment-user"),
    re_path(r"^enrollment/?$", views.EnrollmentListView.as_view(), name="edx-enrollment-list"),
    re_path(rf"^enrollment/{COURSE_ID}$", views.OwnEnrollmentView.as_view(), name="edx-enrollment-self"),
    re_path(r"^enrollments/?$", views.EnrollmentsStaffListView.as_view(), name="edx-enrollments-staff"),
    re_path(rf"^course/{COURSE_ID}$", views.EnrollmentCourseDetailView.as_view(), name="edx-course-detail"),
]
