"""Open edX Enrollment API, /api/enrollment/v1/ (seed 002_35891fd6b34b3058.txt).

Behaviour the seed leaves out follows reference/edx_appsembler.md §1 as ARCHITECTURE.md fixes it:
a repeated POST answers 200 with the existing enrollment; a learner asking for or enrolling
another user gets 404 with an empty body; a learner asking for a mode other than audit/honor
gets 403; staff naming an unknown user gets 406; GET of a missing enrollment answers 200 with
``null``; course details are public. Every error body is ``{"message": ...}`` except the
authentication ones, which are the seeds' ``{"detail": ...}``.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.pagination import CursorPagination
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from coursegate.accounts.selectors import user_get_by_email, user_get_by_username
from coursegate.api.edx_enrollment import errors
from coursegate.api.edx_enrollment.serializers import (
    CourseDetailsOutput,
    EnrollmentCreateInput,
    EnrollmentListItemOutput,
    EnrollmentOutput,
    EnrollmentPostError,
    parse_enrollment_flags,
    parse_enrollment_post,
)
from coursegate.core.course_keys import InvalidKeyError, is_course_run_key, parse_course_run_key
from coursegate.core.parsers import LenientJSONParser
from coursegate.core.permissions import IsStaff
from coursegate.core.roles import Role
from coursegate.core.throttling import EnrollmentAnonThrottle, EnrollmentUserThrottle
from coursegate.courses.selectors import course_run_get
from coursegate.enrollments.models import Source
from coursegate.enrollments.selectors import enrollment_get, enrollments_filtered, enrollments_for_user
from coursegate.enrollments.services import enrollment_upsert

# Open edX lets learners pick these modes themselves; any other mode needs staff.
SELF_SERVICE_MODES = {"audit", "honor"}
MAX_USERNAMES = 100


def _empty_404() -> HttpResponse:
    # Contract: not 403, so that another user's enrollments are not revealed (OX-V).
    return HttpResponse(status=404)


class EdxApiView(APIView):
    permission_classes = [IsAuthenticated]
    throttle_classes = [EnrollmentUserThrottle]
    parser_classes = [LenientJSONParser, FormParser, MultiPartParser]

    def get_exception_handler(self):
        return errors.exception_handler


class EnrollmentView(EdxApiView):
    """GET /enrollment/{username},{course_id} (and, through OwnEnrollmentView, /enrollment/{course_id}).

    200 with the enrollment, active or not; 200 ``null`` when there is none; 404 with an empty body
    when a learner asks for someone else; 400 for a malformed course id.
    """

    @extend_schema(
        operation_id="enrollment_get_for_user",
        responses={
            200: EnrollmentOutput,
            400: OpenApiResponse(description='{"message": ...}'),
            401: OpenApiResponse(description="No or invalid token"),
            404: OpenApiResponse(description="Another user's enrollment (empty body)"),
        },
    )
    def get(self, request, course_id: str, username: str | None = None):
        return self.enrollment_response(request, course_id, username)

    def enrollment_response(self, request, course_id: str, username: str | None):
        username = username or request.user.username
        if username != request.user.username and not request.user.is_staff:
            return _empty_404()
        if not is_course_run_key(course_id):
            return Response({"message": f"'{course_id}' is not a valid course run id."}, status=400)
        enrollment = enrollment_get(username=username, course_run_key=course_id)
        if enrollment is None:
            return Response(None)
        return Response(EnrollmentOutput(enrollment, context={"now": timezone.now()}).data)


class OwnEnrollmentView(EnrollmentView):
    """GET /enrollment/{course_id}: the caller's own enrollment (200 ``null`` when none)."""

    @extend_schema(operation_id="enrollment_get_own", responses={200: EnrollmentOutput})
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
        parameters=[
            OpenApiParameter("include_expired", OpenApiTypes.BOOL, description="Also list expired modes (1/true)")
        ],
        responses={200: CourseDetailsOutput, 400: OpenApiResponse(description="Unknown course")},
    )
    def get(self, request, course_id: str):
        run = course_run_get(course_id) if is_course_run_key(course_id) else None
        if run is None:
            return Response({"message": f"No course found for course ID '{course_id}'"}, status=400)
        include_expired = request.query_params.get("include_expired", "").strip().lower() in {"1", "true", "yes"}
        context = {"now": timezone.now(), "include_expired": include_expired}
        return Response(CourseDetailsOutput(run, context=context).data)


