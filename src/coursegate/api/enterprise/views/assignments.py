"""Enterprise API — subsidy access policy allocation and assignment administration
(seed 003 "policy-allocation", "assignment-configurations remind/cancel"; reference/enterprise.md
§4.1–4.4; reference/learner_side.md §5.4: remind-all, cancel-all and the list's filters, issue 12).

Admins of the policy's (configuration's) customer and operators only. Unknown policy or
configuration: 404; another customer's: 403. Business-rule refusals: 422.
"""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework.response import Response

from coursegate.api.enterprise.pagination import AssignmentPagination
from coursegate.api.enterprise.permissions import IsCustomerAdmin
from coursegate.api.enterprise.serializers.assignments import (
    AllocateInput,
    AllocationOutput,
    AssignmentAdminOutput,
    AssignmentFilterQuery,
    AssignmentListQuery,
    AssignmentUuidsInput,
    assignment_filters,
)
from coursegate.api.enterprise.views.base import EnterpriseApiView
from coursegate.assignments.administration import (
    assignments_cancel,
    assignments_cancel_all,
    assignments_remind,
    assignments_remind_all,
)
from coursegate.assignments.selectors import (
    actions_by_assignment,
    assignment_configuration_get,
    assignments_for_configuration,
    enroll_by_dates,
    learner_state_counts,
    policy_get,
)
from coursegate.assignments.services import policy_allocate
from coursegate.core.parsers import StrictFormParser, StrictMultiPartParser, UnclosedObjectJSONParser
from coursegate.core.serializers import parse


def rendering_context(assignments) -> dict:
    """What AssignmentOutput needs for these assignments, in two queries whatever their number."""
    return {
        "actions": actions_by_assignment(assignments),
        "enroll_by": enroll_by_dates(a.content_key for a in assignments),
    }


class PolicyAllocateView(EnterpriseApiView):
    """POST /enterprise/v1/policy-allocation/{policy_uuid}/allocate/ — 202 {updated, created,
    no_change} (lists of assignments); 400 bad body; 404 unknown policy; 403 another customer's;
    422 [{reason, user_message, policy_uuids}] when a business rule refuses. Only POST."""

    permission_classes = [IsCustomerAdmin]

    @extend_schema(
        operation_id="enterprise_policy_allocate",
        request=AllocateInput,
        responses={
            202: OpenApiResponse(AllocationOutput, description="{updated, created, no_change}: lists of assignments"),
            422: OpenApiResponse(description="[{reason, user_message, policy_uuids}]"),
        },
    )
    def post(self, request, policy_uuid: str):
        policy = policy_get(policy_uuid=policy_uuid)
        self.check_object_permissions(request, policy)
        data = parse(AllocateInput, request.data)
        result = policy_allocate(
            policy_uuid=policy.pk,
            learner_emails=data["learner_emails"],
            content_key=data["content_key"],
            content_price_cents=data["content_price_cents"],
            actor=request.user,
        )
        context = rendering_context(result.updated + result.created + result.no_change)
        return Response(AllocationOutput(result, context=context).data, status=202)


class AssignmentConfigurationApiView(EnterpriseApiView):
    """An assignment configuration's endpoints: the configuration is looked up first (404 for
    anyone when unknown), then the caller must administer its customer (403)."""

    permission_classes = [IsCustomerAdmin]

    def get_configuration(self, configuration_uuid: str):
        configuration = assignment_configuration_get(configuration_uuid=configuration_uuid)
        self.check_object_permissions(self.request, configuration)
        return configuration


class _AssignmentActionView(AssignmentConfigurationApiView):
    """POST {"assignment_uuids": [...]}: run ``assignments_action`` on them; 200 with an empty body."""

    # Contract (seed 003): the remind and cancel curl examples send the object without its final "}".
    parser_classes = [UnclosedObjectJSONParser, StrictFormParser, StrictMultiPartParser]

    assignments_action = staticmethod(assignments_remind)

    def post(self, request, configuration_uuid: str):
        configuration = self.get_configuration(configuration_uuid)
        data = parse(AssignmentUuidsInput, request.data)
        self.assignments_action(
            configuration=configuration, assignment_uuids=data["assignment_uuids"], actor=request.user
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


FILTER_PARAMETERS = [AssignmentFilterQuery]


class AssignmentsListView(AssignmentConfigurationApiView):
    """GET .../assignment-configurations/{uuid}/admin/assignments/ — the configuration's assignments,
    each with its derived ``learner_state``, newest first (or in ``ordering``), and
    ``learner_state_counts`` over all those the filters keep; filters ``content_key``,
    ``learner_email``, ``lms_user_id``, ``state``, ``learner_state`` (each also ``__in``) and
    ``search``; 400 naming the parameter for an unknown choice or a bad id; page / page_size (404
    past the end)."""

    pagination_class = AssignmentPagination

    @extend_schema(
        operation_id="enterprise_assignments_list",
        parameters=[AssignmentListQuery, OpenApiParameter("page", OpenApiTypes.INT),
                    OpenApiParameter("page_size", OpenApiTypes.INT)],
        responses={200: AssignmentAdminOutput(many=True)},
    )  # fmt: skip
    def get(self, request, configuration_uuid: str):
        configuration = self.get_configuration(configuration_uuid)
        query = parse(AssignmentListQuery, request.query_params)
        filters = assignment_filters(query)
        queryset = assignments_for_configuration(configuration, filters=filters, ordering=query["ordering"])
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(queryset, request, view=self)
        paginator.learner_state_counts = learner_state_counts(configuration, filters=filters)
        body = AssignmentAdminOutput(page, many=True, context=rendering_context(page)).data
        return paginator.get_paginated_response(body)


class _AssignmentsBulkActionView(AssignmentConfigurationApiView):
    """POST with the list's filters in the query string and no body: 202 with an empty body; 404
    with an empty body when no assignment the action applies to matches (the reference's)."""

    assignments_action = staticmethod(assignments_remind_all)

    def post(self, request, configuration_uuid: str):
        configuration = self.get_configuration(configuration_uuid)
        filters = assignment_filters(parse(AssignmentFilterQuery, request.query_params))
        self.assignments_action(configuration=configuration, filters=filters, actor=request.user)
        return HttpResponse(status=202)


_BULK_RESPONSES = {
    202: OpenApiResponse(description="Empty: done"),
    404: OpenApiResponse(description="Empty: no matching assignment the action applies to (or unknown configuration)"),
}


@extend_schema_view(
    post=extend_schema(
        operation_id="enterprise_assignments_remind_all",
        request=None,
        parameters=FILTER_PARAMETERS,
        responses=_BULK_RESPONSES,
    )
)
class AssignmentsRemindAllView(_AssignmentsBulkActionView):
    """POST .../admin/assignments/remind-all/ — remind every allocated assignment the filters keep
    (a ``reminded`` action and an e-mail each); 202 empty; 404 empty when there is none; atomic."""

    assignments_action = staticmethod(assignments_remind_all)


@extend_schema_view(
    post=extend_schema(
        operation_id="enterprise_assignments_cancel_all",
        request=None,
        parameters=FILTER_PARAMETERS,
        responses=_BULK_RESPONSES,
    )
)
class AssignmentsCancelAllView(_AssignmentsBulkActionView):
    """POST .../admin/assignments/cancel-all/ — cancel every allocated or errored assignment the
    filters keep (state cancelled, a ``cancelled`` action and an e-mail each); 202 empty; 404 empty
    when there is none; atomic."""

    assignments_action = staticmethod(assignments_cancel_all)
