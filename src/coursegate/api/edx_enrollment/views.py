"""Open edX Enrollment API, /api/enrollment/v1/ (seed 002_35891fd6b34b3058.txt).

Behaviour the seed leaves out follows reference/edx_appsembler.md §1 as ARCHITECTURE.md fixes it:
a repeated POST answers 200 with the existing enrollment; a learner asking for or enrolling
another user gets 404 with an empty body; a learner asking for a mode other than audit/honor
gets 403; staff naming an unknown user gets 406; GET of a missing enrollment answers 200 with
``null``; course details are public. Every error body is ``{"message": ...}`` except the
authentication ones, which are the seeds' ``{"detail": ...}``. Errors: errors.ERRORS;
who may do what: permissions.py; parsing and shapes: serializers.py.
"""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from coursegate.accounts.models import User
from coursegate.accounts.selectors import user_get_by_email, user_get_by_username
from coursegate.api.edx_enrollment.errors import (
    ERRORS,
    CourseNotFoundError,
    EmailNotFoundError,
    EnrollmentCourseNotFoundError,
    UserNotFoundError,
    request_error,
)
from coursegate.api.edx_enrollment.permissions import (
    ActsForThemselvesUnlessStaff,
    ChoosesFreeModesUnlessStaff,
    acts_as_staff,
    visible_course_runs,
)
from coursegate.api.edx_enrollment.serializers import (
    CourseDetailsOutput,
    CourseDetailsQueryInput,
    EnrollmentCreateInput,
    EnrollmentListItemOutput,
    EnrollmentListQueryInput,
    EnrollmentOutput,
    EnrollmentPathInput,
    EnrollmentsStaffQueryInput,
    EnrollmentTargetInput,
)
from coursegate.core.api import FamilyApiView
from coursegate.core.course_keys import is_course_run_key
from coursegate.core.parsers import StrictFormParser, StrictMultiPartParser, TypographicQuotesJSONParser
from coursegate.core.permissions import IsStaff
from coursegate.core.serializers import parse
from coursegate.core.throttling import EnrollmentAnonThrottle, EnrollmentUserThrottle
from coursegate.courses.selectors import course_run_get
from coursegate.enrollments.models import Source
from coursegate.enrollments.selectors import enrollment_get, enrollments_filtered, enrollments_for_user
from coursegate.enrollments.services import enrollment_upsert

# Contract (reference §1.3): no enrollment is a 200 whose body is JSON null.
ENROLLMENT_OR_NULL = OpenApiResponse(
    response={"nullable": True, "allOf": [{"$ref": "#/components/schemas/EnrollmentOutput"}]},
    description="The enrollment, active or not; `null` when the user has none in this course run.",
)


class EdxApiView(FamilyApiView):
    permission_classes = [IsAuthenticated]
    throttle_classes = [EnrollmentUserThrottle]
    error_table = ERRORS
    error_fallback = request_error


class EnrollmentView(EdxApiView):
    """GET /enrollment/{username},{course_id} (and, through OwnEnrollmentView, /enrollment/{course_id}).

    200 with the enrollment, active or not; 200 ``null`` when there is none; 404 with an empty body
    when a learner asks for someone else; 400 for a malformed course id.
    """

    permission_classes = [ActsForThemselvesUnlessStaff]

    @extend_schema(
        operation_id="enrollment_get_for_user",
        responses={
            200: ENROLLMENT_OR_NULL,
            400: OpenApiResponse(description='{"message": ...}'),
            401: OpenApiResponse(description="No or invalid token"),
            404: OpenApiResponse(description="Another user's enrollment (empty body)"),
        },
    )
    def get(self, request, course_id: str, username: str | None = None):
        return self.enrollment_response(request, course_id, username)

    def enrollment_response(self, request, course_id: str, username: str | None):
        username = username or request.user.username
        self.check_object_permissions(request, {"user": username})
        course_id = parse(EnrollmentPathInput, {"course_id": course_id})["course_id"]
        enrollment = enrollment_get(username=username, course_run_key=course_id)
        if enrollment is None:
            return Response(None)
        return Response(EnrollmentOutput(enrollment, context={"now": timezone.now()}).data)


class OwnEnrollmentView(EnrollmentView):
    """GET /enrollment/{course_id}: the caller's own enrollment (200 ``null`` when none)."""

    @extend_schema(operation_id="enrollment_get_own", responses={200: ENROLLMENT_OR_NULL})
    def get(self, request, course_id: str):
        return self.enrollment_response(request, course_id, None)


