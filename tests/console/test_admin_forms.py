"""Adding and changing rows in the admin goes through the domain services and keeps their rules:
what a form saves is what the service would write, bad input is a form error (never a 500), and
what only a service may create (enrollments, licenses, assignments) has no add form."""

from __future__ import annotations

import re

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from oauth2_provider.models import get_application_model

from coursegate.accounts.models import RoleAssignment, User
from coursegate.catalogs.models import CatalogItem, ContentItem, EnterpriseCatalog
from coursegate.codes.models import EnrollmentCode
from coursegate.courses.models import CourseRun
from coursegate.demo.loading import CATALOG_A, CATALOG_B, CUSTOMER_A, PLAN_A
from coursegate.enrollments.models import EnrollmentAllowed
from coursegate.enterprise.models import EnterpriseLearner
from coursegate.subscriptions.models import License, SubscriptionPlan
from coursegate.subscriptions.services import plan_upsert
from tests.console.test_admin_kit import DEMO_RUN, console_data, staff_login


@pytest.fixture
def data(db):
    return console_data()


@pytest.fixture
def staff_client(client, data):
    staff_login(client)
    return client


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def _errors(response) -> dict:
    assert response.status_code == 200
    return {name: list(errors) for name, errors in response.context["adminform"].form.errors.items()}


def test_a_user_added_in_the_admin_gets_a_profile_and_a_usable_password(staff_client, client):
    response = staff_client.post(reverse("admin:accounts_user_add"), {
        "username": "newbie", "email": " Newbie@Example.com ", "name": "New Bie", "usable_password": "true",
        "password1": "a-Long-pass-9", "password2": "a-Long-pass-9"})  # fmt: skip

    user = User.objects.get(username="newbie")
    assert response.status_code == 302
    assert (user.email, user.profile.name) == ("Newbie@Example.com", "New Bie")
    assert user.check_password("a-Long-pass-9")


def test_a_user_with_a_taken_email_in_another_case_is_refused(staff_client):
    response = staff_client.post(reverse("admin:accounts_user_add"), {
        "username": "twin", "email": "HONOR@example.com", "usable_password": "false"})  # fmt: skip

    assert _errors(response) == {"email": ["A user with this e-mail address (in any letter case) already exists."]}
    assert not User.objects.filter(username="twin").exists()


def test_changing_a_users_email_to_a_taken_one_is_refused(staff_client):
    audit = User.objects.get(username="audit")
    page = staff_client.get(reverse("admin:accounts_user_change", args=[audit.pk]))
    form = page.context["adminform"].form
    posted = {name: value for name, value in form.initial.items() if value is not None and name != "password"}
    posted.update({"email": "Honor@Example.com", "date_joined_0": "2024-01-01", "date_joined_1": "00:00:00",
                   "profile-TOTAL_FORMS": "1", "profile-INITIAL_FORMS": "1", "profile-0-id": audit.profile.pk,
                   "profile-0-user": audit.pk, "profile-0-name": "Audit"})  # fmt: skip
    posted.pop("groups", None), posted.pop("user_permissions", None), posted.pop("last_login", None)

    response = staff_client.post(reverse("admin:accounts_user_change", args=[audit.pk]), posted)

    assert "email" in _errors(response)
    assert User.objects.get(pk=audit.pk).email == "audit@example.com"


def test_enrollments_licenses_and_assignments_have_no_add_form(staff_client):
    for model in ("enrollments_enrollment", "subscriptions_license", "assignments_learnercontentassignment",
                  "enterprise_enterpriseenrollment", "enterprise_jobs_bulkenrollmentjob"):  # fmt: skip
        assert staff_client.get(reverse(f"admin:{model}_add")).status_code == 403, model
        assert staff_client.post(reverse(f"admin:{model}_add"), {}).status_code == 403, model


def test_enrollment_rows_cannot_be_changed_in_the_admin(staff_client):
    from coursegate.enrollments.models import Enrollment

    row = Enrollment.objects.filter(is_active=True).first()
    page = staff_client.get(reverse("admin:enrollments_enrollment_change", args=[row.pk]))
    posted = staff_client.post(reverse("admin:enrollments_enrollment_change", args=[row.pk]), {"is_active": ""})

    assert page.status_code == 200 and b'name="is_active"' not in page.content
    assert posted.status_code == 403
    assert Enrollment.objects.get(pk=row.pk).is_active


