"""Enterprise API — subsidy access policy allocation and assignment administration
(seed 003 "policy-allocation", "assignment-configurations remind/cancel"; reference §4.1–4.4).

Admins of the policy's (configuration's) customer and operators only. Unknown policy or
configuration: 404; another customer's: 403. Business-rule refusals: 422.
"""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework.response import Response

from coursegate.api.enterprise.pagination import LearnerSummaryPagination
from coursegate.api.enterprise.permissions import parse_uuid, require_admin_of
from coursegate.api.enterprise.serializers_assignments import AllocateInput, AssignmentUuidsInput, assignment_as_dict
from coursegate.api.enterprise.views.base import EnterpriseApiView
from coursegate.assignments.models import AssignmentConfiguration, LearnerContentAssignment, SubsidyAccessPolicy
from coursegate.assignments.selectors import actions_by_assignment, assignments_for_configuration, enroll_by_dates
from coursegate.assignments.services import assignments_cancel, assignments_remind, policy_allocate


def render_assignments(assignments) -> list[dict]:
    actions = actions_by_assignment(assignments)
    enroll_by = enroll_by_dates(a.content_key for a in assignments)
    return [assignment_as_dict(a, actions=actions[a.uuid], enroll_by=enroll_by) for a in assignments]


class PolicyAllocateView(EnterpriseApiView):
    """POST /enterprise/v1/policy-allocation/{policy_uuid}/allocate/ — 202 {updated, created,
    no_change} (lists of assignments); 400 bad body; 404 unknown policy; 403 another customer's;
    422 [{reason, user_message, policy_uuids}] when a business rule refuses. Only POST."""

    @extend_schema(
        operation_id="enterprise_policy_allocate",
        request=AllocateInput,
        responses={202: OpenApiResponse(description="{updated, created, no_change}: lists of assignments"),
                   422: OpenApiResponse(description="[{reason, user_message, policy_uuids}]")},
    )  # fmt: skip
    def post(self, request, policy_uuid: str):
        policy = SubsidyAccessPolicy.objects.filter(pk=parse_uuid(policy_uuid)).first()
        if policy is None:
            return Response({"detail": "Not found."}, status=404)
        require_admin_of(request, policy.customer_id)
        data = AllocateInput(data=request.data)
        data.is_valid(raise_exception=True)
        result = policy_allocate(
            policy_uuid=policy.pk,
            learner_emails=data.validated_data["learner_emails"],
            content_key=data.validated_data["content_key"].strip(),
            content_price_cents=data.validated_data["content_price_cents"],
            actor=request.user,
        )
        everything = result.updated + result.created + result.no_change
        rendered = dict(zip((a.uuid for a in everything), render_assignments(everything), strict=True))
        return Response(
            {
                "updated": [rendered[a.uuid] for a in result.updated],
                "created": [rendered[a.uuid] for a in result.created],
                "no_change": [rendered[a.uuid] for a in result.no_change],
            },
            status=202,
        )


def _configuration(request, configuration_uuid: str) -> AssignmentConfiguration | None:
    configuration = AssignmentConfiguration.objects.filter(pk=parse_uuid(configuration_uuid)).first()
    if configuration is not None:
        require_admin_of(request, configuration.customer_id)
    return configuration


class _AssignmentActionView(EnterpriseApiView):
    """POST {"assignment_uuids": [...]}: run ``assignments_action`` on them; 200 with an empty body."""

    assignments_action = staticmethod(assignments_remind)

    def post(self, request, configuration_uuid: str):
        configuration = _configuration(request, configuration_uuid)
        if configuration is None:
            return Response({"detail": "Not found."}, status=404)
        data = AssignmentUuidsInput(data=request.data)
        data.is_valid(raise_exception=True)
        self.assignments_action(
            configuration=configuration, assignment_uuids=data.validated_data["assignment_uuids"], actor=request.user
        )
        return HttpResponse(status=200)


@extend_schema_view(
    post=extend_schema(
        operation_id="enterprise_assignments_remind",
        request=AssignmentUuidsInput,
        responses={200: None, 422: OpenApiResponse(description="The unknown / not remindable uuids")},
    )
)
class AssignmentsRemindView(_AssignmentActionView):
    """POST .../assignment-configurations/{uuid}/admin/assignments/remind/ — 200 (empty) when every
    uuid is an allocated assignment of this configuration; else 422 listing them, nothing sent."""

    assignments_action = staticmethod(assignments_remind)


@extend_schema_view(
    post=extend_schema(
        operation_id="enterprise_assignments_cancel",
        request=AssignmentUuidsInput,
        responses={200: None, 422: OpenApiResponse(description="The unknown / not cancelable uuids")},
    )
)
class AssignmentsCancelView(_AssignmentActionView):
    """POST .../assignment-configurations/{uuid}/admin/assignments/cancel/ — 200 (empty) when every
    uuid is an allocated, errored or already cancelled assignment of this configuration; else 422
    listing them, nothing changed."""

    assignments_action = staticmethod(assignments_cancel)


class AssignmentsListView(EnterpriseApiView):
    """GET .../assignment-configurations/{uuid}/admin/assignments/ — the configuration's assignments,
    newest first; ``state`` (comma-separated) and ``learner_email`` filters; page / page_size."""

    @extend_schema(
        operation_id="enterprise_assignments_list",
        parameters=[OpenApiParameter("state", OpenApiTypes.STR, description="Comma-separated states"),
                    OpenApiParameter("learner_email", OpenApiTypes.STR),
                    OpenApiParameter("page", OpenApiTypes.INT), OpenApiParameter("page_size", OpenApiTypes.INT)],
        responses={200: OpenApiResponse(description="{count, next, previous, results}")},
    )  # fmt: skip
    def get(self, request, configuration_uuid: str):
        configuration = _configuration(request, configuration_uuid)
        if configuration is None:
            return Response({"detail": "Not found."}, status=404)
        states = [s.strip() for s in request.query_params.get("state", "").split(",") if s.strip()]
        unknown = [s for s in states if s not in LearnerContentAssignment.State.values]
        if unknown:
            return Response({"state": [f"Unknown state: {', '.join(unknown)}."]}, status=400)
        queryset = assignments_for_configuration(
            configuration, states=states or None, learner_email=request.query_params.get("learner_email") or None
        )
        paginator = LearnerSummaryPagination()
        page = paginator.paginate_queryset(queryset, request, view=self)
        return paginator.get_paginated_response(render_assignments(page))
