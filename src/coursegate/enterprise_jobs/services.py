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
from typing import Any
from uuid import UUID

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.db.models import QuerySet

from coursegate.accounts.services import EMAIL_MAX_LENGTH
from coursegate.core.course_keys import InvalidKeyError, parse_course_run_key
from coursegate.enterprise.models import EnterpriseCustomer
from coursegate.enterprise_jobs.dispatch import bulk_enrollment_job_dispatch
from coursegate.enterprise_jobs.exceptions import BulkEnrollmentRequestInvalidError
from coursegate.enterprise_jobs.models import BulkEnrollmentJob, BulkEnrollmentJobRow
from coursegate.subscriptions.models import License, SubscriptionPlan

_ROW_INSERT_BATCH = 5000
# Most pairs of an enroll_all job (COURSEGATE_BULK_ENROLL_ALL_MAX_PAIRS overrides it): a plan of
# 100,000 holders in two course runs.
ENROLL_ALL_MAX_PAIRS = 200_000


def _emails_clean(emails: Sequence[object]) -> tuple[list[str], dict[str, list[str]]]:
    """(e-mails lower-cased and de-duplicated, errors), order kept."""
    clean: dict[str, None] = {}
    bad = []
    for email in emails or ():
        value = email.strip().lower() if isinstance(email, str) else ""
        try:
            if not value or len(value) > EMAIL_MAX_LENGTH:
                raise ValidationError("invalid")
            validate_email(value)
        except ValidationError:
            bad.append(email)
        else:
            clean.setdefault(value)
    if not emails:
        return [], {"emails": ["This list may not be empty."]}
    if bad:
        return list(clean), {"emails": [f"Enter a valid email address: {value!r}." for value in bad]}
    return list(clean), {}


def _keys_clean(course_run_keys: Sequence[str]) -> tuple[list[str], dict[str, list[str]]]:
    """(course run keys de-duplicated, errors), order kept."""
    clean: dict[str, None] = {}
    bad = []
    for key in course_run_keys or ():
        try:
            parse_course_run_key(key)
        except InvalidKeyError:
            bad.append(key)
        else:
            clean.setdefault(key)
    if not course_run_keys:
        return [], {"course_run_keys": ["This list may not be empty."]}
    if bad:
        return list(clean), {"course_run_keys": [f"Not a valid course run key: {key!r}." for key in bad]}
    return list(clean), {}


