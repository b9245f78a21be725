"""drf-spectacular's settings for the OpenAPI document at /api/schema/ (settings.py applies them),
and the document's texts: one tag per API family, a summary per operation (docs/openapi.md)."""

from __future__ import annotations

TAGS = [
    {"name": "OAuth2", "description": "Tokens: client credentials or password grant, revocation, introspection."},
    {"name": "Enrollment", "description": "The Open edX Enrollment API (/api/enrollment/v1/)."},
    {
        "name": "Appsembler",
        "description": "The Appsembler API (/appsembler_api/v0/): accounts, enrollment codes, "
        "bulk enrollment, analytics. Staff only.",
    },
    {"name": "Jitterbit", "description": "The Jitterbit analytics API (/api/jitterbit/v1/). Staff only."},
    {
        "name": "Enterprise",
        "description": "The edX Enterprise API: catalogs, subscriptions and licenses, learner "
        "credit, assignments, reports. XML by default; JSON with `Accept: application/json` or `?format=json`.",
    },
    {"name": "Apprenticeship events", "description": "The Apprenticeship Events API (/api/events/)."},
    {"name": "Webhooks", "description": "Webhook subscriptions and deliveries (/api/webhooks/v1/)."},
]

# "METHOD path" -> summary. An operation missing here gets the first line of its view's docstring.
SUMMARIES = {
    "GET /api/enrollment/v1/course/{course_id}/": "Course run details and its modes",
    "GET /api/enrollment/v1/enrollment/": "List the user's enrollments",
    "POST /api/enrollment/v1/enrollment/": "Enroll a user in a course run (or change the enrollment)",
    "GET /api/enrollment/v1/enrollment/{course_id}/": "The caller's enrollment in a course run (null if none)",
    "GET /api/enrollment/v1/enrollment/{username},{course_id}/": "A user's enrollment in a course run (null if none)",
    "GET /api/enrollment/v1/enrollments/": "List enrollments (staff; cursor pages)",
    "POST /appsembler_api/v0/accounts/create/": "Create a user account",
    "GET /appsembler_api/v0/accounts/get-user/{username}/": "Look up a user account",
    "GET /appsembler_api/v0/analytics/accounts/batch/": "Accounts joined in a period (analytics)",
    "GET /appsembler_api/v0/analytics/enrollment/batch/": "Enrollments created in a period (analytics)",
    "POST /appsembler_api/v0/bulk-enrollment/bulk-enroll/": "Enroll or unenroll many learners in many courses",
    "POST /appsembler_api/v0/enrollment-codes/enroll-user/": "Redeem an enrollment code for a user",
    "POST /appsembler_api/v0/enrollment-codes/generate/": "Generate enrollment codes for a course run",
    "POST /appsembler_api/v0/enrollment-codes/status/": "Cancel or restore an enrollment code",
    "GET /api/jitterbit/v1/accounts/batch/": "Accounts joined in a period",
    "GET /api/jitterbit/v1/enrollment/batch/": "Enrollments created in a period",
    "GET /api/HealthCheck/": "Health of the events service (no token)",
    "GET /api/events/apprenticeships/": "Read apprenticeship events",
    "POST /api/events/apprenticeships/": "Store an apprenticeship event",
    "POST /api/events/apprenticeships/bulk/": "Store many apprenticeship events at once",
    "GET /api/events/accounts/": "Read account events",
    "POST /api/events/accounts/": "Store an account event",
    "GET /api/events/engagements/": "Read engagement events",
    "POST /api/events/engagements/": "Store an engagement event",
    "GET /api/events/agreements/": "Read agreement events",
    "POST /api/events/agreements/": "Store an agreement event",
    "POST /api/events/create/": "Store a generic event",
    "GET /api/events/getSinceEvent/": "Generic events from an event id on",
    "GET /api/events/getByDateRange/": "Generic events created in a date range",
    "GET /api/events/getByResourceId/": "Generic events of one resource",
    "GET /enterprise/v2/enterprise-catalogs/": "List the enterprise catalogs the caller may read",
    "GET /enterprise/v2/enterprise-catalogs/{catalog_uuid}/": "A catalog and a page of its content",
    "GET /enterprise/v2/enterprise-catalogs/{catalog_uuid}/contains_content_items/": "Does a catalog hold "
    "these course runs or programs",
    "GET /enterprise/v2/enterprise-catalogs/{catalog_uuid}/course-runs/{course_run_id}/": "A course run of a catalog",
    "GET /enterprise/v2/enterprise-catalogs/{catalog_uuid}/courses/{course_key}/": "A course of a catalog",
    "GET /enterprise/v2/enterprise-catalogs/{catalog_uuid}/programs/{program_id}/": "A program of a catalog",
    "GET /enterprise/v2/enterprise-customer/{customer_uuid}/contains_content_items/": "Do a customer's catalogs "
    "hold this content",
    "GET /enterprise/v3/enterprise-customer/{customer_uuid}/learner-summary/": "Learner summary report "
    "(one row per enrollment)",
    "GET /enterprise/v1/subscriptions/": "List a customer's subscription plans",
    "GET /enterprise/v1/subscriptions/{plan_uuid}/licenses/": "List a plan's licenses",
    "GET /enterprise/v1/subscriptions/{plan_uuid}/licenses/overview/": "Count a plan's licenses by status",
    "GET /enterprise/v1/subscriptions/{plan_uuid}/licenses/csv/": "A plan's licenses as CSV",
    "POST /enterprise/v1/subscriptions/{plan_uuid}/licenses/assign/": "Assign licenses to learners by e-mail",
    "POST /enterprise/v1/subscriptions/{plan_uuid}/licenses/bulk-revoke/": "Revoke licenses by e-mail or filter",
    "POST /enterprise/v1/subscriptions/{plan_uuid}/licenses/revoke-all/": "Revoke every license of a plan",
    "POST /enterprise/v1/subscriptions/{plan_uuid}/licenses/remind/": "Remind learners of pending licenses",
    "POST /enterprise/v1/subscriptions/{plan_uuid}/licenses/remind-all/": "Remind every learner with a pending license",
    "GET /enterprise/v1/learner-licenses/": "The caller's own licenses",
    "POST /enterprise/v1/license-activation/": "Activate the caller's license",
    "GET /enterprise/v1/bulk-license-enrollment/": "A bulk license enrollment job and its results",
    "POST /enterprise/v1/bulk-license-enrollment/": "Enroll licensed learners in courses (a job)",
    "POST /enterprise/v1/policy-allocation/{policy_uuid}/allocate/": "Allocate learner credit to learners",
    "POST /enterprise/v1/policy-redemption/{policy_uuid}/redeem/": "Redeem learner credit for content",
    "GET /enterprise/v1/policy-redemption/credits_available/": "Policies with credit available to a learner",
    "GET /enterprise/v1/policy-redemption/enterprise-customer/{customer_uuid}/can-redeem/": "Can a learner "
    "redeem this content",
    "GET /enterprise/v1/assignment-configurations/{configuration_uuid}/admin/assignments/": "List assignments",
    "POST /enterprise/v1/assignment-configurations/{configuration_uuid}/admin/assignments/remind/": "Remind "
    "learners of assignments",
    "POST /enterprise/v1/assignment-configurations/{configuration_uuid}/admin/assignments/cancel/": "Cancel "
    "assignments",
    "POST /enterprise/v1/assignment-configurations/{configuration_uuid}/admin/assignments/remind-all/": "Remind "
    "every allocated assignment the filters keep",
    "POST /enterprise/v1/assignment-configurations/{configuration_uuid}/admin/assignments/cancel-all/": "Cancel "
    "every assignment the filters keep",
}


