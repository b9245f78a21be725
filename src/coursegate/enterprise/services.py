"""Enterprise writes: customers, learner links, enterprise enrollments and their progress.

(Bulk license enrollment jobs are at the end of this module.)
"""

from __future__ import annotations

import itertools
import logging
from collections import defaultdict
from collections.abc import Sequence

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone

from coursegate.accounts.models import User
from coursegate.accounts.services import EMAIL_MAX_LENGTH
from coursegate.catalogs.models import CatalogItem, ContentItem
from coursegate.core.course_keys import InvalidKeyError, parse_course_run_key
from coursegate.courses.selectors import course_run_modes, course_runs_by_key
from coursegate.enrollments.models import Source
from coursegate.enrollments.services import EnrollmentRequest, Outcome, enrollments_bulk_upsert
from coursegate.enterprise.jobs import BulkEnrollmentRequestInvalidError
from coursegate.enterprise.models import (
    BulkEnrollmentJob,
    BulkEnrollmentJobRow,
    EnterpriseCustomer,
    EnterpriseEnrollment,
    EnterpriseLearner,
)
from coursegate.enterprise.notifications import bulk_enrollment_emails_send
from coursegate.subscriptions.models import License, SubscriptionPlan

log = logging.getLogger(__name__)


def customer_upsert(*, uuid, name: str, slug: str, contact_email: str = "") -> EnterpriseCustomer:
    customer, _ = EnterpriseCustomer.objects.update_or_create(
        uuid=uuid, defaults={"name": name, "slug": slug, "contact_email": contact_email}
    )
    return customer


def learner_link(*, customer: EnterpriseCustomer, email: str, user=None) -> EnterpriseLearner:
    """Link an e-mail (and its account, when there is one) to a customer (idempotent)."""
    learner, created = EnterpriseLearner.objects.get_or_create(
        customer=customer, email=email.strip().lower(), defaults={"user": user}
    )
    if not created and user is not None and learner.user_id != user.pk:
        learner.user = user
        learner.save(update_fields=["user"])
    return learner


@transaction.atomic
def enterprise_enrollment_record(
    *, customer, learner, enrollment, license_uuid=None, **progress
) -> EnterpriseEnrollment:
    """Record that ``enrollment`` was made under ``customer`` (idempotent); ``progress`` sets any of
    the progress fields (current_grade, letter_grade, has_passed, passed_date, last_activity_date,
    progress_status)."""
    record, _ = EnterpriseEnrollment.objects.update_or_create(
        enrollment=enrollment,
        defaults={"customer": customer, "learner": learner, "license_uuid": license_uuid, **progress},
    )
    return record


def learners_link_bulk(*, customer: EnterpriseCustomer, emails) -> int:
    """``learner_link`` for many e-mails at once, set-based (license assignment links thousands):
    missing links are created with the account whose e-mail matches (case-insensitively), and
    existing links without an account get it. Never touches a link's ``active`` flag, as
    ``learner_link``. Returns how many e-mails had no link before. A constant number of queries per
    1,000 e-mails."""
    # Imports kept local: this function was appended by the subscriptions area (issue 4).
    from django.contrib.auth import get_user_model
    from django.db.models.functions import Lower

    emails = list(dict.fromkeys(e.strip().lower() for e in emails if e and e.strip()))
    new = 0
    for start in range(0, len(emails), 1000):
        chunk = emails[start : start + 1000]
        users = dict(
            get_user_model()
            .objects.exclude(email="")  # lets PostgreSQL use the partial index on lower(email)
            .annotate(email_lower=Lower("email"))
            .filter(email_lower__in=chunk)
            .values_list("email_lower", "pk")
        )
        existing = {
            email: (pk, user_id)
            for pk, email, user_id in EnterpriseLearner.objects.filter(customer=customer, email__in=chunk).values_list(
                "pk", "email", "user_id"
            )
        }
        fresh = [
            EnterpriseLearner(customer=customer, email=email, user_id=users.get(email))
            for email in chunk
            if email not in existing
        ]
        new += len(fresh)
        # ignore_conflicts: a concurrent link of the same e-mail, or an account already linked
        # under another e-mail (one link per customer and account), is left as it is.
        EnterpriseLearner.objects.bulk_create(fresh, ignore_conflicts=True)
        pending = {pk: users[email] for email, (pk, user_id) in existing.items() if user_id is None and email in users}
        if pending:
            taken = set(
                EnterpriseLearner.objects.filter(customer=customer, user_id__in=pending.values()).values_list(
                    "user_id", flat=True
                )
            )
            EnterpriseLearner.objects.bulk_update(
                [EnterpriseLearner(pk=pk, user_id=user_id) for pk, user_id in pending.items() if user_id not in taken],
                ["user"],
            )
    return new