def test_codes_are_generated_by_the_service(staff_client):
    run = CourseRun.objects.get(key=DEMO_RUN)
    before = set(EnrollmentCode.objects.values_list("code", flat=True))

    response = staff_client.post(reverse("admin:codes_enrollmentcode_add"),
                                 {"course_run": run.pk, "mode": "", "count": 3}, follow=True)  # fmt: skip

    new = EnrollmentCode.objects.exclude(code__in=before)
    assert new.count() == 3 and {code.status for code in new} == {"valid"}
    assert {code.created_by.username for code in new} == {"operator"}
    shown = re.search(r"Generated 3 codes for .*: (.*)\.", _messages(response)[0]).group(1).split(", ")
    assert sorted(shown) == sorted(new.values_list("code", flat=True))


def test_codes_refuse_a_count_out_of_range(staff_client):
    run = CourseRun.objects.get(key=DEMO_RUN)
    before = EnrollmentCode.objects.count()

    response = staff_client.post(reverse("admin:codes_enrollmentcode_add"), {"course_run": run.pk, "count": 0})

    assert _errors(response) == {"count": ["Ensure this value is greater than or equal to 1."]}
    assert EnrollmentCode.objects.count() == before


def _plan_form(**fields) -> dict:
    return {"uuid": "0b0b0b0b-0000-4000-8000-000000000001", "title": "Pilot", "customer": CUSTOMER_A,
            "catalog": CATALOG_A, "start_date_0": "2026-01-01", "start_date_1": "00:00:00",
            "expiration_date_0": "2027-01-01", "expiration_date_1": "00:00:00", "is_active": "on",
            "plan_type": "Standard Paid", "revoke_max_percentage": 5, "num_licenses": 7, **fields}  # fmt: skip


def test_a_plan_added_in_the_admin_gets_its_licenses(staff_client):
    response = staff_client.post(reverse("admin:subscriptions_subscriptionplan_add"), _plan_form())

    plan = SubscriptionPlan.objects.get(pk="0b0b0b0b-0000-4000-8000-000000000001")
    assert response.status_code == 302
    assert list(plan.licenses.values_list("status", flat=True)) == ["unassigned"] * 7


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"catalog": CATALOG_B}, {"catalog": ["This catalog belongs to another customer."]}),
        ({"num_licenses": ""}, {"num_licenses": ["How many licenses the new plan holds."]}),
        ({"num_licenses": 100_001}, {"num_licenses": ["Ensure this value is less than or equal to 100000."]}),
        ({"expiration_date_0": "2025-01-01"}, {"expiration_date": ["The plan must expire after it starts."]}),
    ],
)
def test_a_plan_form_refuses_bad_input(staff_client, fields, errors):
    response = staff_client.post(reverse("admin:subscriptions_subscriptionplan_add"), _plan_form(**fields))

    assert _errors(response) == errors
    assert not SubscriptionPlan.objects.filter(pk="0b0b0b0b-0000-4000-8000-000000000001").exists()


def test_the_plan_page_counts_licenses_by_status_in_one_query(staff_client, data):
    plan = data["plan"]
    url = reverse("admin:subscriptions_subscriptionplan_change", args=[plan.pk])

    statuses = dict.fromkeys(("unassigned", "assigned", "activated", "revoked"), 0)
    for status in License.objects.filter(plan=plan).values_list("status", flat=True):
        statuses[status] += 1
    with CaptureQueriesContext(connection) as small:
        page = staff_client.get(url).content.decode()
    plan_upsert(uuid=plan.pk, customer=plan.customer, catalog=plan.catalog, title=plan.title,
                start_date=plan.start_date, expiration_date=plan.expiration_date, num_licenses=2000)  # fmt: skip
    with CaptureQueriesContext(connection) as large:
        bigger = staff_client.get(url).content.decode()

    def counts(html: str) -> dict:
        return dict(re.findall(r'class="cg-count-(\w+)">(\d+)<', html))

    assert counts(page) == {**{k: str(v) for k, v in statuses.items()}, "total": "100"}
    assert counts(bigger)["total"] == "2000"
    assert len(small) == len(large)
    assert sum("license" in q["sql"].lower() and "count" in q["sql"].lower() for q in large.captured_queries) == 1


def test_a_role_is_given_and_taken_through_the_services(staff_client):
    audit = User.objects.get(username="audit")
    added = staff_client.post(reverse("admin:accounts_roleassignment_add"),
                              {"user": audit.pk, "role": "enterprise_admin", "context": CUSTOMER_A})  # fmt: skip
    row = RoleAssignment.objects.get(user=audit, role="enterprise_admin")
    assert added.status_code == 302 and f"enterprise_admin:{CUSTOMER_A}" in audit.role_claims()

    deleted = staff_client.post(reverse("admin:accounts_roleassignment_delete", args=[row.pk]), {"post": "yes"})

    assert deleted.status_code == 302 and f"enterprise_admin:{CUSTOMER_A}" not in audit.role_claims()


