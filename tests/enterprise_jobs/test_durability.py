"""Durable bulk license enrollment jobs (issue 11): claiming a job, the heartbeat, resuming after a
crash without doing anything twice, and the sweep that hands out stranded and stalled jobs
(enterprise_jobs.runner, enterprise_jobs.dispatch). Jobs run in-process here (no broker);
test_jobs_crash.py does the same with real workers, a real broker and kill -9.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from coursegate.enrollments.models import Enrollment, EnrollmentHistory
from coursegate.enterprise.models import EnterpriseEnrollment
from coursegate.enterprise_jobs import runner
from coursegate.enterprise_jobs.dispatch import jobs_due, jobs_sweep
from coursegate.enterprise_jobs.models import BulkEnrollmentJob
from coursegate.enterprise_jobs.runner import bulk_enrollment_job_claim, bulk_enrollment_job_run
from coursegate.enterprise_jobs.selectors import bulk_enrollment_job_progress
from tests.enterprise_jobs.conftest import BY_COURSE, RUN, Status, create, rows
from tests.kit.races import race_each

EMAILS = [f"l{i}@example.com" for i in range(4)]


@pytest.fixture
def licensed(world):
    for email in EMAILS:
        world.license_for(email)
    return world


def _age(job, **fields_seconds_ago):
    """Set the job's timestamps to so many seconds ago (``heartbeat=60``: written a minute ago)."""
    now = timezone.now()
    BulkEnrollmentJob.objects.filter(pk=job.pk).update(
        **{name: now - timedelta(seconds=ago) for name, ago in fields_seconds_ago.items()}
    )


def _state(job):
    job.refresh_from_db()
    return job.status, job.attempts


# --- claiming ----------------------------------------------------------------------------------------


def test_a_claim_takes_a_pending_job_once_and_writes_its_heartbeat(licensed):
    job = create(licensed, EMAILS, [RUN])

    assert bulk_enrollment_job_claim(job_pk=job.pk) == 1
    job.refresh_from_db()
    assert (job.status, job.attempts) == (Status.RUNNING, 1)
    assert job.heartbeat is not None and job.started is not None
    # Held (fresh heartbeat): a second task for it, e.g. a redelivered message, cannot claim it.
    assert bulk_enrollment_job_claim(job_pk=job.pk) is None
    assert bulk_enrollment_job_run(job=job).status == Status.RUNNING
    assert rows(job) == [(email, RUN, "queued", "") for email in EMAILS]


def test_a_stalled_job_is_claimed_again_and_a_finished_or_exhausted_one_never(licensed, settings):
    settings.COURSEGATE_JOB_STALE_SECONDS = 30
    settings.COURSEGATE_JOB_MAX_ATTEMPTS = 3
    job = create(licensed, EMAILS, [RUN])
    bulk_enrollment_job_claim(job_pk=job.pk)

    _age(job, heartbeat=29)
    assert bulk_enrollment_job_claim(job_pk=job.pk) is None
    _age(job, heartbeat=31)
    assert bulk_enrollment_job_claim(job_pk=job.pk) == 2
    _age(job, heartbeat=31)
    assert bulk_enrollment_job_claim(job_pk=job.pk) == 3
    _age(job, heartbeat=31)
    assert bulk_enrollment_job_claim(job_pk=job.pk) is None  # out of attempts: the sweep fails it

    done = create(licensed, EMAILS, [RUN])
    bulk_enrollment_job_run(job=done)
    assert _state(done) == (Status.SUCCEEDED, 1)
    assert bulk_enrollment_job_claim(job_pk=done.pk) is None


@pytest.mark.django_db(transaction=True)
def test_of_many_concurrent_claims_exactly_one_wins(requires_shared_database, world):
    # Recorded without the service: committed for real here, its dispatch would run it at once.
    job = BulkEnrollmentJob.objects.create(customer=world.customer)

    outcomes = race_each(lambda i: bulk_enrollment_job_claim(job_pk=job.pk), 8)

    assert sorted(outcomes, key=str) == [1] + [None] * 7
    assert _state(job) == (Status.RUNNING, 1)


