"""The demo data set (ARCHITECTURE.md, "The demo data set"), loaded through the domain services.

Idempotent: users, runs and modes are upserted. OAuth client secrets are stored hashed, so each
load issues fresh secrets for the demo clients and returns them keyed by role.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from django.db import transaction
from oauth2_provider.generators import generate_client_secret
from oauth2_provider.models import get_application_model

from coursegate.accounts.models import User
from coursegate.accounts.services import role_assign, user_create
from coursegate.assignments.models import RedemptionTransaction
from coursegate.assignments.redemption import redemption_reverse
from coursegate.assignments.services import assignment_ensure_allocated, policy_upsert
from coursegate.catalogs.models import EnterpriseCatalog
from coursegate.catalogs.services import catalog_add_items, catalog_upsert, content_item_upsert
from coursegate.codes.services import code_ensure
from coursegate.core.roles import Role
from coursegate.courses.selectors import course_runs_by_key
from coursegate.courses.services import course_mode_upsert, course_run_upsert
from coursegate.demo.content import DEMO_CONTENT
from coursegate.demo.events_demo import events_roles_grant
from coursegate.enrollments.models import Source
from coursegate.enrollments.services import EnrollmentRequest, enrollments_bulk_upsert
from coursegate.enterprise.models import EnterpriseCustomer
from coursegate.enterprise.services import customer_upsert, enterprise_enrollment_record, learner_link
from coursegate.events.models import ApprenticeshipEvent, TrainingType
from coursegate.events.services import NewEvent, events_store
from coursegate.subscriptions.models import License
from coursegate.subscriptions.selectors import live_license_for_email
from coursegate.subscriptions.services import license_activate, licenses_assign, licenses_bulk_revoke, plan_upsert

DEMO_PASSWORD = "edx"


def _dt(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


USERS = [
    # username, is_staff, full name
    ("staff", True, "Staff User"),
    ("honor", False, "Honor Learner"),
    ("audit", False, "Audit Learner"),
    ("verified", False, "Verified Learner"),
    ("enterprise_admin", False, "Enterprise Admin (customer A)"),
    ("other_enterprise_admin", False, "Enterprise Admin (customer B)"),
    ("events_writer", False, "Apprenticeship events writer"),
    ("events_reader", False, "Apprenticeship events reader"),
]

# role key in the credentials object -> username of the client's owner
CLIENTS = {
    "staff": "staff",
    "learner": "honor",
    "enterprise_admin": "enterprise_admin",
    "other_enterprise_admin": "other_enterprise_admin",
    "events_writer": "events_writer",
    "events_reader": "events_reader",
}

OPEN_RUN = {
    "start": _dt("2024-01-01T00:00:00"),
    "end": _dt("2030-12-31T00:00:00"),
    "enrollment_start": _dt("2023-12-01T00:00:00"),
    "enrollment_end": None,
}
STANDARD_MODES = [
    ("audit", "Audit", 0),
    ("honor", "Honor Code Certificate", 0),
    ("verified", "Verified Certificate", 49),
]
RUNS = [
    # key, title, modes
    ("course-v1:edX+DemoX+Demo_Course", "edX Demonstration Course", STANDARD_MODES),
    ("edX/DemoX/Demo_Course", "edX Demonstration Course (legacy key)", STANDARD_MODES),
    ("course-v1:Appsembler+APP101+1Q2016", "Appsembler 101", [("honor", "Honor Code Certificate", 0)]),
    ("course-v1:edx+tr1012+1T2021", "Training 1012", STANDARD_MODES[:2]),
    ("course-v1:HarvardX+FIH+3T2023", "Food in History", STANDARD_MODES),
    ("course-v1:MyUni+Sport101x", "Sport 101", STANDARD_MODES[:1]),
    ("course-v1:edx+api101+1T2025", "APIs 101", STANDARD_MODES),
    ("course-v1:edx+101+1T2025", "edX 101", STANDARD_MODES),
]
# The enrollment codes named in seed 001's example calls, so they work verbatim.
DEMO_CODES = [("V5QBQMN6", "course-v1:edX+DemoX+Demo_Course"), ("1Ls34dQa", "course-v1:edX+DemoX+Demo_Course")]

ENROLLMENTS = [
    # username, run, mode
    ("staff", "edX/DemoX/Demo_Course", "honor"),
    ("honor", "course-v1:edX+DemoX+Demo_Course", "honor"),
    ("audit", "course-v1:edX+DemoX+Demo_Course", "audit"),
    ("verified", "course-v1:edX+DemoX+Demo_Course", "verified"),
]


@transaction.atomic
def load_demo_data() -> dict[str, dict[str, str]]:
    users = {}
    for username, is_staff, name in USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = user_create(
                username=username,
                email=f"{username}@example.com",
                password=DEMO_PASSWORD,
                name=name,
                country="US",
                is_staff=is_staff,
                is_superuser=is_staff,
                validate_password=False,
            )
        users[username] = user

    runs = {}
    for key, title, modes in RUNS:
        run = course_run_upsert(key=key, title=title, **OPEN_RUN)
        for slug, name, price in modes:
            course_mode_upsert(course_run=run, slug=slug, name=name, min_price=price)
        runs[key] = run
    runs = course_runs_by_key(runs)  # reloaded with their modes

    enrollments_bulk_upsert(
        requests=[EnrollmentRequest(user=users[u], course_run=runs[r], mode=m) for u, r, m in ENROLLMENTS],
        source=Source.DEMO,
        privileged=True,
        force=True,
    )

    for code, run_key in DEMO_CODES:
        code_ensure(code=code, course_run=runs[run_key])

    load_enterprise_demo(users, runs)
    load_events_demo(users)
    load_assignments_demo()

    return {role: _demo_client(role, users[username]) for role, username in CLIENTS.items()}


def _demo_client(role: str, user: User) -> dict[str, str]:
    application_model = get_application_model()
    app = application_model.objects.filter(name=f"coursegate-demo-{role}").first()
    if app is None:
        app = application_model(
            name=f"coursegate-demo-{role}",
            client_type=application_model.CLIENT_CONFIDENTIAL,
            authorization_grant_type=application_model.GRANT_CLIENT_CREDENTIALS,
            user=user,
        )
    secret = generate_client_secret()
    app.client_secret = secret
    app.user = user
    app.save()
    return {"client_id": app.client_id, "client_secret": secret, "username": user.username}


CUSTOMER_A = "904b1785-9d3a-1000-848d-6ae7a56e6355"
CUSTOMER_B = "5b0e2c3a-7d1f-4c2e-9a4b-00000000000b"
CATALOG_A = "3f56a21c-76c8-47c0-add8-a99714d40d94"
CATALOG_B = "7c1d2e3f-4a5b-4c6d-8e9f-00000000000b"
PLAN_A = "904b1785-9d3a-1000-848d-6ae7a56e6355"
PLAN_B = "6a7b8c9d-0e1f-4a2b-8c3d-00000000000b"
# Learners of customer A: (username, run key, progress)
ENTERPRISE_ENROLLMENTS = [
    (
        "honor",
        "course-v1:HarvardX+FIH+3T2023",
        {
            "current_grade": 0.92,
            "letter_grade": "A",
            "has_passed": True,
            "passed_date": _dt("2024-05-02T10:00:00"),
            "last_activity_date": _dt("2024-05-02T10:00:00"),
            "progress_status": "passed",
        },
    ),
    (
        "audit",
        "course-v1:edx+tr1012+1T2021",
        {
            "current_grade": 0.41,
            "letter_grade": "",
            "last_activity_date": _dt("2024-06-11T08:30:00"),
            "progress_status": "in_progress",
        },
    ),
    (
        "verified",
        "course-v1:MyUni+Sport101x",
        {
            "current_grade": 0.15,
            "letter_grade": "",
            "last_activity_date": _dt("2024-03-20T16:45:00"),
            "progress_status": "in_progress",
        },
    ),
]


def load_enterprise_demo(users, runs) -> None:
    """Customers A and B, their admins' roles, catalogs, plans and A's learners with progress."""
    a = customer_upsert(uuid=CUSTOMER_A, name="Customer A", slug="customer-a", contact_email="admin@customer-a.example")
    b = customer_upsert(uuid=CUSTOMER_B, name="Customer B", slug="customer-b", contact_email="admin@customer-b.example")
    role_assign(user=users["enterprise_admin"], role=Role.ENTERPRISE_ADMIN, context=CUSTOMER_A)
    role_assign(user=users["other_enterprise_admin"], role=Role.ENTERPRISE_ADMIN, context=CUSTOMER_B)

    items = [
        content_item_upsert(content_type=kind, content_key=key, title=title, **columns)
        for kind, key, title, columns in DEMO_CONTENT
    ]
    catalog_a = catalog_upsert(
        uuid=CATALOG_A, customer=a, title="Customer A catalog", query_title="All demo content",
        catalog_query_uuid="0c8e1f6a-3b2d-4e5f-9a7b-1c2d3e4f5a6b",
    )  # fmt: skip
    catalog_add_items(catalog=catalog_a, items=items)
    catalog_b = catalog_upsert(
        uuid=CATALOG_B, customer=b, title="Customer B catalog", query_title="Sport only",
        catalog_query_uuid="0c8e1f6a-3b2d-4e5f-9a7b-00000000000b",
    )  # fmt: skip
    catalog_add_items(catalog=catalog_b, items=[i for i in items if "Sport101x" in i.content_key])

    plan_a = plan_upsert(
        uuid=PLAN_A,
        customer=a,
        catalog=catalog_a,
        title="Customer A subscription",
        start_date=_dt("2024-01-01T00:00:00"),
        expiration_date=_dt("2030-12-31T00:00:00"),
        num_licenses=100,
        is_revocation_cap_enabled=True,
        should_auto_apply_licenses=True,
    )
    plan_b = plan_upsert(
        uuid=PLAN_B,
        customer=b,
        catalog=catalog_b,
        title="Customer B subscription",
        start_date=_dt("2024-01-01T00:00:00"),
        expiration_date=_dt("2030-12-31T00:00:00"),
        num_licenses=10,
    )

    results = enrollments_bulk_upsert(
        requests=[EnrollmentRequest(user=users[u], course_run=runs[r]) for u, r, _ in ENTERPRISE_ENROLLMENTS],
        source=Source.ENTERPRISE,
        privileged=True,
        force=True,
    )
    for (username, _, progress), result in zip(ENTERPRISE_ENROLLMENTS, results, strict=True):
        user = users[username]
        role_assign(user=user, role=Role.ENTERPRISE_LEARNER, context=CUSTOMER_A)
        learner = learner_link(customer=a, email=user.email, user=user)
        enterprise_enrollment_record(customer=a, learner=learner, enrollment=result.enrollment, **progress)

    # License states for GET /enterprise/v1/subscriptions: honor and audit activated, verified assigned,
    # one revoked (and replaced, so the plan keeps 100). Idempotent on re-runs.
    licenses_assign(plan=plan_a, emails=[users[u].email for u in ("honor", "audit", "verified")], notify=False)
    for username in ("honor", "audit"):
        license_activate(license=live_license_for_email(plan=plan_a, email=users[username].email), user=users[username])
    # Customer B's plan has no revocation cap: two assigned licenses for docs/enterprise-learner.md's
    # revoke-all example (a re-run assigns them again).
    licenses_assign(plan=plan_b, emails=["b.learner1@example.com", "b.learner2@example.com"], notify=False)
    if not plan_a.licenses.filter(status=License.Status.REVOKED).exists():
        licenses_assign(plan=plan_a, emails=["former.learner@example.com"], notify=False)
        licenses_bulk_revoke(plan=plan_a, user_emails=["former.learner@example.com"])


DEMO_EVENTS = [
    NewEvent(
        event="Created",
        apprenticeship_id=444,
        payment_status="active",
        agreement_status="agreed",
        provider_id="1111",
        learner_id="9999",
        employer_account_id="2222",
        training_type=TrainingType.FRAMEWORK,
        training_id="3333",
        training_start_date=_dt("2017-01-31T00:00:00"),
        training_end_date=_dt("2017-12-31T00:00:00"),
        training_total_cost=Decimal("123.45"),
    ),
    NewEvent(
        event="Paused",
        apprenticeship_id=444,
        payment_status="paused",
        agreement_status="agreed",
        provider_id="1111",
        learner_id="9999",
        employer_account_id="2222",
        training_type=TrainingType.FRAMEWORK,
        training_id="3333",
        training_start_date=_dt("2017-01-31T00:00:00"),
        training_end_date=_dt("2017-12-31T00:00:00"),
        training_total_cost=Decimal("123.45"),
    ),
    NewEvent(
        event="Created",
        apprenticeship_id=445,
        payment_status="active",
        agreement_status="bothAgreed",
        provider_id="1112",
        learner_id="9998",
        employer_account_id="2223",
        training_type=TrainingType.STANDARD,
        training_id="25",
        training_start_date=_dt("2018-09-01T00:00:00"),
        training_end_date=_dt("2020-08-31T00:00:00"),
        training_total_cost=Decimal("9000.00"),
    ),
]


def load_events_demo(users) -> None:
    """The events clients' permissions, and a few events (only into an empty store: it is append-only)."""
    role_assign(user=users["events_writer"], role=Role.STORE_APPRENTICESHIP_EVENT)
    role_assign(user=users["events_reader"], role=Role.READ_APPRENTICESHIP_EVENT)
    events_roles_grant(users)  # the agreement, account and generic event roles too
    if not ApprenticeshipEvent.objects.exists():
        events_store(events=DEMO_EVENTS)


