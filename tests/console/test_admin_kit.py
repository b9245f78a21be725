"""The admin tests' data and clients (no tests in here): the demo data set plus one row of every
model it lacks (a failed bulk job with rows, outbox e-mails, an invitation, a renewal, a
redemption, an OAuth application), ``grow(n)`` to add n more rows of every model, and logged-in
clients."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.apps import apps
from django.contrib.auth.models import Group
from django.db import models
from django.utils import timezone
from oauth2_provider.models import AccessToken, Grant, IDToken, RefreshToken, get_application_model

from coursegate.accounts.models import User
from coursegate.accounts.services import role_assign, user_create
from coursegate.assignments.models import RedemptionTransaction, SubsidyAccessPolicy
from coursegate.assignments.services import assignment_ensure_allocated, policy_upsert
from coursegate.catalogs.services import catalog_add_items, catalog_upsert, content_item_upsert
from coursegate.codes.services import codes_generate
from coursegate.core.roles import Role
from coursegate.courses.models import CourseRun
from coursegate.courses.services import course_mode_upsert, course_run_upsert
from coursegate.demo.loading import CUSTOMER_A, PLAN_A, PLAN_B, POLICY_A, load_demo_data
from coursegate.enrollments.models import Source
from coursegate.enrollments.services import EnrollmentRequest, enrollment_allowed_upsert, enrollments_bulk_upsert
from coursegate.enterprise.models import EnterpriseCustomer
from coursegate.enterprise.services import customer_upsert, enterprise_enrollment_record, learner_link
from coursegate.enterprise_jobs.runner import bulk_enrollment_job_fail
from coursegate.enterprise_jobs.services import bulk_enrollment_job_create
from coursegate.events.models import ApprenticeshipEvent
from coursegate.idempotency.models import IdempotencyKey
from coursegate.outbox.models import OutboxEmail
from coursegate.subscriptions.models import SubscriptionPlan, SubscriptionPlanRenewal
from coursegate.subscriptions.services import licenses_assign, plan_upsert
from coursegate.webhooks.models import WebhookDelivery, WebhookSubscription

DEMO_RUN = "course-v1:edX+DemoX+Demo_Course"
CATALOG_RUN = "course-v1:edx+tr1012+1T2021"  # in customer A's catalog


def outbox_row(address: str, status: str = OutboxEmail.Status.FAILED, **fields) -> OutboxEmail:
    return OutboxEmail.objects.create(kind="license_assigned", to=[address], from_email="no-reply@coursegate.local",
                                      subject="S", body="B", status=status, next_attempt_at=timezone.now(),
                                      **fields)  # fmt: skip


def failed_job(customer: EnterpriseCustomer, emails: list[str], keys: list[str] = [CATALOG_RUN]):  # noqa: B006
    job = bulk_enrollment_job_create(customer=customer, emails=emails, course_run_keys=keys, notify=False)
    bulk_enrollment_job_fail(job_pk=job.pk, error="RuntimeError: the database went away")
    job.refresh_from_db()
    return job


def console_data() -> dict:
    """The demo data set and one of everything else; returns the rows the tests name."""
    load_demo_data()
    customer = EnterpriseCustomer.objects.get(pk=CUSTOMER_A)
    plan_a, plan_b = SubscriptionPlan.objects.get(pk=PLAN_A), SubscriptionPlan.objects.get(pk=PLAN_B)
    policy = SubsidyAccessPolicy.objects.get(pk=POLICY_A)
    honor = User.objects.get(username="honor")
    # honor's license of plan A is activated, verified's assigned; nobody has none.
    job = failed_job(customer, ["honor@example.com", "verified@example.com", "nobody@example.com"])
    enrollment_allowed_upsert(email="invited@example.com", course_run=CourseRun.objects.get(key=DEMO_RUN),
                              auto_enroll=True)  # fmt: skip
    SubscriptionPlanRenewal.objects.create(prior_plan=plan_a, renewed_plan=plan_b, effective_date=timezone.now())
    RedemptionTransaction.objects.create(idempotency_key=str(uuid.uuid4()), policy=policy, lms_user=honor,
                                         content_key=DEMO_RUN, quantity=-1000, reference_id="1")  # fmt: skip
    failed = outbox_row("cid@example.com", attempts=8, last_error="SMTPRecipientsRefused: 550")
    outbox_row("bob@example.com", OutboxEmail.Status.SENT, sent_at=timezone.now())
    Group.objects.get_or_create(name="operators")
    _oauth_rows(honor)
    _other_event_rows()
    now = timezone.now()
    IdempotencyKey.objects.create(client="u1/a1", key="console-key", fingerprint="0" * 64, method="POST",
                                  path="/api/events/create", created=now, started=now)  # fmt: skip
    hook = WebhookSubscription.objects.create(url="https://hooks.example.com/coursegate", secret="s" * 32,
                                              event_types=["coursegate.enrollment.*"])  # fmt: skip
    WebhookDelivery.objects.create(subscription=hook, event_id=1, event_type="coursegate.enrollment.created",
                                   attempted_at=now, status_code=500, ok=False, error="HTTP 500")  # fmt: skip
    return {"customer": customer, "plan": plan_a, "policy": policy, "job": job, "failed_email": failed}


def _oauth_rows(user: User) -> None:
    """One row of each of django-oauth-toolkit's credential tables."""
    application = _app(user, "console test client")
    later = timezone.now() + timedelta(hours=1)
    access = AccessToken.objects.create(user=user, application=application, token="a" * 40, expires=later)
    RefreshToken.objects.create(user=user, application=application, token="r" * 40, access_token=access)
    Grant.objects.create(user=user, application=application, code="g" * 40, expires=later,
                         redirect_uri="https://client.example/cb")  # fmt: skip
    IDToken.objects.create(user=user, application=application, jti=uuid.uuid4(), expires=later)


