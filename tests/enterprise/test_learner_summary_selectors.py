"""The learner summary selector (seed 003 "learner-summary Endpoint"; reference/enterprise.md §4.14):
one row per enterprise enrollment of the customer, every field of the seed's list under the seed's
name, learners with an inactive link left out, ordering on any field (nulls last, ties by id),
paging in a constant number of queries."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest
import time_machine

from coursegate.accounts.models import User
from coursegate.accounts.services import user_create
from coursegate.catalogs.services import catalog_add_items, catalog_upsert, content_item_upsert
from coursegate.courses.services import course_mode_upsert, course_run_upsert
from coursegate.enrollments.models import Enrollment, Source
from coursegate.enrollments.services import enrollment_upsert, enrollments_bulk_deactivate
from coursegate.enterprise.models import EnterpriseEnrollment, EnterpriseLearner
from coursegate.enterprise.selectors import (
    LEARNER_SUMMARY_FIELDS,
    LEARNER_SUMMARY_NULL_FIELDS,
    learner_summary_for_customer,
)
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


def rows_of(customer_uuid=CUSTOMER, ordering=None) -> list[dict]:
    summary = learner_summary_for_customer(customer_uuid=customer_uuid, ordering=ordering)
    return summary[0 : summary.count()]


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

    summary = learner_summary_for_customer(customer_uuid=CUSTOMER)

    assert summary.count() == 2
    assert sorted((r["user_username"], r["courserun_key"]) for r in summary[0:10]) == [
        ("frank", "course-v1:AcmeX+A+2025"),
        ("frank", "course-v1:AcmeX+B+2025"),
    ]
    assert learner_summary_for_customer(customer_uuid=OTHER_CUSTOMER).count() == 1
    assert learner_summary_for_customer(customer_uuid=uuid.uuid4()).count() == 0


# ---- ordering ------------------------------------------------------------------------------------


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


def sort_value(row: dict, name: str):
    if name == "course_api_url":
        return None if row["catalog_uuid"] is None else (row["catalog_uuid"], row["course_key"])
    return row[name]


def expected_order(rows: list[dict], name: str, descending: bool) -> list[int]:
    """Rows with a value sorted by it (ties by id, ascending), then rows without one, by id."""
    by_id = sorted(rows, key=lambda r: r["enterprise_enrollment_id"])
    valued = [r for r in by_id if sort_value(r, name) is not None]
    valued.sort(key=lambda r: sort_value(r, name), reverse=descending)  # stable: ties keep id order
    missing = [r for r in by_id if sort_value(r, name) is None]
    return [r["enterprise_enrollment_id"] for r in valued + missing]


@pytest.mark.parametrize("descending", [False, True], ids=["asc", "desc"])
@pytest.mark.parametrize("name", LEARNER_SUMMARY_FIELDS)
def test_every_field_orders_rows_by_its_value_with_nulls_last_and_ties_by_id(varied, name, descending):
    rows = rows_of(ordering=f"-{name}" if descending else name)

    assert [r["enterprise_enrollment_id"] for r in rows] == expected_order(rows, name, descending)


def test_the_ordering_fixture_really_varies_every_field_that_has_values(varied):
    rows = rows_of()
    for name in set(LEARNER_SUMMARY_FIELDS) - LEARNER_SUMMARY_NULL_FIELDS - {"enterprise_customer_uuid",
                                                                               "enterprise_name"}:  # fmt: skip
        values = {repr(sort_value(r, name)) for r in rows}
        assert len(values) >= 2, name


def test_default_order_is_most_recent_activity_first_nulls_last_ties_by_id(varied):
    rows = rows_of()

    assert [(r["user_username"], r["last_activity_date"]) for r in rows] == [
        ("judy", date(2025, 4, 2)),  # ties with nick: the lower id first
        ("nick", date(2025, 4, 2)),
        ("mona", date(2025, 3, 20)),
        ("kate", date(2025, 3, 10)),
        ("ivan", date(2025, 3, 1)),
        ("liam", None),
    ]
    assert rows == rows_of(ordering="-last_activity_date")


def test_unknown_ordering_field_is_refused():
    with pytest.raises(ValueError, match="'nope'"):
        learner_summary_for_customer(customer_uuid=CUSTOMER, ordering="-nope")


# ---- paging --------------------------------------------------------------------------------------


@pytest.mark.parametrize("ordering", ["-last_activity_date", "last_activity_date", "user_email", "-course_duration"])
def test_pages_of_any_size_concatenate_to_the_whole_ordered_list(varied, ordering):
    whole = [r["enterprise_enrollment_id"] for r in rows_of(ordering=ordering)]
    for size in (1, 2, 4, 5):
        summary = learner_summary_for_customer(customer_uuid=CUSTOMER, ordering=ordering)
        pages = [summary[lo : lo + size] for lo in range(0, summary.count(), size)]
        assert [r["enterprise_enrollment_id"] for page in pages for r in page] == whole


def test_a_page_costs_one_counting_query_and_one_row_query(varied, django_assert_num_queries):
    summary = learner_summary_for_customer(customer_uuid=CUSTOMER, ordering="user_email")
    with django_assert_num_queries(2):
        assert summary.count() == 6
        assert len(summary[2:4]) == 2


def test_a_page_straddling_rows_with_and_without_activity_costs_one_more_query(varied, django_assert_num_queries):
    summary = learner_summary_for_customer(customer_uuid=CUSTOMER)
    with django_assert_num_queries(1):
        assert summary.count() == 6
    with django_assert_num_queries(1):
        assert [r["user_username"] for r in summary[0:2]] == ["judy", "nick"]
    with django_assert_num_queries(2):
        assert [r["user_username"] for r in summary[4:6]] == ["ivan", "liam"]
    with django_assert_num_queries(1):
        assert [r["user_username"] for r in summary[5:10]] == ["liam"]


def test_count_leaves_out_inactive_learner_links_consistently_with_the_rows(varied, customer):
    EnterpriseLearner.objects.filter(customer=customer, user__username__in=["judy", "liam"]).update(active=False)
    for ordering in ("-last_activity_date", "user_email"):
        summary = learner_summary_for_customer(customer_uuid=CUSTOMER, ordering=ordering)
        assert summary.count() == 4
        assert sorted(r["user_username"] for r in summary[0:10]) == ["ivan", "kate", "mona", "nick"]
