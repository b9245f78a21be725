"""Constants and helpers shared by the bulk license enrollment contract tests
(test_bulk_license_enrollment.py: POST and who may call; test_bulk_license_enrollment_job.py: GET)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from rest_framework import serializers

from coursegate.enterprise_jobs.services import bulk_enrollment_job_create
from coursegate.subscriptions.models import License
from coursegate.subscriptions.services import plan_upsert
from tests.api.enterprise.conftest import CUSTOMER_A

PATH = "/enterprise/v1/bulk-license-enrollment"
POST_A = f"{PATH}?enterprise_customer_uuid={CUSTOMER_A}"
FIH = "course-v1:HarvardX+FIH+3T2023"  # in catalog A; offers audit and verified
SPORT = "course-v1:MyUni+Sport101x"  # in catalogs A and B
TR = "course-v1:edx+tr1012+1T2021"  # in catalog A
NOT_FOUND = {"detail": "Not found."}
PLAN_A = "904b1785-9d3a-1000-848d-6ae7a56e6355"


def iso(value) -> str:
    return serializers.DateTimeField().to_representation(value)


def job_url(job, customer: str = CUSTOMER_A) -> str:
    return f"{PATH}?enterprise_customer_uuid={customer}&bulk_enrollment_job_uuid={job.uuid}"


def license_world(enterprise_world, make_run, make_user):
    """Catalog A's runs as real course runs, plans of A and B, and license holders of A:
    ann (activated), bob (assigned); cid has no license."""
    world = enterprise_world
    make_run(FIH, modes=("audit", "verified"))
    make_run(SPORT, modes=("audit",))
    make_run(TR, modes=("audit",))
    dates = {"start_date": datetime(2024, 1, 1, tzinfo=UTC), "expiration_date": datetime(2099, 12, 31, tzinfo=UTC)}
    world.plan_a = plan_upsert(uuid=PLAN_A, customer=world.customer_a, catalog=world.catalog_a, title="A",
                               num_licenses=0, **dates)  # fmt: skip
    world.plan_b = plan_upsert(uuid=uuid.uuid4(), customer=world.customer_b, catalog=world.catalog_b, title="B",
                               num_licenses=0, **dates)  # fmt: skip
    world.ann = make_user("ann")
    License.objects.create(plan=world.plan_a, status="activated", user_email="ann@example.com", lms_user=world.ann)
    License.objects.create(plan=world.plan_a, status="assigned", user_email="bob@example.com")
    return world


def job_of(world, customer=None, emails=("ann@example.com",), keys=(FIH,)):
    return bulk_enrollment_job_create(
        customer=customer or world.customer_a, emails=list(emails), course_run_keys=list(keys), notify=False,
        actor=world.users["admin_a"],
    )  # fmt: skip


BODY = {"emails": ["ann@example.com", "Bob@Example.com", "cid@example.com"], "course_run_keys": [FIH, SPORT],
        "notify": False}  # fmt: skip