# =================================================================================================
# Bulk license enrollment jobs — POST/GET /enterprise/v1/bulk-license-enrollment (seed 003,
# "bulk-license-enrollment Endpoint"; reference/enterprise.md §4.8, §5.3; issue 4).
# Reads and domain errors: enterprise/jobs.py; Celery wrapper: enterprise/tasks.py.
# =================================================================================================

# Rows per transaction while a job runs: each chunk commits, so the rows (the progress) advance
# visibly, and one call of the shared enrollment service handles a whole chunk.
JOB_CHUNK_SIZE = 500
_ROW_INSERT_BATCH = 5000
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


def _job_request_clean(emails, course_run_keys) -> tuple[list[str], list[str], dict[str, list[str]]]:
    """(e-mails lower-cased and de-duplicated, keys de-duplicated, errors), order kept."""
    errors: dict[str, list[str]] = {}
    clean_emails: dict[str, None] = {}
    bad_emails = []
    for email in emails or ():
        value = email.strip().lower() if isinstance(email, str) else ""
        try:
            if not value or len(value) > EMAIL_MAX_LENGTH:
                raise ValidationError("invalid")
            validate_email(value)
        except ValidationError:
            bad_emails.append(email)
        else:
            clean_emails.setdefault(value)
    if not emails:
        errors["emails"] = ["This list may not be empty."]
    elif bad_emails:
        errors["emails"] = [f"Enter a valid email address: {value!r}." for value in bad_emails]

    clean_keys: dict[str, None] = {}
    bad_keys = []
    for key in course_run_keys or ():
        try:
            parse_course_run_key(key)
        except InvalidKeyError:
            bad_keys.append(key)
        else:
            clean_keys.setdefault(key)
    if not course_run_keys:
        errors["course_run_keys"] = ["This list may not be empty."]
    elif bad_keys:
        errors["course_run_keys"] = [f"Not a valid course run key: {key!r}." for key in bad_keys]
    return list(clean_emails), list(clean_keys), errors


