"""A learner's license activation releases the job rows that waited for it
(enterprise_jobs.activation; issue 12: "the job's row for a new learner stays pending forever")."""

from __future__ import annotations

from coursegate.enrollments.models import Enrollment
from coursegate.enterprise.models import EnterpriseEnrollment
from coursegate.enterprise_jobs.activation import bulk_enrollment_rows_release, license_activate_and_release_rows
from tests.enterprise_jobs.conftest import OUTSIDE, RUN, Status, rows, run_job


def _bob(job) -> list[tuple[str, str, str, str]]:
    return sorted(row for row in rows(job) if row[0] == "bob@example.com")


def test_activation_enrolls_the_learner_and_turns_its_waiting_rows_into_success(
    world, make_user, django_capture_on_commit_callbacks
):
    waiting = world.license_for("bob@example.com", "assigned")
    world.license_for("ann@example.com")  # activated: its rows are done already
    job = run_job(world, ["bob@example.com", "ann@example.com"], [RUN, OUTSIDE], django_capture_on_commit_callbacks)
    assert job.status == Status.SUCCEEDED
    assert _bob(job) == [
        ("bob@example.com", RUN, "pending", "pending license activation"),
        ("bob@example.com", OUTSIDE, "failed", "missing subscription"),
    ]

    bob = make_user("bob", email="Bob@Example.com")
    license_activate_and_release_rows(license=waiting, user=bob)

    assert _bob(job) == [
        ("bob@example.com", RUN, "success", ""),
        ("bob@example.com", OUTSIDE, "failed", "missing subscription"),  # not waiting: untouched
    ]
    enrollment = Enrollment.objects.get(user=bob, course_run__key=RUN)
    assert (enrollment.mode, enrollment.is_active) == ("verified", True)
    assert EnterpriseEnrollment.objects.filter(enrollment=enrollment, customer=world.customer).count() == 1


def test_releasing_again_or_for_another_customer_does_nothing(world, make_user, django_capture_on_commit_callbacks):
    waiting = world.license_for("bob@example.com", "assigned")
    job = run_job(world, ["bob@example.com"], [RUN], django_capture_on_commit_callbacks)

    assert bulk_enrollment_rows_release(customer_id=world.other.pk, email="bob@example.com") == 0
    assert rows(job) == [("bob@example.com", RUN, "pending", "pending license activation")]

    license_activate_and_release_rows(license=waiting, user=make_user("bob", email="bob@example.com"))
    assert bulk_enrollment_rows_release(customer_id=world.customer.pk, email="bob@example.com") == 0
    assert rows(job) == [("bob@example.com", RUN, "success", "")]
    assert Enrollment.objects.filter(course_run__key=RUN, user__username="bob").count() == 1


def test_rows_of_several_jobs_are_released_together(world, make_user, django_capture_on_commit_callbacks):
    waiting = world.license_for("bob@example.com", "assigned")
    first = run_job(world, ["bob@example.com"], [RUN], django_capture_on_commit_callbacks)
    second = run_job(world, ["bob@example.com"], [RUN], django_capture_on_commit_callbacks)

    license_activate_and_release_rows(license=waiting, user=make_user("bob", email="bob@example.com"))

    # Both succeed; whichever job is processed second finds the learner enrolled by the first.
    assert sorted(rows(first) + rows(second)) == [
        ("bob@example.com", RUN, "success", ""),
        ("bob@example.com", RUN, "success", "already enrolled"),
    ]
    assert Enrollment.objects.filter(course_run__key=RUN, user__username="bob").count() == 1
