"""A learner's license activation releases the job rows that waited for it.

A bulk license enrollment job leaves a learner whose license is only assigned ``pending``
("pending license activation"; reference/enterprise.md §4.8). When that learner activates the
license, the rows of the customer's jobs waiting on it are processed then, in the activation's
transaction: the learner is enrolled and the rows become ``success`` (or ``failed`` with the
reason a run refused), as if the job had met the activated license. Lives here, above
subscriptions, because jobs know licenses and not the other way round.
"""

from __future__ import annotations

from collections import defaultdict

from django.db import transaction

from coursegate.enterprise_jobs.models import BulkEnrollmentJob, BulkEnrollmentJobRow
from coursegate.enterprise_jobs.runner import NOTE_PENDING_ACTIVATION, bulk_enrollment_rows_process
from coursegate.subscriptions.learner import learner_license_activate
from coursegate.subscriptions.models import License


@transaction.atomic
def license_activate_and_release_rows(*, license: License, user) -> License:
    """Activate ``license`` for ``user`` (subscriptions.learner.learner_license_activate) and
    process the job rows of its customer that waited for this learner's activation."""
    activated = learner_license_activate(license=license, user=user)
    if activated.status == License.Status.ACTIVATED:
        bulk_enrollment_rows_release(customer_id=activated.plan.customer_id, email=activated.user_email)
    return activated


def bulk_enrollment_rows_release(*, customer_id, email: str) -> int:
    """Process the customer's job rows for ``email`` left ``pending`` for want of an activated
    license; returns how many rows were processed. A constant number of queries per job."""
    waiting = BulkEnrollmentJobRow.objects.filter(
        job__customer_id=customer_id,
        email=email,
        result=BulkEnrollmentJobRow.Result.PENDING,
        notes=NOTE_PENDING_ACTIVATION,
    ).order_by("job_id", "id")
    by_job: dict[object, list[BulkEnrollmentJobRow]] = defaultdict(list)
    for row in waiting.select_for_update(of=("self",)):
        by_job[row.job_id].append(row)
    if not by_job:
        return 0
    jobs = BulkEnrollmentJob.objects.select_related("customer", "requested_by").in_bulk(list(by_job))
    for job_id, rows in by_job.items():
        bulk_enrollment_rows_process(job=jobs[job_id], rows=rows)
    return sum(len(rows) for rows in by_job.values())
