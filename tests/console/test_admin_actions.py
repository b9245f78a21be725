"""The admin's daily chores: each action changes the database through its service and says what
it did; read-only models offer no "delete selected" and refuse a delete."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from coursegate.assignments.models import LearnerContentAssignment, LearnerContentAssignmentAction
from coursegate.codes.models import EnrollmentCode
from coursegate.demo.loading import PLAN_A
from coursegate.enrollments.models import Enrollment, EnrollmentHistory, Source
from coursegate.enterprise.models import EnterpriseLearner
from coursegate.enterprise_jobs.models import BulkEnrollmentJob, BulkEnrollmentJobRow
from coursegate.outbox.models import OutboxEmail
from coursegate.subscriptions.models import License
from coursegate.subscriptions.services import licenses_assign
from tests.console.test_admin_kit import CATALOG_RUN, console_data, staff_login

S = License.Status


@pytest.fixture
def data(db):
    return console_data()


@pytest.fixture
def staff_client(client, data):
    client.operator = staff_login(client)
    return client


def act(client, model: str, action: str, pks) -> list[str]:
    """POST an admin action on the rows ``pks``; returns the messages shown after it."""
    response = client.post(reverse(f"admin:{model}_changelist"),
                           {"action": action, "_selected_action": [str(pk) for pk in pks]}, follow=True)  # fmt: skip
    assert response.status_code == 200
    return [str(message) for message in get_messages(response.wsgi_request)] or [
        str(message) for message in response.context["messages"]
    ]


def test_revoke_licenses_revokes_the_live_ones_and_replaces_them(staff_client):
    plan_licenses = License.objects.filter(plan_id=PLAN_A)
    live = list(plan_licenses.filter(user_email__in=["honor@example.com", "verified@example.com"]))
    assert sorted(lic.status for lic in live) == ["activated", "assigned"]
    spare = plan_licenses.filter(status=S.UNASSIGNED).first()
    total = plan_licenses.exclude(status=S.REVOKED).count()

    messages = act(staff_client, "subscriptions_license", "revoke", [*[lic.pk for lic in live], spare.pk])

    assert sorted(plan_licenses.filter(pk__in=[lic.pk for lic in live]).values_list("status", flat=True)) == [
        "revoked", "revoked"]  # fmt: skip
    assert plan_licenses.exclude(status=S.REVOKED).count() == total
    assert messages == [
        "Revoked 2 licenses, each replaced by an unassigned one; 1 of those selected were not assigned or activated."
    ]


def test_remind_licenses_sends_one_email_per_pending_learner(staff_client, data):
    licenses_assign(plan=data["plan"], emails=["new.hire@example.com"], notify=False)
    pending = list(License.objects.filter(plan_id=PLAN_A, status=S.ASSIGNED))
    activated = License.objects.filter(plan_id=PLAN_A, status=S.ACTIVATED).first()
    before = OutboxEmail.objects.count()

    messages = act(staff_client, "subscriptions_license", "remind", [*[lic.pk for lic in pending], activated.pk])

    emails = list(OutboxEmail.objects.order_by("id")[before:])
    assert sorted(address for email in emails for address in email.to) == sorted(lic.user_email for lic in pending)
    assert all(lic.last_remind_date is not None for lic in License.objects.filter(pk__in=[p.pk for p in pending]))
    assert messages == ["Reminded 2 learners (one e-mail each); 1 of those selected were not pending activation."]


def test_remind_all_pending_on_a_plan(staff_client, data):
    pending = License.objects.filter(plan_id=PLAN_A, status=S.ASSIGNED).count()
    before = OutboxEmail.objects.count()

    messages = act(staff_client, "subscriptions_subscriptionplan", "remind_all_pending", [PLAN_A])

    assert pending > 0 and OutboxEmail.objects.count() - before == pending
    assert messages == [f"Reminded {pending} learners with a pending license."]


def test_cancel_codes_cancels_and_unenrolls_the_redeemer(staff_client, make_user):
    code = EnrollmentCode.objects.filter(status="valid").order_by("pk").first()
    from coursegate.codes.services import code_redeem

    learner = make_user("redeemer")
    code_redeem(code=code.code, email=learner.email)
    other = EnrollmentCode.objects.filter(status="valid", redeemed_by__isnull=True).first()

    messages = act(staff_client, "codes_enrollmentcode", "cancel_codes", [code.pk, other.pk])

    code.refresh_from_db()
    enrollment = Enrollment.objects.get(user=learner, course_run=code.course_run)
    assert code.status == "cancelled" and code.redeemed_by is None
    assert EnrollmentCode.objects.get(pk=other.pk).status == "cancelled"
    assert not enrollment.is_active
    assert EnrollmentHistory.objects.filter(enrollment=enrollment).last().source == Source.ENROLLMENT_CODE
    assert messages == ["Cancelled 2 codes; 1 learners who had redeemed one were unenrolled."]


def test_restore_codes_makes_them_usable(staff_client):
    code = EnrollmentCode.objects.order_by("pk").first()
    EnrollmentCode.objects.filter(pk=code.pk).update(status="cancelled")

    messages = act(staff_client, "codes_enrollmentcode", "restore_codes", [code.pk])

    assert EnrollmentCode.objects.get(pk=code.pk).status == "valid"
    assert messages == ["Restored 1 codes; 0 learners who had redeemed one were unenrolled."]


def test_rerun_a_failed_job_queues_its_failed_rows_and_runs_it(staff_client, data, django_capture_on_commit_callbacks):
    job = data["job"]
    assert job.status == "failed" and set(job.rows.values_list("result", flat=True)) == {"failed"}
    succeeded = BulkEnrollmentJob.objects.create(customer=data["customer"], status="succeeded")

    with django_capture_on_commit_callbacks(execute=True):
        messages = act(staff_client, "enterprise_jobs_bulkenrollmentjob", "rerun", [job.pk, succeeded.pk])

    job.refresh_from_db()
    rows = dict(job.rows.values_list("email", "result"))
    # Run again, in-process (no broker): honor's license is activated (enrolled), verified's only
    # assigned (waits for the activation), nobody has none.
    assert job.status == "succeeded" and job.error == "" and job.attempts == 1
    assert rows == {"honor@example.com": "success", "verified@example.com": "pending", "nobody@example.com": "failed"}
    assert Enrollment.objects.filter(user__username="honor", course_run__key=CATALOG_RUN, is_active=True).exists()
    assert BulkEnrollmentJob.objects.get(pk=succeeded.pk).status == "succeeded"
    assert messages == ["Re-queued 1 failed jobs (3 rows to process); 1 selected were not failed."]


def test_rerun_leaves_rows_that_succeeded_alone(staff_client, data):
    job = data["job"]
    first = job.rows.order_by("id").first()
    BulkEnrollmentJobRow.objects.filter(pk=first.pk).update(result="success", notes="enrolled")

    act(staff_client, "enterprise_jobs_bulkenrollmentjob", "rerun", [job.pk])

    job.refresh_from_db()
    assert job.status == "pending" and job.finished is None
    assert sorted(job.rows.values_list("result", flat=True)) == ["queued", "queued", "success"]
    assert BulkEnrollmentJobRow.objects.get(pk=first.pk).notes == "enrolled"


def test_expire_due_assignments(staff_client):
    due = LearnerContentAssignment.objects.filter(state="allocated").first()
    LearnerContentAssignment.objects.filter(pk=due.pk).update(allocated_at="2000-01-01T00:00:00Z")

    messages = act(staff_client, "assignments_learnercontentassignment", "expire_due", [due.pk])

    assert LearnerContentAssignment.objects.get(pk=due.pk).state == "expired"
    assert LearnerContentAssignmentAction.objects.filter(assignment=due, action_type="expired").count() == 1
    assert messages == ["Expired 1 allocated assignments whose time had passed (all that were due)."]


def test_cancel_and_remind_assignments(staff_client):
    first, second = LearnerContentAssignment.objects.filter(state="allocated").order_by("learner_email")[:2]
    before = OutboxEmail.objects.count()

    reminded = act(staff_client, "assignments_learnercontentassignment", "remind", [first.pk])
    cancelled = act(staff_client, "assignments_learnercontentassignment", "cancel", [second.pk])
    refused = act(staff_client, "assignments_learnercontentassignment", "remind", [first.pk, second.pk])

    assert reminded == ["Reminded 1 learners (one e-mail each)."]
    assert cancelled == ["Cancelled 1 assignments; their learners are told."]
    assert refused == [f"Nothing was changed: not in a state that allows it: {second.pk}."]
    assert LearnerContentAssignment.objects.get(pk=second.pk).state == "cancelled"
    assert [a.action_type for a in LearnerContentAssignmentAction.objects.filter(assignment=first)][-1] == "reminded"
    assert OutboxEmail.objects.count() - before == 2  # one reminder, one cancellation


def test_unenroll_deactivates_and_writes_history(staff_client):
    enrollment = Enrollment.objects.filter(is_active=True).order_by("pk").first()

    messages = act(staff_client, "enrollments_enrollment", "unenroll", [enrollment.pk])

    enrollment.refresh_from_db()
    last = EnrollmentHistory.objects.filter(enrollment=enrollment).order_by("id").last()
    assert not enrollment.is_active
    assert (last.is_active, last.source, last.actor) == (False, Source.ADMIN, staff_client.operator)
    assert messages == ["Unenrolled 1 of 1 selected; the others were already inactive."]


def test_unlink_learners_ends_the_link_and_the_role(staff_client):
    learner = EnterpriseLearner.objects.filter(active=True, user__isnull=False).first()
    user = learner.user
    assert f"enterprise_learner:{learner.customer_id}" in user.role_claims()

    messages = act(staff_client, "enterprise_enterpriselearner", "unlink", [learner.pk])

    assert not EnterpriseLearner.objects.get(pk=learner.pk).active
    assert f"enterprise_learner:{learner.customer_id}" not in user.role_claims()
    assert messages == ["Unlinked 1 learners; 0 were already inactive."]


def test_retry_failed_emails(staff_client, data):
    failed = data["failed_email"]

    messages = act(staff_client, "outbox_outboxemail", "retry_now", [failed.pk])

    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == ("pending", 0)
    assert messages == ["1 e-mails are due again; the dispatcher sends them shortly."]


HISTORY = [
    ("enrollments_enrollment", Enrollment),
    ("events_apprenticeshipevent", None),
    ("outbox_outboxemail", OutboxEmail),
    ("subscriptions_license", License),
    ("subscriptions_subscriptionplan", None),
    ("assignments_learnercontentassignment", LearnerContentAssignment),
    ("assignments_redemptiontransaction", None),
    ("enterprise_jobs_bulkenrollmentjob", BulkEnrollmentJob),
    ("enterprise_jobs_bulkenrollmentjobrow", BulkEnrollmentJobRow),
    ("enterprise_enterpriseenrollment", None),
    ("enterprise_enterpriselearner", EnterpriseLearner),
    ("codes_enrollmentcode", EnrollmentCode),
]


@pytest.mark.parametrize(("model", "_"), HISTORY)
def test_what_the_domain_never_deletes_offers_no_delete(staff_client, model, _):
    listing = staff_client.get(reverse(f"admin:{model}_changelist"))
    row = listing.context["cl"].result_list[0]

    form = listing.context["action_form"]
    actions = [name for name, _label in form.fields["action"].choices] if form is not None else []
    assert "delete_selected" not in actions
    assert staff_client.get(reverse(f"admin:{model}_delete", args=[row.pk])).status_code == 403
    delete = {"action": "delete_selected", "_selected_action": [str(row.pk)], "post": "yes"}
    refused = staff_client.post(reverse(f"admin:{model}_changelist"), delete)
    assert type(row).objects.filter(pk=row.pk).exists()
    assert refused.status_code in (200, 302)


def _helpdesk(client, *codenames: str):
    from django.contrib.auth.models import Permission

    user = staff_login(client, superuser=False, username="helpdesk")
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="subscriptions", codename__in=codenames)
    )
    return user


def test_staff_who_may_only_look_get_no_actions(client, data):
    _helpdesk(client, "view_license")
    live = License.objects.get(plan_id=PLAN_A, user_email="verified@example.com")

    listing = client.get(reverse("admin:subscriptions_license_changelist"))
    client.post(reverse("admin:subscriptions_license_changelist"),
                {"action": "revoke", "_selected_action": [str(live.pk)]})  # fmt: skip

    assert listing.status_code == 200 and listing.context["action_form"] is None
    assert License.objects.get(pk=live.pk).status == "assigned"


def test_staff_who_may_change_licenses_may_revoke(client, data):
    _helpdesk(client, "view_license", "change_license")
    live = License.objects.get(plan_id=PLAN_A, user_email="verified@example.com")

    messages = act(client, "subscriptions_license", "revoke", [live.pk])

    assert License.objects.get(pk=live.pk).status == "revoked"
    assert messages[0].startswith("Revoked 1 licenses")
