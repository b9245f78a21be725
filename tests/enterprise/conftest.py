"""Fixtures and helpers of the learner summary tests: a customer (``customer``), six rows that differ
in every field (``varied``), and builders of learners, runs and enterprise enrollments."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
import time_machine

from coursegate.accounts.models import User
from coursegate.accounts.services import user_create
from coursegate.catalogs.services import catalog_add_items, catalog_upsert, content_item_upsert
from coursegate.courses.services import course_mode_upsert, course_run_upsert
from coursegate.enrollments.models import Enrollment, Source
from coursegate.enrollments.services import enrollment_upsert, enrollments_bulk_deactivate
from coursegate.enterprise.learner_summary import (
    LearnerSummaryQuery,
    LearnerSummaryRows,
    learner_summary_for_customer,
)
from coursegate.enterprise.models import EnterpriseEnrollment
from coursegate.enterprise.services import customer_upsert, enterprise_enrollment_record, learner_link

CUSTOMER = uuid.UUID("11111111-2222-4333-8444-555555555555")
OTHER_CUSTOMER = uuid.UUID("99999999-2222-4333-8444-555555555555")
CATALOG_LOW = uuid.UUID("0aaaaaaa-0000-4000-8000-000000000001")
CATALOG_HIGH = uuid.UUID("fbbbbbbb-0000-4000-8000-000000000002")
LICENSE = uuid.UUID("7c0ffee0-0000-4000-8000-000000000003")

# The seed's list (its duplicate is_consent_granted once) plus the reference backend's two name fields.
SEED_FIELDS = {
    "is_consent_granted", "amount_learner_paid", "contract_id", "coupon_code", "coupon_name", "course_api_url",
    "course_duration", "course_end", "course_key", "course_list_price", "course_max_effort", "course_min_effort",
    "course_pacing_type", "course_primary_program", "course_primary_subject", "course_start", "course_title",
    "courserun_key", "created", "current_grade", "enrollment_date", "enrollment_id", "enterprise_customer_uuid",
    "enterprise_enrollment_id", "enterprise_name", "enterprise_sso_uid", "enterprise_user_id", "has_passed",
    "is_refunded", "last_activity_date", "letter_grade", "offer_name", "offer_type", "paid_by", "passed_date",
    "progress_status", "seat_delivery_method", "unenrollment_date", "unenrollment_end_within_date",
    "user_account_creation_date", "user_country", "user_current_enrollment_mode", "user_email", "user_username",
}  # fmt: skip


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def customer(db):
    return customer_upsert(uuid=CUSTOMER, name="Acme Learning", slug="acme")


def make_learner(username: str, *, country: str = "", first: str = "", last: str = "", joined: str | None = None):
    user = user_create(
        username=username, email=f"{username}@example.com", password=None, country=country, validate_password=False
    )
    User.objects.filter(pk=user.pk).update(
        first_name=first, last_name=last, date_joined=at(joined or "2024-01-01T00:00:00")
    )
    user.refresh_from_db()
    return user


def make_run(key: str, *, title: str | None = None, start=None, end=None, pacing="instructor", prices=None):
    run = course_run_upsert(key=key, title=key if title is None else title, start=start, end=end, pacing=pacing)
    for slug, price in (prices or {"audit": 0}).items():
        course_mode_upsert(course_run=run, slug=slug, name=slug.title(), min_price=price)
    return run


def enroll(customer, user, run, *, mode="audit", enrolled="2025-01-10T12:00:00", created=None, **progress):
    """An enrollment made under ``customer``, with explicit dates; ``progress`` sets the
    EnterpriseEnrollment fields (and ``source``/``license_uuid``/``is_consent_granted``)."""
    result = enrollment_upsert(user=user, course_run=run, mode=mode, source=Source.ENTERPRISE, privileged=True)
    Enrollment.objects.filter(pk=result.enrollment.pk).update(created=at(enrolled))
    learner = learner_link(customer=customer, email=user.email, user=user)
    extra = {k: progress.pop(k) for k in ("source", "is_consent_granted") if k in progress}
    record = enterprise_enrollment_record(customer=customer, learner=learner, enrollment=result.enrollment, **progress)
    EnterpriseEnrollment.objects.filter(pk=record.pk).update(created=at(created or enrolled), **extra)
    return record


def summary_for(customer_uuid=CUSTOMER, ordering: str | None = None) -> LearnerSummaryRows:
    """The summary in ``ordering``, written as the API's parameter (``field`` or ``-field``)."""
    if ordering is None:
        return learner_summary_for_customer(query=LearnerSummaryQuery(customer_uuid=customer_uuid))
    query = LearnerSummaryQuery(
        customer_uuid=customer_uuid, order_by=ordering.removeprefix("-"), descending=ordering.startswith("-")
    )
    return learner_summary_for_customer(query=query)


