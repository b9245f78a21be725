"""Bulk license enrollment jobs — running one: its queued rows, in chunks, through the shared
enrollment service (seed 003, "bulk-license-enrollment Endpoint"; reference/enterprise.md §4.8,
§5.3; issue 4).

Called by the Celery task (tasks.py), in-process or on a worker; never by the creation service
(services.py), which only queues the task.
"""

from __future__ import annotations

import logging
from collections import defaultdict

from django.db import transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone

from coursegate.accounts.models import User
from coursegate.catalogs.models import CatalogItem, ContentItem
from coursegate.courses.selectors import course_run_modes, course_runs_by_key
from coursegate.enrollments.models import Source
from coursegate.enrollments.services import EnrollmentRequest, Outcome, enrollments_bulk_upsert
from coursegate.enterprise.models import EnterpriseEnrollment, EnterpriseLearner
from coursegate.enterprise.services import learners_link_bulk
from coursegate.enterprise_jobs.models import BulkEnrollmentJob, BulkEnrollmentJobRow
from coursegate.enterprise_jobs.notifications import bulk_enrollment_emails_send
from coursegate.subscriptions.models import License, SubscriptionPlan

log = logging.getLogger(__name__)

# Rows per transaction while a job runs: each chunk commits, so the rows (the progress) advance
# visibly, and one call of the shared enrollment service handles a whole chunk.
JOB_CHUNK_SIZE = 500
# The track a license pays for: the best mode the run offers, in edx-enterprise's
# get_best_mode_from_course_key order; a run offering none of them gets its default mode.
LICENSE_MODE_PRIORITY = ("verified", "professional", "no-id-professional", "honor", "audit")

NOTE_PENDING_ACTIVATION = "pending license activation"  # reference §4.8 wording
NOTE_MISSING_SUBSCRIPTION = "missing subscription"  # reference §4.8 wording
NOTE_RUN_NOT_FOUND = "course run not found"
NOTE_NO_ACCOUNT = "no learner account for this e-mail"
NOTE_ALREADY_ENROLLED = "already enrolled"
NOTE_JOB_FAILED = "not processed: the job failed"

Result = BulkEnrollmentJobRow.Result


def bulk_enrollment_job_run(*, job: BulkEnrollmentJob) -> BulkEnrollmentJob:
    """Process a job's queued rows and finish it; returns the job as stored afterwards.

    For each (e-mail, run) row: an unknown run fails ("course run not found"); otherwise the
    learner needs an assigned or activated license of the job's customer (of
    ``job.subscription_uuid`` when given) in a plan active now whose catalog holds the run or its
    course, latest-expiring plan first (reference §4.8). Activated: enrolled through the shared
    enrollment service (all rules apply; a refusal fails the row with its reason), recorded as an
    enterprise enrollment of a linked learner -> ``success``. Assigned only -> ``pending``
    ("pending license activation"). No such license -> ``failed`` ("missing subscription").

    Rows are processed in chunks of JOB_CHUNK_SIZE, one transaction each, with a constant number
    of queries per chunk; a job already running (a redelivered task) resumes at its queued rows,
    a finished one is left alone. Never raises: an unexpected error fails the job with its text
    and the rows not yet processed (so does an interruption of the process, which is re-raised).
    With ``job.notify``, each newly enrolled learner gets one e-mail after the last commit.
    """
    now = timezone.now()
    claimed = BulkEnrollmentJob.objects.filter(
        pk=job.pk, status__in=[BulkEnrollmentJob.Status.PENDING, BulkEnrollmentJob.Status.RUNNING]
    ).update(status=BulkEnrollmentJob.Status.RUNNING, started=Coalesce(F("started"), Value(now)))
    if claimed:
        try:
            enrolled = _job_process(job.pk)
        except Exception as exc:  # recorded on the job: a job is never left running
            log.exception("bulk enrollment job %s failed", job.pk)
            _job_fail(job.pk, exc)
        except BaseException as exc:
            # The process is being stopped under the job (e.g. gunicorn's request timeout raises
            # SystemExit in an in-process job): record it, then let the process go.
            _job_fail(job.pk, exc)
            raise
        else:
            _job_succeed(job.pk, enrolled)
    job.refresh_from_db()
    return job