def _other_event_rows() -> None:
    """A row in each event store other than the apprenticeship one (plain values by column type)."""
    values = {models.DateTimeField: timezone.now(), models.TextField: "{}", models.CharField: "console-test"}
    stores = [*apps.get_app_config("events").get_models(), *apps.get_app_config("feed").get_models()]
    for model in stores:
        if model is ApprenticeshipEvent:
            continue
        row = {field.name: values[type(field)] for field in model._meta.concrete_fields if type(field) in values}
        model.objects.create(**row)


def _app(user: User, name: str):
    model = get_application_model()
    return model.objects.create(name=name, user=user, client_type=model.CLIENT_CONFIDENTIAL,
                                authorization_grant_type=model.GRANT_CLIENT_CREDENTIALS)  # fmt: skip


def grow(n: int, tag: str) -> None:
    """n more rows of every model the admin lists, through the services where they exist."""
    now = timezone.now()
    users = [user_create(username=f"{tag}u{i}", email=f"{tag}u{i}@example.com", password=None,
                         name=f"Grown {i}", validate_password=False) for i in range(n)]  # fmt: skip
    for user in users:
        role_assign(user=user, role=Role.ENTERPRISE_LEARNER, context=CUSTOMER_A)
        _app(user, f"{tag} app {user.pk}")
        Group.objects.create(name=f"{tag} group {user.pk}")
    runs = []
    for i in range(n):
        run = course_run_upsert(key=f"course-v1:{tag}+C{i}+R", title=f"{tag} {i}")
        course_mode_upsert(course_run=run, slug="audit", name="Audit")
        runs.append(run)
    results = enrollments_bulk_upsert(
        requests=[EnrollmentRequest(user=user, course_run=runs[0], mode="audit") for user in users],
        source=Source.DEMO, privileged=True, force=True,
    )  # fmt: skip
    for i in range(n):
        enrollment_allowed_upsert(email=f"{tag}i{i}@example.com", course_run=runs[0], auto_enroll=False)
    codes_generate(course_run=runs[0], count=n)
    customer_a = EnterpriseCustomer.objects.get(pk=CUSTOMER_A)
    for user, result in zip(users, results, strict=True):
        learner = learner_link(customer=customer_a, email=user.email, user=user)
        enterprise_enrollment_record(customer=customer_a, learner=learner, enrollment=result.enrollment)
    items = [content_item_upsert(content_type="courserun", content_key=run.key, title=run.title) for run in runs]
    plan_a = SubscriptionPlan.objects.get(pk=PLAN_A)
    for i in range(n):
        customer = customer_upsert(uuid=uuid.uuid4(), name=f"{tag} customer {i}", slug=f"{tag}-customer-{i}".lower())
        learner_link(customer=customer, email=f"{tag}l{i}@example.com")
        catalog = catalog_upsert(uuid=uuid.uuid4(), customer=customer, title=f"{tag} catalog {i}")
        catalog_add_items(catalog=catalog, items=items)
        plan = plan_upsert(uuid=uuid.uuid4(), customer=customer, catalog=catalog, title=f"{tag} plan {i}",
                           start_date=now - timedelta(days=1), expiration_date=now + timedelta(days=365),
                           num_licenses=3)  # fmt: skip
        licenses_assign(plan=plan, emails=[f"{tag}l{i}@example.com"], notify=False)
        SubscriptionPlanRenewal.objects.create(prior_plan=plan_a, renewed_plan=plan, effective_date=now)
        policy = policy_upsert(uuid=uuid.uuid4(), configuration_uuid=uuid.uuid4(), customer=customer, catalog=catalog,
                               spend_limit=100_000, subsidy_balance_cents=100_000,
                               subsidy_expiration=now + timedelta(days=365))  # fmt: skip
        email = f"{tag}l{i}@example.com"
        assignment = assignment_ensure_allocated(uuid=uuid.uuid4(), policy=policy, learner_email=email,
                                                 content_key=runs[i].key, content_price_cents=500)  # fmt: skip
        RedemptionTransaction.objects.create(idempotency_key=f"{tag}-{i}", policy=policy, lms_user=users[i],
                                             assignment=assignment, content_key=runs[i].key, quantity=-500)  # fmt: skip
        failed_job(customer, [f"{tag}j{i}@example.com", f"{tag}k{i}@example.com"], [runs[i].key])
        outbox_row(f"{tag}o{i}@example.com")
    template = ApprenticeshipEvent.objects.order_by("id").first()
    assert template is not None
    fields = {f.name: getattr(template, f.name) for f in ApprenticeshipEvent._meta.concrete_fields if f.name != "id"}
    ApprenticeshipEvent.objects.bulk_create([ApprenticeshipEvent(**{**fields, "learner_id": f"{tag}{i}"})
                                             for i in range(n)])  # fmt: skip


def staff_login(client, *, superuser: bool = True, username: str = "operator") -> User:
    user = user_create(username=username, email=f"{username}@example.com", password="edx", is_staff=True,
                       is_superuser=superuser, validate_password=False)  # fmt: skip
    client.force_login(user)
    return user