# --- heartbeat and resuming ------------------------------------------------------------------------


def test_the_heartbeat_is_written_at_every_chunk(licensed, settings, monkeypatch):
    settings.COURSEGATE_JOB_CHUNK_SIZE = 2  # one learner (2 runs) per chunk
    job = create(licensed, EMAILS, [RUN, BY_COURSE])
    beats = []
    real = runner.enrollments_bulk_upsert

    def spy(**kwargs):
        beats.append(BulkEnrollmentJob.objects.values_list("heartbeat", flat=True).get(pk=job.pk))
        return real(**kwargs)

    monkeypatch.setattr(runner, "enrollments_bulk_upsert", spy)

    assert bulk_enrollment_job_run(job=job).status == Status.SUCCEEDED
    assert len(beats) == 4 and beats == sorted(set(beats))  # a new heartbeat per chunk


def test_a_run_whose_job_was_taken_over_stops_at_its_next_chunk_and_leaves_the_job_to_the_new_run(licensed, settings):
    settings.COURSEGATE_JOB_CHUNK_SIZE = 1
    job = create(licensed, EMAILS, [RUN])
    first = bulk_enrollment_job_claim(job_pk=job.pk)
    _age(job, heartbeat=3600)  # the first run looked dead
    second = bulk_enrollment_job_claim(job_pk=job.pk)

    assert (first, second) == (1, 2)
    assert runner._job_process(job.pk, first) is False  # superseded: not a single row touched
    assert rows(job) == [(email, RUN, "queued", "") for email in EMAILS]
    assert runner._job_process(job.pk, second) is True
    runner._job_succeed(job.pk, first)  # the old run cannot finish it either
    assert _state(job) == (Status.RUNNING, 2)
    runner._job_succeed(job.pk, second)
    assert _state(job) == (Status.SUCCEEDED, 2)


def test_a_job_interrupted_mid_way_resumes_and_every_pair_is_enrolled_recorded_and_counted_once(
    licensed, settings, monkeypatch
):
    settings.COURSEGATE_JOB_CHUNK_SIZE = 2
    job = create(licensed, EMAILS, [RUN, BY_COURSE], notify=True)
    real = runner.enrollments_bulk_upsert
    chunks = []

    def dies_in_the_third_chunk(**kwargs):
        chunks.append(len(kwargs["requests"]))
        result = real(**kwargs)  # the chunk's writes happen, then the process is stopped
        if len(chunks) == 3:
            raise SystemExit(1)
        return result

    monkeypatch.setattr(runner, "enrollments_bulk_upsert", dies_in_the_third_chunk)
    with pytest.raises(SystemExit):
        bulk_enrollment_job_run(job=job)

    # Two chunks committed; the third rolled back whole.
    assert bulk_enrollment_job_progress(job=job).processed == 4
    assert Enrollment.objects.count() == EnrollmentHistory.objects.count() == EnterpriseEnrollment.objects.count() == 4

    assert jobs_sweep() == 1  # handed back: the sweep runs it again at once (in-process)

    assert _state(job) == (Status.SUCCEEDED, 2)
    assert chunks == [2, 2, 2, 2, 2]  # the interrupted chunk once more, then the last one
    assert Enrollment.objects.count() == 8
    assert EnrollmentHistory.objects.count() == 8  # one history row per pair: nothing enrolled twice
    assert EnterpriseEnrollment.objects.count() == 8
    progress = bulk_enrollment_job_progress(job=job)
    assert (progress.total, progress.processed, progress.succeeded, progress.failed) == (8, 8, 8, 0)
    assert {result for _, _, result, _ in rows(job)} == {"success"}


# --- the sweep -------------------------------------------------------------------------------------