def _job_process(job_pk) -> dict[str, list[tuple[str, str]]]:
    """Run every queued row; the newly enrolled (title, key) pairs per e-mail."""
    job = BulkEnrollmentJob.objects.select_related("customer", "requested_by").get(pk=job_pk)
    now = timezone.now()
    keys = set(
        BulkEnrollmentJobRow.objects.filter(job=job).order_by().values_list("course_run_key", flat=True).distinct()
    )
    runs = course_runs_by_key(keys)
    active = SubscriptionPlan.objects.filter(
        customer_id=job.customer_id, is_active=True, start_date__lte=now, expiration_date__gte=now
    )
    if job.subscription_uuid is not None:
        active = active.filter(pk=job.subscription_uuid)
    plans = list(active.order_by("-expiration_date", "pk"))
    plans_for_run = _plans_covering(plans, runs)
    modes = {key: _license_mode(run, now) for key, run in runs.items()}

    enrolled: dict[str, list[tuple[str, str]]] = defaultdict(list)
    last_id = 0  # walk the rows in id order (the primary key index), never re-scanning done ones
    while True:
        with transaction.atomic():
            # Serialise two runs of one job (a redelivered task): the second waits, then finds
            # the rows the first one finished.
            list(BulkEnrollmentJob.objects.select_for_update().filter(pk=job.pk).values_list("pk", flat=True))
            queued = BulkEnrollmentJobRow.objects.filter(job=job, result=Result.QUEUED, id__gt=last_id).order_by("id")
            rows = list(queued[:JOB_CHUNK_SIZE])
            if not rows:
                return enrolled
            last_id = rows[-1].pk
            _job_chunk_process(job, rows, runs=runs, plans=plans, plans_for_run=plans_for_run, modes=modes,
                               enrolled=enrolled)  # fmt: skip


def _plans_covering(plans: list[SubscriptionPlan], runs: dict) -> dict[str, list[SubscriptionPlan]]:
    """run key -> the plans (in the given order) whose catalog holds the run or its course (one query)."""
    if not plans or not runs:
        return {}
    course_keys = {run.course.key for run in runs.values()}
    held = set(
        CatalogItem.objects.filter(catalog_id__in={plan.catalog_id for plan in plans})
        .filter(
            Q(item__content_type=ContentItem.Type.COURSE_RUN, item__content_key__in=list(runs))
            | Q(item__content_type=ContentItem.Type.COURSE, item__content_key__in=course_keys)
        )
        .values_list("catalog_id", "item__content_key")
    )
    return {
        key: [plan for plan in plans if (plan.catalog_id, key) in held or (plan.catalog_id, run.course.key) in held]
        for key, run in runs.items()
    }


def _license_mode(run, now) -> str | None:
    offered = {mode.slug for mode in course_run_modes(run, now=now)}
    return next((slug for slug in LICENSE_MODE_PRIORITY if slug in offered), None)