POLICY_A = "904b1785-9d3a-1000-848d-6ae7a56e6355"
ASSIGNMENT_CONFIGURATION_A = "6fc7ef56-d1c4-4aa8-a649-e6eb209f0000"
# The assignments named by seed 003's remind and cancel examples.
DEMO_ASSIGNMENTS = [
    ("8977ef56-d1c4-4aa8-a649-e6eb209f0000", "abc@example.com", "edx+101"),
    ("8907ef56-d1c4-4aa8-a649-e6eb209f0000", "def@example.com", "edx+api101"),
]


# docs/enterprise-redemption.md: the `learner` client (honor, customer A's learner) redeems a run of
# this course, allocated to it.
DEMO_REDEEM_COURSE, DEMO_REDEEM_RUN = "edx+api101", "course-v1:edx+api101+1T2025"
DEMO_REDEEM_ASSIGNMENT = "8907ef56-d1c4-4aa8-a649-e6eb209f0002"


def load_assignments_demo() -> None:
    """Customer A's assigned-learner-credit policy (room for 100,000 allocations at 1000 cents), the
    two allocated assignments seed 003's remind/cancel examples name (re-allocated on each run), and
    honor's allocated DEMO_REDEEM_COURSE: an earlier run's redemption of it is reversed and the
    course allocated again, so the redemption docs run as pasted on every run."""
    honor = User.objects.get(username="honor")
    earlier = RedemptionTransaction.objects.filter(
        policy_id=POLICY_A, lms_user=honor, content_key=DEMO_REDEEM_RUN, reversed_at__isnull=True
    )
    for transaction_uuid in earlier.values_list("pk", flat=True):
        redemption_reverse(transaction_uuid=transaction_uuid)
    policy = policy_upsert(
        uuid=POLICY_A,
        configuration_uuid=ASSIGNMENT_CONFIGURATION_A,
        customer=EnterpriseCustomer.objects.get(pk=CUSTOMER_A),
        catalog=EnterpriseCatalog.objects.get(pk=CATALOG_A),
        spend_limit=100_000_000,
        subsidy_balance_cents=200_000_000,
        subsidy_expiration=_dt("2030-12-31T00:00:00"),
        description="Customer A learner credit",
    )
    for uuid, email, content_key in DEMO_ASSIGNMENTS:
        assignment_ensure_allocated(
            uuid=uuid, policy=policy, learner_email=email, content_key=content_key, content_price_cents=1000
        )
    assignment_ensure_allocated(
        uuid=DEMO_REDEEM_ASSIGNMENT, policy=policy, learner_email=honor.email, content_key=DEMO_REDEEM_COURSE,
        content_price_cents=1000,
    )  # fmt: skip
