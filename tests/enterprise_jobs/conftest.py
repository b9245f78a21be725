"""Fixtures of the bulk license enrollment job tests: a customer with catalogs, plans and runs
(``world``), and helpers to record a job and read its rows.

The jobs run in-process here (no CELERY_BROKER_URL: always-eager); test_jobs_celery.py runs one on
a real worker.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from coursegate.catalogs.models import ContentItem
from coursegate.catalogs.services import catalog_add_items, catalog_upsert, content_item_upsert
from coursegate.enterprise.services import customer_upsert
from coursegate.enterprise_jobs.models import BulkEnrollmentJob, BulkEnrollmentJobRow
from coursegate.enterprise_jobs.services import bulk_enrollment_job_create
from coursegate.subscriptions.models import License
from coursegate.subscriptions.services import plan_upsert

RUN = "course-v1:Acme+Lic101+2026"  # in the catalog as a course run; offers audit and verified
BY_COURSE = "course-v1:Acme+Whole+2026"  # its course Acme+Whole is in the catalog; audit only
OUTSIDE = "course-v1:Acme+Outside+2026"  # exists, in no catalog
CLOSED = "course-v1:Acme+Closed+2020"  # in the catalog, enrollment window over
UNKNOWN = "course-v1:Acme+Nowhere+2026"  # well-formed, no such run
Status = BulkEnrollmentJob.Status


@pytest.fixture
def world(db, make_user, make_run):
    now = timezone.now()
    customer = customer_upsert(uuid=uuid.uuid4(), name="Acme", slug="acme")
    other = customer_upsert(uuid=uuid.uuid4(), name="Other", slug="other")
    runs = {
        RUN: make_run(RUN, modes=("audit", "verified")),
        BY_COURSE: make_run(BY_COURSE, modes=("audit",)),
        OUTSIDE: make_run(OUTSIDE, modes=("audit",)),
        CLOSED: make_run(CLOSED, modes=("audit",), enrollment_end=now - timedelta(days=1)),
    }
    items = [
        content_item_upsert(content_type=ContentItem.Type.COURSE_RUN, content_key=RUN, parent_key="Acme+Lic101"),
        content_item_upsert(content_type=ContentItem.Type.COURSE, content_key="Acme+Whole"),
        content_item_upsert(content_type=ContentItem.Type.COURSE_RUN, content_key=CLOSED, parent_key="Acme+Closed"),
    ]
    catalog = catalog_upsert(uuid=uuid.uuid4(), customer=customer, title="Acme catalog")
    catalog_add_items(catalog=catalog, items=items)
    narrow = catalog_upsert(uuid=uuid.uuid4(), customer=customer, title="Acme narrow catalog")
    other_catalog = catalog_upsert(uuid=uuid.uuid4(), customer=other, title="Other catalog")
    catalog_add_items(catalog=other_catalog, items=items)

    def plan(owner, on_catalog, *, start=now - timedelta(days=30), end=now + timedelta(days=365), **fields):
        return plan_upsert(
            uuid=uuid.uuid4(), customer=owner, catalog=on_catalog, title="plan", start_date=start,
            expiration_date=end, num_licenses=0, **fields,
        )  # fmt: skip

    def license_for(email, status="activated", *, on=None, user=None):
        user = (
            user
            if user is not None
            else (make_user(email.split("@")[0], email=email) if status == "activated" else None)
        )
        return License.objects.create(
            plan=on or world.plan,
            status=status,
            user_email=email.lower(),
            lms_user=user,
            assigned_date=now,
            activation_date=now if status == "activated" else None,
        )

    world = SimpleNamespace(
        customer=customer, other=other, runs=runs, catalog=catalog, narrow=narrow, other_catalog=other_catalog,
        plan=None, make_plan=plan, license_for=license_for, admin=make_user("acme_admin"), now=now,
    )  # fmt: skip
    world.plan = plan(customer, catalog)
    return world


def create(world, emails, keys, *, notify=False, **extra):
    return bulk_enrollment_job_create(
        customer=world.customer, emails=emails, course_run_keys=keys, notify=notify, actor=world.admin, **extra
    )


def rows(job) -> list[tuple[str, str, str, str]]:
    return list(BulkEnrollmentJobRow.objects.filter(job=job).values_list("email", "course_run_key", "result", "notes"))


def run_job(world, emails, keys, django_capture_on_commit_callbacks, **extra):
    """Create a job and let it run as it does in production without a broker: after commit."""
    with django_capture_on_commit_callbacks(execute=True):
        job = create(world, emails, keys, **extra)
    job.refresh_from_db()
    return job