def _job_chunk_process(job, rows, *, runs, plans, plans_for_run, modes, enrolled) -> None:
    emails = {row.email for row in rows}
    licenses = {}  # (e-mail, plan) -> the live license (one per e-mail and plan, a DB constraint)
    if plans:
        live = License.objects.filter(
            plan__in=plans, status__in=[License.Status.ASSIGNED, License.Status.ACTIVATED], user_email__in=emails
        ).only("uuid", "plan_id", "status", "user_email", "lms_user_id")
        licenses = {(lic.user_email, lic.plan_id): lic for lic in live}
    activated_emails = {email for (email, _), lic in licenses.items() if lic.status == License.Status.ACTIVATED}
    user_ids = {lic.lms_user_id for lic in licenses.values() if lic.lms_user_id is not None}
    users_by_id: dict[int | None, User] = {}
    users_by_email: dict[str, User] = {}
    if activated_emails:
        for account in User.objects.annotate(email_ci=Lower("email")).filter(
            Q(pk__in=user_ids) | Q(email_ci__in=activated_emails)
        ):
            users_by_id[account.pk] = account
            users_by_email.setdefault(account.email.lower(), account)

    outcomes: dict[tuple[str, str], list[int]] = defaultdict(list)  # (result, notes) -> row ids
    requests, admitted = [], []  # admitted: (row, license) per request
    for row in rows:
        run = runs.get(row.course_run_key)
        if run is None:
            outcomes[(Result.FAILED, NOTE_RUN_NOT_FOUND)].append(row.pk)
            continue
        held = [
            lic for plan in plans_for_run.get(run.key, ()) if (lic := licenses.get((row.email, plan.pk))) is not None
        ]
        if not held:
            outcomes[(Result.FAILED, NOTE_MISSING_SUBSCRIPTION)].append(row.pk)
            continue
        license_ = next((lic for lic in held if lic.status == License.Status.ACTIVATED), None)
        if license_ is None:
            outcomes[(Result.PENDING, NOTE_PENDING_ACTIVATION)].append(row.pk)
            continue
        user = users_by_id.get(license_.lms_user_id) or users_by_email.get(row.email)
        if user is None:
            outcomes[(Result.FAILED, NOTE_NO_ACCOUNT)].append(row.pk)
            continue
        requests.append(EnrollmentRequest(user=user, course_run=run, mode=modes[run.key]))
        admitted.append((row, license_))

    results = enrollments_bulk_upsert(requests=requests, actor=job.requested_by, source=Source.ENTERPRISE)
    accepted = []
    for (row, license_), result in zip(admitted, results, strict=True):
        if result.error is not None:
            outcomes[(Result.FAILED, str(result.error)[:255])].append(row.pk)
            continue
        unchanged = result.outcome == Outcome.UNCHANGED
        outcomes[(Result.SUCCESS, NOTE_ALREADY_ENROLLED if unchanged else "")].append(row.pk)
        accepted.append((row.email, result, license_))
        if not unchanged:
            run = result.request.course_run
            enrolled[row.email].append((run.display_name, run.key))

    if accepted:
        user_by_email = {email: result.request.user.pk for email, result, _ in accepted}
        learners_link_bulk(customer=job.customer, emails=user_by_email)
        # The account's link wins: it may be under another e-mail (an account is linked once).
        links = EnterpriseLearner.objects.filter(
            Q(email__in=user_by_email) | Q(user_id__in=user_by_email.values()), customer=job.customer
        )
        by_email, by_user = {}, {}
        for link in links:
            by_email[link.email] = link
            if link.user_id is not None:
                by_user[link.user_id] = link
        EnterpriseEnrollment.objects.bulk_create(
            [
                EnterpriseEnrollment(
                    customer=job.customer,
                    learner=by_user.get(user_by_email[email]) or by_email[email],
                    enrollment=result.enrollment,
                    license_uuid=license_.uuid,
                )
                for email, result, license_ in accepted
            ],
            ignore_conflicts=True,  # already recorded (an enrollment is recorded once)
        )
    # One UPDATE per distinct outcome, not per row.
    for (outcome, notes), ids in outcomes.items():
        BulkEnrollmentJobRow.objects.filter(pk__in=ids).update(result=outcome, notes=notes)


@transaction.atomic
def _job_succeed(job_pk, enrolled: dict[str, list[tuple[str, str]]]) -> None:
    job = BulkEnrollmentJob.objects.select_related("customer").select_for_update(of=("self",)).get(pk=job_pk)
    job.status, job.finished = BulkEnrollmentJob.Status.SUCCEEDED, timezone.now()
    job.save(update_fields=["status", "finished"])
    if job.notify and enrolled:
        customer_name, mails = job.customer.name, dict(enrolled)
        transaction.on_commit(lambda: bulk_enrollment_emails_send(customer_name=customer_name, enrolled=mails))


@transaction.atomic
def _job_fail(job_pk, exc: BaseException) -> None:
    BulkEnrollmentJobRow.objects.filter(job_id=job_pk, result=Result.QUEUED).update(
        result=Result.FAILED, notes=NOTE_JOB_FAILED
    )
    BulkEnrollmentJob.objects.filter(pk=job_pk).update(
        status=BulkEnrollmentJob.Status.FAILED,
        error=f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__,
        finished=timezone.now(),
    )
