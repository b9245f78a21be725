"""Bulk license enrollment jobs — running one: its queued rows, in chunks, through the shared
enrollment service (seed 003, "bulk-license-enrollment Endpoint"; reference/enterprise.md §4.8,
§5.3; issue 4).

Called by the Celery task (tasks.py), in-process or on a worker; never by the creation service
(services.py), which only dispatches the job (dispatch.py).

Durability (issue 11): a run first claims the job (a conditional UPDATE: pending, or running with a
stale heartbeat -> running, attempt + 1), so a redelivered or re-queued task finding the job held
or finished does nothing. Each chunk is one transaction that writes the heartbeat and checks the
claim before touching rows; a killed worker's chunk rolls back whole, and the next run resumes at
the rows still queued, so a pair is never enrolled, recorded or counted twice.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime

from django.conf import settings
from django.db import OperationalError, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone

from coursegate.accounts.models import User
from coursegate.catalogs.models import CatalogItem, ContentItem
from coursegate.courses.selectors import course_run_best_paid_mode, course_runs_by_key
from coursegate.enrollments.models import Source
from coursegate.enrollments.services import EnrollmentRequest, Outcome, enrollments_bulk_upsert
from coursegate.enterprise.models import EnterpriseEnrollment, EnterpriseLearner
from coursegate.enterprise.services import learners_link_bulk
from coursegate.enterprise_jobs.models import BulkEnrollmentJob, BulkEnrollmentJobRow, job_max_attempts
from coursegate.enterprise_jobs.notifications import bulk_enrollment_emails_enqueue
from coursegate.subscriptions.models import License, SubscriptionPlan

log = logging.getLogger(__name__)

# Rows per transaction while a job runs (COURSEGATE_JOB_CHUNK_SIZE overrides it): each chunk
# commits, so the rows (the progress) advance visibly, and one call of the shared enrollment
# service handles a whole chunk. A chunk must take well under COURSEGATE_JOB_HEARTBEAT_SECONDS: the
# heartbeat is written once per chunk.
JOB_CHUNK_SIZE = 500

NOTE_PENDING_ACTIVATION = "pending license activation"  # reference §4.8 wording
NOTE_MISSING_SUBSCRIPTION = "missing subscription"  # reference §4.8 wording
NOTE_RUN_NOT_FOUND = "course run not found"
NOTE_NO_ACCOUNT = "no learner account for this e-mail"
NOTE_ALREADY_ENROLLED = "already enrolled"
NOTE_JOB_FAILED = "not processed: the job failed"

Status = BulkEnrollmentJob.Status

Result = BulkEnrollmentJobRow.Result


def bulk_enrollment_job_claim(*, job_pk) -> int | None:
    """Take the job for this run; returns the run's attempt number (its claim), or None when the
    job is not claimable: another run holds it (fresh heartbeat), it is finished, or it has used
    COURSEGATE_JOB_MAX_ATTEMPTS attempts (the sweep fails it).

    One conditional UPDATE decides, so of two runs racing for a job exactly one gets it.
    """
    now = timezone.now()
    with transaction.atomic():
        claimed = (
            BulkEnrollmentJob.objects.claimable(now=now)
            .filter(pk=job_pk)
            .update(
                status=Status.RUNNING,
                heartbeat=now,
                attempts=F("attempts") + 1,
                started=Coalesce(F("started"), Value(now)),
            )
        )
        if not claimed:
            return None
        # Still inside the transaction that updated (and so locked) the row: our own number.
        return BulkEnrollmentJob.objects.values_list("attempts", flat=True).get(pk=job_pk)


def bulk_enrollment_job_run(*, job: BulkEnrollmentJob) -> BulkEnrollmentJob:
    """Claim the job, process its queued rows and finish it; returns the job as stored afterwards
    (untouched when it could not be claimed).

    For each (e-mail, run) row: an unknown run fails ("course run not found"); otherwise the
    learner needs an assigned or activated license of the job's customer (of
    ``job.subscription_uuid`` when given) in a plan active now whose catalog holds the run or its
    course, latest-expiring plan first (reference §4.8). Activated: enrolled through the shared
    enrollment service (all rules apply; a refusal fails the row with its reason), recorded as an
    enterprise enrollment of a linked learner -> ``success``. Assigned only -> ``pending``
    ("pending license activation"). No such license -> ``failed`` ("missing subscription").

    Rows are processed in chunks (JOB_CHUNK_SIZE), one transaction each, with a constant number of
    queries per chunk; a job run before (a worker died) resumes at its queued rows. An unexpected
    error fails the job with its text and the rows not yet processed. A lost database connection
    (OperationalError) or the process being stopped under the job (SystemExit, e.g. gunicorn's
    timeout in an in-process job) hands the job back to the sweep instead, and is re-raised.
    With ``job.notify``, each newly enrolled learner gets one e-mail listing its new enrollments:
    an outbox row written by the chunk that enrolled it (a learner's rows are never split between
    chunks), so it exists exactly when the enrollments do, and is delivered by the outbox sender.
    """
    attempt = bulk_enrollment_job_claim(job_pk=job.pk)
    if attempt is not None:
        try:
            finished = _job_process(job.pk, attempt)
        except OperationalError:
            _job_release(job.pk, attempt)
            raise
        except Exception as exc:  # recorded on the job: a job is never left running by an error
            log.exception("bulk enrollment job %s failed", job.pk)
            bulk_enrollment_job_fail(job_pk=job.pk, error=_error_text(exc), attempt=attempt)
        except BaseException:
            _job_release(job.pk, attempt)
            raise
        else:
            if finished:
                _job_succeed(job.pk, attempt)
    job.refresh_from_db()
    return job


def _job_process(job_pk, attempt: int) -> bool:
    """Run every queued row; False when another run took the job over (this one's heartbeat went
    stale) and this one stopped."""
    job = BulkEnrollmentJob.objects.select_related("customer", "requested_by").get(pk=job_pk)
    context = _job_context(job, timezone.now())

    chunk_size = getattr(settings, "COURSEGATE_JOB_CHUNK_SIZE", JOB_CHUNK_SIZE)
    last_id = 0  # walk the rows in id order (the primary key index), never re-scanning done ones
    while True:
        with transaction.atomic():
            # The heartbeat, written only while the claim is ours; the UPDATE also locks the job's
            # row until the chunk commits, so a run that took the job over waits for this chunk,
            # then reads the rows it finished.
            beating = BulkEnrollmentJob.objects.filter(pk=job.pk, status=Status.RUNNING, attempts=attempt)
            if not beating.update(heartbeat=timezone.now()):
                log.warning("bulk enrollment job %s: attempt %s was superseded; stopping", job.pk, attempt)
                return False
            queued = BulkEnrollmentJobRow.objects.filter(job=job, result=Result.QUEUED, id__gt=last_id).order_by("id")
            rows = list(queued[:chunk_size])
            if not rows:
                return True
            if len(rows) == chunk_size:
                # The rest of the last learner's rows (rows are recorded e-mail by e-mail): one
                # chunk enrolls a learner in all its runs, so it gets one e-mail for them.
                rows += queued.filter(id__gt=rows[-1].pk, email=rows[-1].email)
            last_id = rows[-1].pk
            _job_chunk_process(job, rows, **context)


def _job_context(job: BulkEnrollmentJob, now: datetime, keys: set[str] | None = None) -> dict:
    """What every chunk of ``job`` needs (the runs of ``keys``, default all of the job's): the runs
    by key, the customer's plans active now (latest-expiring first), the plans covering each run,
    and the mode a license enrolls in on each run."""
    if keys is None:
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
    return {
        "runs": runs,
        "plans": plans,
        "plans_for_run": _plans_covering(plans, runs),
        "modes": {key: _license_mode(run, now) for key, run in runs.items()},
    }


def bulk_enrollment_rows_process(*, job: BulkEnrollmentJob, rows: list[BulkEnrollmentJobRow]) -> None:
    """Process ``rows`` of ``job`` again, now, as a chunk of its run does (same rules, outcomes,
    enterprise enrollments and e-mail), in the caller's transaction: the rows a learner's license
    activation releases (activation.py). A row already ``success`` stays so (enrolling is idempotent)."""
    if rows:
        _job_chunk_process(job, rows, **_job_context(job, timezone.now(), {row.course_run_key for row in rows}))


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
    """The track a license pays for (courses.selectors.course_run_best_paid_mode); a run offering
    none of those gets its default mode."""
    return course_run_best_paid_mode(run, now=now)


def _job_chunk_process(job, rows, *, runs, plans, plans_for_run, modes) -> None:
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
    enrolled: dict[str, list[tuple[str, str]]] = defaultdict(list)  # e-mail -> new (title, run key)
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
    if job.notify and enrolled:
        # In this chunk's transaction: the e-mails exist exactly when the enrollments do.
        bulk_enrollment_emails_enqueue(customer_name=job.customer.name, enrolled=enrolled)


def _job_succeed(job_pk, attempt: int) -> None:
    # Only while the claim is ours: a run that took the job over finishes it.
    BulkEnrollmentJob.objects.filter(pk=job_pk, status=Status.RUNNING, attempts=attempt).update(
        status=Status.SUCCEEDED, finished=timezone.now()
    )


@transaction.atomic
def bulk_enrollment_job_fail(
    *, job_pk, error: str, attempt: int | None = None, stalled_as_of: datetime | None = None
) -> bool:
    """Fail the job with ``error`` and its rows not yet processed; False when it is not ours to fail.

    ``attempt``: only while that run still holds it. ``stalled_as_of``: only while it is still a
    stalled job out of attempts (the sweep giving up; no run can claim such a job meanwhile).
    """
    job = BulkEnrollmentJob.objects.filter(pk=job_pk)
    if attempt is not None:
        job = job.filter(status=Status.RUNNING, attempts=attempt)
    if stalled_as_of is not None:
        job = job.stalled(now=stalled_as_of).filter(attempts__gte=job_max_attempts())
    if not job.update(status=Status.FAILED, error=error, finished=timezone.now()):
        return False
    BulkEnrollmentJobRow.objects.filter(job_id=job_pk, result=Result.QUEUED).update(
        result=Result.FAILED, notes=NOTE_JOB_FAILED
    )
    return True


def _job_release(job_pk, attempt: int) -> None:
    """Hand the job back to the sweep at once (heartbeat and dispatch time cleared) rather than
    after COURSEGATE_JOB_STALE_SECONDS; best effort, since the database may be what failed."""
    try:
        BulkEnrollmentJob.objects.filter(pk=job_pk, status=Status.RUNNING, attempts=attempt).update(
            heartbeat=None, dispatched=None
        )
    except Exception:
        log.warning("bulk enrollment job %s: could not hand it back; it is re-queued once stale", job_pk)
    else:
        log.warning("bulk enrollment job %s: attempt %s interrupted; handed back to the sweep", job_pk, attempt)


def _error_text(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