def test_the_sweep_runs_a_job_the_broker_never_got_once_its_creator_had_time_to_hand_it_out(licensed, settings):
    settings.COURSEGATE_JOB_DISPATCH_GRACE_SECONDS = 5
    job = create(licensed, EMAILS, [RUN])  # its on-commit dispatch never ran: a broker that was down

    assert jobs_sweep() == 0  # too young: its creator may still be handing it out
    _age(job, created=6)
    assert jobs_sweep() == 1

    job.refresh_from_db()
    assert (job.status, job.attempts) == (Status.SUCCEEDED, 1)
    assert job.dispatched is not None
    assert jobs_sweep() == 0


def test_the_sweep_hands_out_again_a_pending_job_dispatched_long_ago_that_never_started(licensed, settings):
    settings.COURSEGATE_JOB_STALE_SECONDS = 30
    job = create(licensed, EMAILS, [RUN])
    _age(job, created=60, dispatched=10)
    assert jobs_sweep() == 0  # its message may still be waiting in the queue

    _age(job, created=60, dispatched=31)
    assert jobs_sweep() == 1
    assert _state(job) == (Status.SUCCEEDED, 1)


def test_the_sweep_requeues_a_job_whose_heartbeat_stopped_and_leaves_a_live_one_alone(licensed, settings):
    settings.COURSEGATE_JOB_STALE_SECONDS = 30
    live, dead = create(licensed, EMAILS[:2], [RUN]), create(licensed, EMAILS[2:], [RUN])
    for job in (live, dead):
        bulk_enrollment_job_claim(job_pk=job.pk)
        _age(job, created=120, dispatched=120, heartbeat=10)
    _age(dead, heartbeat=31)

    assert [job.pk for job in jobs_due(now=timezone.now())] == [dead.pk]
    assert jobs_sweep() == 1

    assert (_state(live), _state(dead)) == ((Status.RUNNING, 1), (Status.SUCCEEDED, 2))
    assert Enrollment.objects.count() == 2


def test_a_stalled_job_the_sweep_just_handed_out_is_not_handed_out_again_before_it_is_stale_again(licensed, settings):
    settings.COURSEGATE_JOB_STALE_SECONDS = 30
    job = create(licensed, EMAILS, [RUN])
    bulk_enrollment_job_claim(job_pk=job.pk)
    _age(job, created=120, heartbeat=60, dispatched=5)  # re-queued 5 s ago, not claimed yet

    assert list(jobs_due(now=timezone.now())) == []
    _age(job, dispatched=31)
    assert list(jobs_due(now=timezone.now())) == [job]


def test_the_sweep_gives_up_after_the_last_attempt_and_the_status_endpoint_shows_why(licensed, settings, jwt_for):
    settings.COURSEGATE_JOB_STALE_SECONDS = 30
    settings.COURSEGATE_JOB_MAX_ATTEMPTS = 2
    job = create(licensed, EMAILS, [RUN])
    for _ in range(2):  # two runs that each died
        _age(job, heartbeat=31)
        assert bulk_enrollment_job_claim(job_pk=job.pk) is not None
    _age(job, created=120, dispatched=120, heartbeat=31)

    assert jobs_sweep() == 1
    assert jobs_sweep() == 0

    error = "The job was interrupted 2 times (its worker stopped before finishing it); giving up. " + (
        "The rows already processed keep their results."
    )
    assert _state(job) == (Status.FAILED, 2)
    assert rows(job) == [(email, RUN, "failed", "not processed: the job failed") for email in EMAILS]
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION=f"JWT {jwt_for(licensed.admin, roles=[f'enterprise_admin:{licensed.customer.uuid}'])}"
    )
    answer = client.get(
        "/enterprise/v1/bulk-license-enrollment",
        {"enterprise_customer_uuid": str(licensed.customer.uuid), "bulk_enrollment_job_uuid": str(job.uuid)},
        HTTP_ACCEPT="application/json",
    )
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert (body["status"], body["error"], body["progress"]["failed"]) == ("failed", error, 4)