@transaction.atomic
def bulk_enrollment_job_create(
    *,
    customer: EnterpriseCustomer,
    emails: Sequence[str],
    course_run_keys: Sequence[str],
    notify: bool,
    subscription_uuid=None,
    actor=None,
) -> BulkEnrollmentJob:
    """Validate a bulk license enrollment request and record it as a job with one queued row per
    (e-mail, course run) pair; the job runs after commit (in-process, or on a Celery worker when
    CELERY_BROKER_URL is set).

    Everything is checked up front and nothing is recorded unless all of it is valid: e-mails
    (lower-cased, de-duplicated), course run keys (well-formed, de-duplicated), at most
    ``settings.COURSEGATE_BULK_ENROLL_LIMIT`` e-mails + course run keys as given (seed: "Limit is
    1000 learners + course keys"), at most ``settings.COURSEGATE_BULK_ENROLL_MAX_PAIRS`` pairs, and
    ``subscription_uuid``, when given, a plan of ``customer``.
    Raises BulkEnrollmentRequestInvalidError.
    """
    from coursegate.enterprise.tasks import bulk_enrollment_job_task  # the task module imports this one

    clean_emails, clean_keys, errors = _job_request_clean(emails, course_run_keys)
    limit = getattr(settings, "COURSEGATE_BULK_ENROLL_LIMIT", 1000)
    requested = len(emails or ()) + len(course_run_keys or ())
    if requested > limit:
        errors["non_field_errors"] = [
            f"Too many provided enrollments, please try a smaller request: {requested} e-mails and course run "
            f"keys, the limit is {limit}."
        ]
    max_pairs = settings.COURSEGATE_BULK_ENROLL_MAX_PAIRS
    if len(clean_emails) * len(clean_keys) > max_pairs:
        # 500 e-mails x 500 runs would be 250,000 enrollments: far longer than a request may take
        # when jobs run in-process (no broker), and than a results page should hold.
        errors.setdefault("non_field_errors", []).append(
            f"Too many provided enrollments, please try a smaller request: {len(clean_emails)} e-mails x "
            f"{len(clean_keys)} course runs is more than {max_pairs} enrollments."
        )
    if (
        subscription_uuid is not None
        and not SubscriptionPlan.objects.filter(pk=subscription_uuid, customer=customer).exists()
    ):
        errors["subscription_uuid"] = [f"{subscription_uuid} is not a subscription plan of this customer."]
    if errors:
        raise BulkEnrollmentRequestInvalidError(errors)

    job = BulkEnrollmentJob.objects.create(
        customer=customer,
        requested_by=actor if getattr(actor, "pk", None) is not None else None,
        subscription_uuid=subscription_uuid,
        notify=bool(notify),
    )
    pairs = (
        BulkEnrollmentJobRow(job=job, email=email, course_run_key=key) for email in clean_emails for key in clean_keys
    )
    while batch := list(itertools.islice(pairs, _ROW_INSERT_BATCH)):
        BulkEnrollmentJobRow.objects.bulk_create(batch)
    transaction.on_commit(lambda: bulk_enrollment_job_task.delay(str(job.uuid)))
    return job


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
    plans = SubscriptionPlan.objects.filter(
        customer_id=job.customer_id, is_active=True, start_date__lte=now, expiration_date__gte=now
    )
    if job.subscription_uuid is not None:
        plans = plans.filter(pk=job.subscription_uuid)
    plans = list(plans.order_by("-expiration_date", "pk"))
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
    users_by_id, users_by_email = {}, {}
    if activated_emails:
        for user in User.objects.annotate(email_ci=Lower("email")).filter(
            Q(pk__in=user_ids) | Q(email_ci__in=activated_emails)
        ):
            users_by_id[user.pk] = user
            users_by_email.setdefault(user.email.lower(), user)

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
    for (result, notes), ids in outcomes.items():
        BulkEnrollmentJobRow.objects.filter(pk__in=ids).update(result=result, notes=notes)


@transaction.atomic
def _job_succeed(job_pk, enrolled: dict[str, list[tuple[str, str]]]) -> None:
    job = BulkEnrollmentJob.objects.select_related("customer").select_for_update(of=("self",)).get(pk=job_pk)
    job.status, job.finished = BulkEnrollmentJob.Status.SUCCEEDED, timezone.now()
    job.save(update_fields=["status", "finished"])
    if job.notify and enrolled:
        customer_name, mails = job.customer.name, dict(enrolled)
        transaction.on_commit(lambda: bulk_enrollment_emails_send(customer_name=customer_name, enrolled=mails))


@transaction.atomic
def _job_fail(job_pk, exc: Exception) -> None:
    BulkEnrollmentJobRow.objects.filter(job_id=job_pk, result=Result.QUEUED).update(
        result=Result.FAILED, notes=NOTE_JOB_FAILED
    )
    BulkEnrollmentJob.objects.filter(pk=job_pk).update(
        status=BulkEnrollmentJob.Status.FAILED,
        error=f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__,
        finished=timezone.now(),
    )