def spectacular_settings(version: str) -> dict:
    return {
        "TITLE": "Coursegate API",
        "DESCRIPTION": (
            "One server for the Open edX Enrollment API, the Appsembler and Jitterbit APIs, the edX "
            "Enterprise API and the Apprenticeship Events API. Obtain a token at POST /oauth2/access_token "
            "(Swagger UI's Authorize button does it with a client id and secret) and send it as "
            "`Authorization: Bearer <token>` or `Authorization: JWT <jwt>`. Every operation documents "
            "its errors in its family's shape; the Enterprise family answers XML unless asked for JSON."
        ),
        "VERSION": version,
        "SERVE_INCLUDE_SCHEMA": False,
        # Every view's schema gains the family's common answers (core/schema.py).
        "DEFAULT_GENERATOR_CLASS": "coursegate.core.schema.FamilySchemaGenerator",
        "TAGS": TAGS,
        # Swagger UI and ReDoc assets are served by this server (no CDN needed).
        "SWAGGER_UI_DIST": "SIDECAR",
        "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
        "SWAGGER_UI_SETTINGS": {"persistAuthorization": True},
        "REDOC_DIST": "SIDECAR",
        "POSTPROCESSING_HOOKS": [
            "drf_spectacular.hooks.postprocess_schema_enums",
            "coursegate.core.oauth_schema.add_oauth_paths",
            "coursegate.core.schema.add_error_components",
            "coursegate.core.schema.add_summaries",
            "coursegate.api.apprenticeship_events.openapi.exact_event_bodies",
        ],
        "COMPONENT_SPLIT_REQUEST": True,
    }