class EnrollmentCourseDetailView(EdxApiView):
    """GET /course/{course_id}[?include_expired=1] — public: the run's dates and modes.

    400 ``{"message": "No course found for course ID '<id>'"}`` for an unknown or malformed id.
    """

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [EnrollmentAnonThrottle]

    @extend_schema(
        operation_id="enrollment_course_detail",
        auth=[],
        parameters=[CourseDetailsQueryInput],
        responses={200: CourseDetailsOutput, 400: OpenApiResponse(description="Unknown course")},
    )
    def get(self, request, course_id: str):
        run = course_run_get(course_id) if is_course_run_key(course_id) else None
        if run is None:
            raise CourseNotFoundError(course_id)
        query = parse(CourseDetailsQueryInput, request.query_params)
        context = {"now": timezone.now(), "include_expired": query["include_expired"]}
        return Response(CourseDetailsOutput(run, context=context).data)


class EnrollmentListView(EdxApiView):
    """GET /enrollment[?user=<username>]: active enrollments, oldest first.
    POST /enrollment: enroll (yourself, or anyone as staff), change mode, unenroll (staff).

    POST answers 200 with the enrollment, including when it already existed; 400 for a missing or
    unknown course, an unavailable mode, a closed or full run; 403 for a paid mode asked by a
    learner; 404 (empty) when a learner names another user; 406 for an unknown user.
    """

    permission_classes = [ActsForThemselvesUnlessStaff, ChoosesFreeModesUnlessStaff]
    # Contract (seed 002): its POST example is printed with typographic quotes.
    parser_classes = [TypographicQuotesJSONParser, StrictFormParser, StrictMultiPartParser]

    @extend_schema(
        operation_id="enrollment_list",
        parameters=[EnrollmentListQueryInput],
        responses={200: EnrollmentOutput(many=True)},
    )
    def get(self, request):
        username = parse(EnrollmentListQueryInput, request.query_params)["user"] or request.user.username
        enrollments = enrollments_for_user(
            username=username, course_run_keys=visible_course_runs(request, username), user=request.user
        )
        return Response(EnrollmentOutput(enrollments, many=True, context={"now": timezone.now()}).data)

    @extend_schema(
        operation_id="enrollment_create",
        request=EnrollmentCreateInput,
        responses={
            200: EnrollmentOutput,
            400: OpenApiResponse(description='{"message": ...}'),
            403: OpenApiResponse(description="Mode needs staff"),
            404: OpenApiResponse(description="Another user named by a learner (empty body)"),
            406: OpenApiResponse(description="Unknown user"),
        },
    )
    def post(self, request):
        # The reference's order of checks (§1.6): the course id, who may act for whom and in which
        # mode, whether the user exists, then the flags, then whether the course exists.
        target = parse(EnrollmentTargetInput, request.data)
        self.check_object_permissions(request, target)
        user = _enrollee(request, target)
        data = parse(EnrollmentCreateInput, request.data)
        run = course_run_get(data["course_id"])
        if run is None:
            raise EnrollmentCourseNotFoundError(data["course_id"])
        privileged = acts_as_staff(request)
        result = enrollment_upsert(
            user=user,
            course_run=run,
            mode=data["mode"],
            is_active=data["is_active"],
            actor=request.user if getattr(request.user, "pk", None) else None,
            source=Source.EDX_API,
            privileged=privileged,
            force=data["force_enrollment"] and privileged,
        )
        enrollment = result.enrollment
        enrollment.user, enrollment.course_run = user, run  # already loaded: no re-query to render
        return Response(EnrollmentOutput(enrollment, context={"now": timezone.now()}).data)


def _enrollee(request, target: dict) -> User:
    """The account a POST names: ``user``, else ``email``, else the caller (§1.6 steps 4 and 6)."""
    username, email = target["user"], target["email"]
    if username or not email:
        username = username or request.user.username
        user = user_get_by_username(username)
        if user is None:
            raise UserNotFoundError(username)
        return user
    user = user_get_by_email(email)
    if user is None:
        raise EmailNotFoundError(email)
    return user


class EnrollmentsCursorPagination(CursorPagination):
    page_size = 100
    ordering = ("-created", "-id")


class EnrollmentsStaffListView(EdxApiView):
    """GET /enrollments?course_id=&course_ids=a,b&username=a,b&email=x,y — staff only, every
    enrollment (active or not) matching all the filters given, cursor-paginated ``{"next",
    "previous", "results"}``. Bad filters: 400 ``field_errors``, one entry per bad field."""

    permission_classes = [IsStaff]
    pagination_class = EnrollmentsCursorPagination

    @extend_schema(
        operation_id="enrollments_staff_list",
        parameters=[EnrollmentsStaffQueryInput, OpenApiParameter("cursor", str)],
        responses={200: EnrollmentListItemOutput(many=True)},
    )
    def get(self, request):
        query = parse(EnrollmentsStaffQueryInput, request.query_params)
        queryset = enrollments_filtered(
            course_run_key=query["course_id"],
            course_run_keys_like=query["course_ids"],
            usernames=query["username"],
            emails=query["email"],
        )
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(queryset, request, view=self)
        return paginator.get_paginated_response(EnrollmentListItemOutput(page, many=True).data)
