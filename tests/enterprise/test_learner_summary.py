"""The learner summary's rows (enterprise.learner_summary; seed 003 "learner-summary Endpoint";
reference/enterprise.md §4.14): one row per enterprise enrollment of the customer, every field of
the seed's list under the seed's name, learners with an inactive link left out. Ordering and
paging: test_learner_summary_ordering.py."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
import time_machine

from coursegate.catalogs.services import catalog_add_items, catalog_upsert, content_item_upsert
from coursegate.enrollments.models import Source
from coursegate.enrollments.services import enrollment_upsert, enrollments_bulk_deactivate
from coursegate.enterprise.learner_summary import (
    LEARNER_SUMMARY_FIELDS,
    LEARNER_SUMMARY_NULL_FIELDS,
)
from coursegate.enterprise.models import EnterpriseLearner
from coursegate.enterprise.services import customer_upsert
from tests.enterprise.conftest import (
    CATALOG_HIGH,
    CATALOG_LOW,
    CUSTOMER,
    LICENSE,
    OTHER_CUSTOMER,
    SEED_FIELDS,
    at,
    enroll,
    make_learner,
    make_run,
    rows_of,
    summary_for,
)


def test_a_known_row_has_every_seed_field_with_values_computed_from_the_models(customer):
    data = content_item_upsert(
        content_type="course",
        content_key="AcmeX+Data101",
        title="Data 101",
        metadata={
            "subjects": [{"name": "Data Analysis"}, {"name": "Math"}],
            "programs": [{"title": "Data MicroMasters"}],
        },
    )
    content_item_upsert(
        content_type="courserun",
        content_key="course-v1:AcmeX+Data101+2025",
        parent_key="AcmeX+Data101",
        metadata={"min_effort": 3, "max_effort": 6},
    )
    for catalog_uuid in (CATALOG_HIGH, CATALOG_LOW):  # the lower uuid is the one linked
        catalog = catalog_upsert(uuid=catalog_uuid, customer=customer, title=f"catalog {catalog_uuid}")
        catalog_add_items(catalog=catalog, items=[data])
    run = make_run(
        "course-v1:AcmeX+Data101+2025",
        title="Data 101",
        start=at("2025-01-06T00:00:00"),
        end=at("2025-03-03T00:00:00"),  # 56 days: 8 weeks
        pacing="self",
        prices={"audit": 0, "verified": 49},
    )
    alice = make_learner("alice", country="FR", first="Alice", last="Martin", joined="2024-12-01T09:00:00")
    record = enroll(
        customer,
        alice,
        run,
        mode="verified",
        enrolled="2025-01-10T12:00:00",
        created="2025-02-22T00:00:00",
        license_uuid=LICENSE,
        current_grade=0.87,
        letter_grade="B",
        has_passed=True,
        passed_date=at("2025-02-20T08:00:00"),
        last_activity_date=at("2025-02-21T18:30:00"),
        progress_status="passed",
    )
    with time_machine.travel(at("2025-02-25T15:00:00"), tick=False):
        enrollments_bulk_deactivate(pairs=[(alice, run)], source=Source.ENTERPRISE)

    [row] = rows_of()

    assert set(row) == SEED_FIELDS | {"user_first_name", "user_last_name", "catalog_uuid"}
    assert row == {
        "is_consent_granted": True,
        "amount_learner_paid": None,
        "contract_id": None,
        "coupon_code": None,
        "coupon_name": None,
        "course_api_url": None,  # built by the API layer from catalog_uuid and course_key
        "course_duration": 8,
        "course_end": date(2025, 3, 3),
        "course_key": "AcmeX+Data101",
        "course_list_price": 49.0,
        "course_max_effort": 6,
        "course_min_effort": 3,
        "course_pacing_type": "self_paced",
        "course_primary_program": "Data MicroMasters",
        "course_primary_subject": "Data Analysis",
        "course_start": date(2025, 1, 6),
        "course_title": "Data 101",
        "courserun_key": "course-v1:AcmeX+Data101+2025",
        "created": at("2025-02-22T00:00:00"),
        "current_grade": 0.87,
        "enrollment_date": date(2025, 1, 10),
        "enrollment_id": record.enrollment_id,
        "enterprise_customer_uuid": str(CUSTOMER),
        "enterprise_enrollment_id": record.pk,
        "enterprise_name": "Acme Learning",
        "enterprise_sso_uid": None,
        "enterprise_user_id": record.learner_id,
        "has_passed": True,
        "is_refunded": None,
        "last_activity_date": date(2025, 2, 21),
        "letter_grade": "B",
        "offer_name": None,
        "offer_type": None,
        "paid_by": "enterprise",
        "passed_date": date(2025, 2, 20),
        "progress_status": "Passed",
        "seat_delivery_method": "subscription_license",
        "unenrollment_date": date(2025, 2, 25),
        "unenrollment_end_within_date": date(2025, 1, 24),  # 14 days after the enrollment (later than the start)
        "user_account_creation_date": at("2024-12-01T09:00:00"),
        "user_country": "FR",
        "user_current_enrollment_mode": "verified",
        "user_email": "alice@example.com",
        "user_username": "alice",
        "user_first_name": "Alice",
        "user_last_name": "Martin",
        "catalog_uuid": CATALOG_LOW,
    }
    assert set(LEARNER_SUMMARY_FIELDS) == SEED_FIELDS | {"user_first_name", "user_last_name"}
    assert len(LEARNER_SUMMARY_FIELDS) == len(set(LEARNER_SUMMARY_FIELDS))


def test_missing_data_gives_nulls_and_the_documented_fallbacks(customer):
    # No dates on the run, no title on the run, no catalog content, no profile country, no progress yet.
    run = make_run("course-v1:AcmeX+Blank+2025", title="", pacing="instructor")
    bob = make_learner("bob")
    enroll(customer, bob, run, enrolled="2025-03-01T12:00:00", source="manual")

    [row] = rows_of()

    assert row["course_title"] == "course-v1:AcmeX+Blank+2025"  # run title, else course title, else the key
    assert {name: row[name] for name in LEARNER_SUMMARY_NULL_FIELDS} == dict.fromkeys(LEARNER_SUMMARY_NULL_FIELDS)
    assert {
        name: row[name]
        for name in (
            "course_start",
            "course_end",
            "course_duration",
            "catalog_uuid",
            "user_country",
            "user_first_name",
            "user_last_name",
            "current_grade",
            "letter_grade",
            "passed_date",
            "last_activity_date",
            "unenrollment_date",
            "paid_by",
            "course_min_effort",
            "course_max_effort",
            "course_primary_subject",
            "course_primary_program",
        )
    } == dict.fromkeys(
        (
            "course_start",
            "course_end",
            "course_duration",
            "catalog_uuid",
            "user_country",
            "user_first_name",
            "user_last_name",
            "current_grade",
            "letter_grade",
            "passed_date",
            "last_activity_date",
            "unenrollment_date",
            "paid_by",
            "course_min_effort",
            "course_max_effort",
            "course_primary_subject",
            "course_primary_program",
        )
    )
    assert row["seat_delivery_method"] == "manual"
    assert row["progress_status"] == "In Progress"
    assert row["course_pacing_type"] == "instructor_paced"
    assert row["unenrollment_end_within_date"] == date(2025, 3, 15)  # no start: 14 days after enrolling
    assert row["course_list_price"] == 0.0


@pytest.mark.parametrize(
    ("start", "end", "weeks"),
    [
        ("2025-01-06T00:00:00", "2025-01-06T00:00:00", 0),
        ("2025-01-06T00:00:00", "2025-01-13T00:00:00", 1),
        ("2025-01-06T00:00:00", "2025-01-14T00:00:00", 2),  # a started week counts
        ("2025-01-06T00:00:00", "2025-01-05T00:00:00", None),  # end before start
        ("2025-01-06T00:00:00", None, None),
        (None, "2025-01-06T00:00:00", None),
    ],
)
def test_course_duration_is_whole_weeks_rounded_up_or_null(customer, start, end, weeks):
    run = make_run("course-v1:AcmeX+Weeks+2025", start=start and at(start), end=end and at(end))
    enroll(customer, make_learner("carol"), run)

    assert [row["course_duration"] for row in rows_of()] == [weeks]


def test_unenrollment_date_is_the_latest_change_to_inactive_and_null_while_active(customer):
    run = make_run("course-v1:AcmeX+Unenroll+2025")
    dave, erin = make_learner("dave"), make_learner("erin")
    enroll(customer, dave, run, last_activity_date=at("2025-05-01T00:00:00"))
    enroll(customer, erin, run, last_activity_date=at("2025-04-01T00:00:00"))
    for when in ("2025-02-01T10:00:00", "2025-03-01T10:00:00"):  # unenrolled, re-enrolled, unenrolled again
        with time_machine.travel(at(when), tick=False):
            enrollments_bulk_deactivate(pairs=[(dave, run)], source=Source.ENTERPRISE)
        enrollment_upsert(user=dave, course_run=run, source=Source.ENTERPRISE, privileged=True)
    with time_machine.travel(at("2025-03-05T10:00:00"), tick=False):
        enrollments_bulk_deactivate(pairs=[(dave, run)], source=Source.ENTERPRISE)

    assert [(row["user_username"], row["unenrollment_date"]) for row in rows_of()] == [
        ("dave", date(2025, 3, 5)),
        ("erin", None),
    ]


def test_rows_are_the_customers_enterprise_enrollments_without_inactive_learner_links(customer):
    other = customer_upsert(uuid=OTHER_CUSTOMER, name="Other", slug="other")
    run_a, run_b = make_run("course-v1:AcmeX+A+2025"), make_run("course-v1:AcmeX+B+2025")
    frank, gina, hugo = make_learner("frank"), make_learner("gina"), make_learner("hugo")
    enroll(customer, frank, run_a)
    enroll(customer, frank, run_b)  # one row per enterprise enrollment
    enroll(customer, gina, run_a)
    enroll(other, hugo, run_a)  # another customer's
    enrollment_upsert(user=hugo, course_run=run_b, source=Source.EDX_API)  # not an enterprise enrollment
    EnterpriseLearner.objects.filter(customer=customer, user=gina).update(active=False)

    summary = summary_for(CUSTOMER)

    assert summary.count() == 2
    assert sorted((r["user_username"], r["courserun_key"]) for r in summary[0:10]) == [
        ("frank", "course-v1:AcmeX+A+2025"),
        ("frank", "course-v1:AcmeX+B+2025"),
    ]
    assert summary_for(OTHER_CUSTOMER).count() == 1
    assert summary_for(uuid.uuid4()).count() == 0
