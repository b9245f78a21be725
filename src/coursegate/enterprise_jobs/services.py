"""Bulk license enrollment jobs — creating one: POST /enterprise/v1/bulk-license-enrollment (seed 003,
"bulk-license-enrollment Endpoint"; reference/enterprise.md §4.8, §5.3; issue 4).

The request is validated up front, recorded as a job with one queued row per (e-mail, course run)
pair, and handed to the task after commit (dispatch.py, tasks.py), which runs it (runner.py).
Reads: selectors.py. The job row is its own dispatch request: if the broker is down after the
commit, the job is still recorded, the caller still gets it, and a sweep hands it out later.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from uuid import UUID

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from coursegate.accounts.services import EMAIL_MAX_LENGTH
from coursegate.core.course_keys import InvalidKeyError, parse_course_run_key
from coursegate.enterprise.models import EnterpriseCustomer
from coursegate.enterprise_jobs.dispatch import bulk_enrollment_job_dispatch
from coursegate.enterprise_jobs.exceptions import BulkEnrollmentRequestInvalidError
from coursegate.enterprise_jobs.models import BulkEnrollmentJob, BulkEnrollmentJobRow
from coursegate.subscriptions.models import SubscriptionPlan

_ROW_INSERT_BATCH = 5000


def _job_request_clean(
    emails: Sequence[object], course_run_keys: Sequence[str]
) -> tuple[list[str], list[str], dict[str, list[str]]]:
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
    subscription_uuid: UUID | None = None,
    actor=None,
) -> BulkEnrollmentJob:
    """Validate a bulk license enrollment request and record it as a job with one queued row per
    (e-mail, course run) pair; the job runs after commit (in-process, or on a Celery worker when
    CELERY_BROKER_URL is set). A broker that is down delays the job, never this call.

    Everything is checked up front and nothing is recorded unless all of it is valid: e-mails
    (lower-cased, de-duplicated), course run keys (well-formed, de-duplicated), at most
    ``settings.COURSEGATE_BULK_ENROLL_LIMIT`` e-mails + course run keys as given (seed: "Limit is
    1000 learners + course keys"), at most ``settings.COURSEGATE_BULK_ENROLL_MAX_PAIRS`` pairs, and
    ``subscription_uuid``, when given, a plan of ``customer``.
    Raises BulkEnrollmentRequestInvalidError.
    """
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
    # robust: nothing raised after the commit may turn the recorded job into an error answer.
    transaction.on_commit(lambda: bulk_enrollment_job_dispatch(job_pk=job.pk), robust=True)
    return job