@transaction.atomic
def bulk_enrollment_job_create(
    *,
    customer: EnterpriseCustomer,
    emails: Sequence[str] | None,
    course_run_keys: Sequence[str],
    notify: bool,
    subscription_uuid: UUID | None = None,
    enroll_all: bool = False,
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

    ``enroll_all`` (reference §4.8): the learners are every assigned or activated license holder of
    the plan ``subscription_uuid`` (required then, under the reference's name ``subscription_id``)
    instead of ``emails``, which are ignored. The holders are selected and their rows inserted by
    one INSERT ... SELECT (a constant number of queries however many holders), capped at
    ``COURSEGATE_BULK_ENROLL_ALL_MAX_PAIRS`` pairs; a job over ``COURSEGATE_BULK_ENROLL_MAX_PAIRS``
    is not run inside the request without a broker (dispatch.py).
    Raises BulkEnrollmentRequestInvalidError.
    """
    clean_emails, errors = ([], {}) if enroll_all else _emails_clean(emails or ())
    clean_keys, key_errors = _keys_clean(course_run_keys)
    errors.update(key_errors)
    limit = getattr(settings, "COURSEGATE_BULK_ENROLL_LIMIT", 1000)
    requested = (0 if enroll_all else len(emails or ())) + len(course_run_keys or ())
    if requested > limit:
        errors["non_field_errors"] = [
            f"Too many provided enrollments, please try a smaller request: {requested} e-mails and course run "
            f"keys, the limit is {limit}."
        ]
    if enroll_all and subscription_uuid is None:
        errors["subscription_id"] = ["This field is required when enroll_all is provided"]  # reference wording
    if (
        subscription_uuid is not None
        and not SubscriptionPlan.objects.filter(pk=subscription_uuid, customer=customer).exists()
    ):
        errors["subscription_uuid"] = [f"{subscription_uuid} is not a subscription plan of this customer."]
    holders = _holders(subscription_uuid) if enroll_all and subscription_uuid is not None else None
    learners = holders.count() if holders is not None else len(clean_emails)
    max_pairs = settings.COURSEGATE_BULK_ENROLL_MAX_PAIRS
    if enroll_all:
        max_pairs = getattr(settings, "COURSEGATE_BULK_ENROLL_ALL_MAX_PAIRS", ENROLL_ALL_MAX_PAIRS)
    if learners * len(clean_keys) > max_pairs:
        # 500 e-mails x 500 runs would be 250,000 enrollments: far longer than a request may take
        # when jobs run in-process (no broker), and than a results page should hold.
        errors.setdefault("non_field_errors", []).append(
            f"Too many provided enrollments, please try a smaller request: {learners} e-mails x "
            f"{len(clean_keys)} course runs is more than {max_pairs} enrollments."
        )
    if errors:
        raise BulkEnrollmentRequestInvalidError(errors)

    job = BulkEnrollmentJob.objects.create(
        customer=customer,
        requested_by=actor if getattr(actor, "pk", None) is not None else None,
        subscription_uuid=subscription_uuid,
        notify=bool(notify),
    )
    if holders is not None:
        _holder_rows_insert(job, holders, clean_keys)
    else:
        pairs = (
            BulkEnrollmentJobRow(job=job, email=email, course_run_key=key)
            for email in clean_emails
            for key in clean_keys
        )
        while batch := list(itertools.islice(pairs, _ROW_INSERT_BATCH)):
            BulkEnrollmentJobRow.objects.bulk_create(batch)
    total = learners * len(clean_keys)
    # robust: nothing raised after the commit may turn the recorded job into an error answer.
    transaction.on_commit(lambda: bulk_enrollment_job_dispatch(job_pk=job.pk, pairs=total), robust=True)
    return job


def _holders(plan_uuid: UUID) -> QuerySet[License]:
    """The plan's live licenses: one per holder (a DB constraint: one live license per e-mail and plan)."""
    return License.objects.filter(
        plan_id=plan_uuid, status__in=[License.Status.ASSIGNED, License.Status.ACTIVATED]
    ).exclude(user_email="")


def _holder_rows_insert(job: BulkEnrollmentJob, holders: QuerySet[License], keys: list[str]) -> None:
    """One queued row per (holder, key), in one INSERT ... SELECT: holder by holder (e-mail order),
    keys in request order, as the runner expects (a learner's rows are consecutive ids)."""
    if not keys:
        return
    select, params = holders.values("user_email").query.sql_with_params()
    quote = connection.ops.quote_name
    fields = {field.name: field for field in BulkEnrollmentJobRow._meta.concrete_fields}
    names = ("job", "email", "course_run_key", "result", "notes")
    columns = ", ".join(quote(str(fields[name].column)) for name in names)
    job_id = fields["job"].get_db_prep_value(job.pk, connection)
    arguments: list[Any] = [job_id, BulkEnrollmentJobRow.Result.QUEUED, *params]
    for position, key in enumerate(keys):
        arguments += [position, key]
    # VALUES' columns are column1, column2 on SQLite and PostgreSQL alike.
    values = ", ".join(["(%s, %s)"] * len(keys))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(BulkEnrollmentJobRow._meta.db_table)} ({columns}) "
            f"SELECT %s, h.user_email, k.column2, %s, '' FROM ({select}) h CROSS JOIN (VALUES {values}) k "
            "ORDER BY h.user_email, k.column1",
            arguments,
        )