def rows_of(customer_uuid=CUSTOMER, ordering=None) -> list[dict]:
    summary = summary_for(customer_uuid, ordering)
    return summary[0 : summary.count()]


@pytest.fixture
def varied(customer):
    """Six rows that differ in every field that has values (several with nulls). Equal dates come
    only from equal timestamps, so ordering by the timestamp and by the date agree."""
    data = content_item_upsert(
        content_type="course",
        content_key="AcmeX+Data",
        title="Data",
        metadata={"subjects": [{"name": "data"}], "programs": [{"title": "analytics"}]},
    )
    ml = content_item_upsert(
        content_type="course", content_key="AcmeX+ML", title="ML", metadata={"subjects": [{"name": "computing"}]}
    )
    for run_key, effort in (("course-v1:AcmeX+Data+2025", (2, 10)), ("course-v1:AcmeX+ML+2025", (5, 8))):
        metadata = {"min_effort": effort[0], "max_effort": effort[1]}
        content_item_upsert(content_type="courserun", content_key=run_key, metadata=metadata)
    catalog_add_items(catalog=catalog_upsert(uuid=CATALOG_HIGH, customer=customer, title="high"), items=[data])
    catalog_add_items(catalog=catalog_upsert(uuid=CATALOG_LOW, customer=customer, title="low"), items=[ml])
    runs = {
        "data": make_run(
            "course-v1:AcmeX+Data+2025",
            title="data science",
            start=at("2025-01-06T00:00:00"),
            end=at("2025-02-03T00:00:00"),
            pacing="self",
            prices={"audit": 0, "verified": 49},
        ),
        "ml": make_run(
            "course-v1:AcmeX+ML+2025",
            title="machine learning",
            start=at("2025-02-03T00:00:00"),
            end=at("2025-05-26T00:00:00"),
            prices={"audit": 0, "verified": 99},
        ),
        "open": make_run("course-v1:AcmeX+Open+2025", title="", prices={"audit": 0, "verified": 10}),
    }
    people = [
        make_learner("ivan", country="US", first="ivan", last="zed", joined="2024-03-01T10:00:00"),
        make_learner("judy", country="", first="", last="", joined="2024-02-01T10:00:00"),
        make_learner("kate", country="DE", first="kate", last="young", joined="2024-05-01T10:00:00"),
        make_learner("liam", country="BR", first="liam", last="", joined="2024-01-01T10:00:00"),
        make_learner("mona", country="US", first="mona", last="xu", joined="2024-04-01T10:00:00"),
        make_learner("nick", country="IN", first="", last="wolf", joined="2024-06-01T10:00:00"),
    ]
    specs = [
        ("data", "verified", "2025-01-02T12:00:00", "2025-03-01T00:00:00", {"current_grade": 0.9, "letter_grade": "a",
         "has_passed": True, "passed_date": at("2025-03-01T00:00:00"), "progress_status": "passed",
         "license_uuid": LICENSE, "last_activity_date": at("2025-03-01T00:00:00")}),
        ("ml", "audit", "2025-01-20T12:00:00", "2025-04-01T00:00:00", {"current_grade": 0.2,
         "last_activity_date": at("2025-04-02T00:00:00"), "progress_status": "failed", "is_consent_granted": False}),
        ("open", "verified", "2025-01-09T12:00:00", "2025-03-10T00:00:00", {"current_grade": 0.5,
         "last_activity_date": at("2025-03-10T00:00:00"), "source": "manual"}),
        ("data", "audit", "2025-01-14T12:00:00", "2025-02-10T00:00:00", {"current_grade": None,
         "last_activity_date": None, "progress_status": "in_progress"}),
        ("ml", "verified", "2025-02-12T12:00:00", "2025-03-20T00:00:00", {"current_grade": 0.75, "letter_grade": "b",
         "has_passed": True, "passed_date": at("2025-03-19T00:00:00"), "progress_status": "passed",
         "last_activity_date": at("2025-03-20T00:00:00")}),
        ("open", "audit", "2025-01-28T12:00:00", "2025-02-28T00:00:00", {"current_grade": 0.5,
         "last_activity_date": at("2025-04-02T00:00:00"), "source": "manual", "is_consent_granted": False}),
    ]  # fmt: skip
    for person, (run, mode, enrolled, created, progress) in zip(people, specs, strict=True):
        enroll(customer, person, runs[run], mode=mode, enrolled=enrolled, created=created, **progress)
    with time_machine.travel(at("2025-02-15T09:00:00"), tick=False):
        enrollments_bulk_deactivate(pairs=[(people[3], runs["data"])], source=Source.ENTERPRISE)
    return people