class EnrollmentListView(EdxApiView):
    """GET /enrollment[?user=<username>]: active enrollments, oldest first.
    POST /enrollment: enroll (yourself, or anyone as staff), change mode, unenroll (staff).

    POST answers 200 with the enrollment, including when it already existed; 400 for a missing or
    unknown course, an unavailable mode, a closed or full run; 403 for a paid mode asked by a
    learner; 404 (empty) when a learner names another user; 406 for an unknown user.
    """

    @extend_schema(
        operation_id="enrollment_list",
        parameters=[OpenApiParameter("user", str, description="Username (default: you)")],
        responses={200: EnrollmentOutput(many=True)},
    )
    def get(self, request):
        username = request.query_params.get("user") or request.user.username
        visible_runs = None
        if username != request.user.username and not request.user.is_staff:
            # Contract: filtered to the runs the caller is course staff of, not refused.
            prefix = f"{Role.COURSE_STAFF}:"
            visible_runs = {role[len(prefix) :] for role in request.auth.roles if role.startswith(prefix)}
            if "*" in visible_runs:  # course staff of every run
                visible_runs = None
        enrollments = enrollments_for_user(username=username, course_run_keys=visible_runs)
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
        data = request.data
        post = parse_enrollment_post(data)
        try:
            parse_course_run_key(post.course_id)
        except InvalidKeyError:
            raise EnrollmentPostError(400, {"message": f"No course '{post.course_id}' found for enrollment"}) from None

        privileged = request.user.is_staff
        if post.username and post.username != request.user.username and not privileged:
            return _empty_404()
        if not post.username and post.email and not privileged:
            return _empty_404()
        if post.mode and post.mode not in SELF_SERVICE_MODES and not privileged:
            return Response(
                {"message": f"User does not have permission to create enrollment with mode [{post.mode}]."},
                status=403,
            )
        if post.username or not post.email:
            username = post.username or request.user.username
            user = user_get_by_username(username)
            if user is None:
                return Response({"message": f"The user {username} does not exist."}, status=406)
        else:
            user = user_get_by_email(post.email)
            if user is None:
                return Response(
                    {"message": f"The user with the email address {post.email} does not exist."}, status=406
                )
        is_active, force = parse_enrollment_flags(data)

        run = course_run_get(post.course_id)
        if run is None:
            return Response({"message": f"No course '{post.course_id}' found for enrollment"}, status=400)
        result = enrollment_upsert(
            user=user,
            course_run=run,
            mode=post.mode,
            is_active=is_active,
            actor=request.user if getattr(request.user, "pk", None) else None,
            source=Source.EDX_API,
            privileged=privileged,
            force=force and privileged,
        )
        enrollment = result.enrollment
        enrollment.user, enrollment.course_run = user, run  # already loaded: no re-query to render
        return Response(EnrollmentOutput(enrollment, context={"now": timezone.now()}).data)


class EnrollmentsCursorPagination(CursorPagination):
    page_size = 100
    ordering = ("-created", "-id")


class EnrollmentsStaffListView(EdxApiView):
    """GET /enrollments?course_id=&username=a,b&email=x,y — staff only, every enrollment (active or
    not), cursor-paginated ``{"next", "previous", "results"}``. Bad filters: 400 ``field_errors``."""

    permission_classes = [IsStaff]
    pagination_class = EnrollmentsCursorPagination

    @extend_schema(
        operation_id="enrollments_staff_list",
        parameters=[
            OpenApiParameter("course_id", str),
            OpenApiParameter("username", str, description="Comma-separated, at most 100"),
            OpenApiParameter("email", str, description="Comma-separated"),
            OpenApiParameter("cursor", str),
        ],
        responses={200: EnrollmentListItemOutput(many=True)},
    )
    def get(self, request):
        params = request.query_params
        course_id = params.get("course_id") or None
        usernames = [u.strip() for u in params.get("username", "").split(",") if u.strip()]
        emails = [e.strip() for e in params.get("email", "").split(",") if e.strip()]
        field_errors = {}
        if course_id and not is_course_run_key(course_id):
            field_errors["course_id"] = {"developer_message": f"'{course_id}' is not a valid course id."}
        if len(usernames) > MAX_USERNAMES:
            field_errors["username"] = {
                "developer_message": f"Too many usernames in a single request - {len(usernames)}. "
                f"A maximum of {MAX_USERNAMES} is allowed"
            }
        if field_errors:
            return Response({"field_errors": field_errors}, status=400)
        queryset = enrollments_filtered(course_run_key=course_id, usernames=usernames, emails=emails)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(queryset, request, view=self)
        return paginator.get_paginated_response(EnrollmentListItemOutput(page, many=True).data)