def test_a_learner_link_gives_the_account_the_learner_role(staff_client):
    user = User.objects.get(username="staff")
    response = staff_client.post(reverse("admin:enterprise_enterpriselearner_add"),
                                 {"customer": CUSTOMER_A, "email": " Staff@Example.COM ", "user": user.pk})  # fmt: skip

    assert response.status_code == 302
    assert EnterpriseLearner.objects.filter(customer_id=CUSTOMER_A, email="staff@example.com", user=user).exists()
    assert f"enterprise_learner:{CUSTOMER_A}" in user.role_claims()


def test_an_invitation_is_stored_lower_cased(staff_client):
    run = CourseRun.objects.get(key=DEMO_RUN)

    form = {"email": "New.Person@Example.com", "course_run": run.pk, "auto_enroll": "on"}
    response = staff_client.post(reverse("admin:enrollments_enrollmentallowed_add"), form)

    assert response.status_code == 302
    assert EnrollmentAllowed.objects.filter(email="new.person@example.com", course_run=run, auto_enroll=True).exists()


def test_content_metadata_is_checked_as_the_service_does(staff_client):
    form = {"content_type": "course", "content_key": "edx+new", "title": "New", "parent_key": "", "is_active": "on"}

    bad = staff_client.post(reverse("admin:catalogs_contentitem_add"), {**form, "metadata": '{"1bad": 1}'})
    good = staff_client.post(reverse("admin:catalogs_contentitem_add"), {**form, "metadata": '{"short": "x"}'})

    assert _errors(bad) == {"__all__": ["metadata: '1bad' is not a field name"]}
    assert good.status_code == 302
    assert ContentItem.objects.get(content_key="edx+new").metadata == {"short": "x"}


def test_content_is_added_to_a_catalog_through_the_service(staff_client):
    catalog = EnterpriseCatalog.objects.get(pk=CATALOG_A)
    item = ContentItem.objects.exclude(catalogs=catalog).first() or ContentItem.objects.create(
        content_type="course", content_key="edx+extra", title="Extra"
    )
    modified = catalog.modified

    response = staff_client.post(reverse("admin:catalogs_catalogitem_add"), {"catalog": CATALOG_A, "item": item.pk})

    assert response.status_code == 302
    assert CatalogItem.objects.filter(catalog=catalog, item=item).exists()
    assert EnterpriseCatalog.objects.get(pk=CATALOG_A).modified > modified


def test_a_new_oauth_client_secret_is_shown_once_and_works(staff_client, client):
    response = staff_client.post(reverse("admin:oauth2_provider_application_add"), {
        "client_id": "console-client", "client_secret": "s3cret-value-of-some-length-123456",
        "hash_client_secret": "on",
        "user": User.objects.get(username="staff").pk, "client_type": "confidential", "name": "From the console",
        "authorization_grant_type": "client-credentials", "redirect_uris": "", "post_logout_redirect_uris": "",
        "allowed_origins": "", "algorithm": ""}, follow=True)  # fmt: skip

    app = get_application_model().objects.get(client_id="console-client")
    assert any("s3cret-value-of-some-length-123456" in message for message in _messages(response))
    assert app.client_secret != "s3cret-value-of-some-length-123456"  # stored hashed
    page = staff_client.get(reverse("admin:oauth2_provider_application_change", args=[app.pk])).content.decode()
    assert "s3cret-value-of-some-length-123456" not in page
    token = client.post("/oauth2/access_token", {"grant_type": "client_credentials", "client_id": "console-client",
                                                 "client_secret": "s3cret-value-of-some-length-123456"})  # fmt: skip
    assert token.status_code == 200


def test_the_job_page_links_to_its_rows_by_outcome(staff_client, data):
    job = data["job"]
    page = staff_client.get(reverse("admin:enterprise_jobs_bulkenrollmentjob_change", args=[job.pk])).content.decode()
    rows_url = reverse("admin:enterprise_jobs_bulkenrollmentjobrow_changelist")

    assert f'{rows_url}?job={job.pk}&amp;result=failed" class="cg-rows-failed">3 failed' in page
    rows = staff_client.get(rows_url, {"job": str(job.pk), "result": "failed"})
    assert rows.status_code == 200 and rows.context["cl"].result_count == 3
    assert "3/3 processed: 0 enrolled, 0 pending, 3 failed" in staff_client.get(
        reverse("admin:enterprise_jobs_bulkenrollmentjob_changelist")).content.decode()  # fmt: skip


def test_plan_licenses_are_listed_from_the_plan(staff_client):
    response = staff_client.get(
        reverse("admin:subscriptions_license_changelist"), {"plan": PLAN_A, "status": "revoked"}
    )

    assert response.status_code == 200
    assert {row.status for row in response.context["cl"].result_list} == {"revoked"}
