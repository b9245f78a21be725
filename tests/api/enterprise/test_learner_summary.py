"""GET /enterprise/v3/enterprise-customer/{uuid}/learner-summary — the contract (seed 003
"learner-summary Endpoint"; reference/enterprise.md §4.14; issue 4; ARCHITECTURE.md "Learner
summary"): the seed's field names, one row per enterprise enrollment, ``ordering`` on any listed
field (unknown: 400), default most recent ``last_activity_date`` first, ``page``/``page_size``
(default 10, max 1000), admins of the customer and operators only, XML by default."""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pytest

from coursegate.accounts.models import User
from coursegate.accounts.services import user_create
from coursegate.courses.services import course_mode_upsert, course_run_upsert
from coursegate.demo.loading import load_demo_data
from coursegate.enrollments.models import Enrollment, Source
from coursegate.enrollments.services import enrollment_upsert
from coursegate.enterprise.learner_summary import LEARNER_SUMMARY_FIELDS
from coursegate.enterprise.models import EnterpriseEnrollment, EnterpriseLearner
from coursegate.enterprise.services import enterprise_enrollment_record, learner_link
from tests.api.enterprise.conftest import CATALOG_A, CUSTOMER_A, CUSTOMER_B
from tests.kit.permissions import (
    ANONYMOUS,
    BAD_TOKEN,
    FORBIDDEN,
    INVALID_TOKEN,
    NOT_FOUND,
    NOT_PROVIDED,
    Endpoint,
    check,
    matrix,
    send,
)

URL = "/enterprise/v3/enterprise-customer/{}/learner-summary"
SUMMARY_A = URL.format(CUSTOMER_A)
LICENSE = "7c0ffee0-0000-4000-8000-000000000003"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def enroll(customer, username: str, run, *, mode="audit", enrolled: str, country="", **progress):
    user = user_create(
        username=username, email=f"{username}@example.com", password=None, country=country, validate_password=False
    )
    User.objects.filter(pk=user.pk).update(date_joined=at("2024-01-01T08:00:00"), first_name=username.title())
    result = enrollment_upsert(user=user, course_run=run, mode=mode, source=Source.ENTERPRISE, privileged=True)
    Enrollment.objects.filter(pk=result.enrollment.pk).update(created=at(enrolled))
    learner = learner_link(customer=customer, email=user.email, user=user)
    record = enterprise_enrollment_record(customer=customer, learner=learner, enrollment=result.enrollment, **progress)
    EnterpriseEnrollment.objects.filter(pk=record.pk).update(created=at(enrolled))
    return EnterpriseEnrollment.objects.get(pk=record.pk)


@pytest.fixture
def rows(enterprise_world):
    """Four enterprise enrollments of customer A (one with no activity yet) and one of B."""
    fih = course_run_upsert(
        key="course-v1:HarvardX+FIH+3T2023",
        title="Food in History",
        start=at("2024-01-01T00:00:00"),
        end=at("2024-03-25T00:00:00"),  # 84 days: 12 weeks
        pacing="self",
    )
    sport = course_run_upsert(key="course-v1:MyUni+Sport101x", title="Sport 101", start=at("2024-02-05T00:00:00"))
    for run in (fih, sport):
        course_mode_upsert(course_run=run, slug="audit", name="Audit")
        course_mode_upsert(course_run=run, slug="verified", name="Verified", min_price=49)
    a, b = enterprise_world.customer_a, enterprise_world.customer_b
    return {
        "olga": enroll(a, "olga", fih, mode="verified", enrolled="2024-01-10T12:00:00", country="PL",
                       license_uuid=LICENSE, current_grade=0.91, letter_grade="A", has_passed=True,
                       passed_date=at("2024-03-01T09:00:00"), last_activity_date=at("2024-03-02T10:00:00"),
                       progress_status="passed"),
        "pete": enroll(a, "pete", sport, enrolled="2024-02-01T12:00:00", country="CA", current_grade=0.35,
                       last_activity_date=at("2024-04-15T10:00:00")),
        "quin": enroll(a, "quin", fih, enrolled="2024-01-20T12:00:00", current_grade=0.6,
                       last_activity_date=at("2024-02-20T10:00:00"), progress_status="failed"),
        "rosa": enroll(a, "rosa", sport, mode="verified", enrolled="2024-02-15T12:00:00", country="AR"),
        "sven": enroll(b, "sven", sport, enrolled="2024-02-16T12:00:00", last_activity_date=at("2024-05-01T10:00:00")),
    }  # fmt: skip


def usernames(response) -> list[str]:
    return [row["user_username"] for row in response.json()["results"]]


def test_rows_have_every_seed_field_with_its_value(enterprise_world, rows):
    response = enterprise_world.client("admin_a").get(SUMMARY_A, {"ordering": "user_username"})

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 4
    assert list(body["results"][0]) == list(LEARNER_SUMMARY_FIELDS)
    olga = rows["olga"]
    run_item = enterprise_world.items["course-v1:HarvardX+FIH+3T2023"].metadata  # the demo content's
    course_item = enterprise_world.items["HarvardX+FIH"].metadata
    assert body["results"][0] == {
        "is_consent_granted": True,
        "amount_learner_paid": None,
        "contract_id": None,
        "coupon_code": None,
        "coupon_name": None,
        "course_api_url": f"http://testserver/enterprise/v2/enterprise-catalogs/{CATALOG_A}/courses/HarvardX+FIH",
        "course_duration": 12,
        "course_end": "2024-03-25",
        "course_key": "HarvardX+FIH",
        "course_list_price": 49.0,
        "course_max_effort": run_item["max_effort"],
        "course_min_effort": run_item["min_effort"],
        "course_pacing_type": "self_paced",
        "course_primary_program": course_item["programs"][0]["title"],
        "course_primary_subject": course_item["subjects"][0]["name"],
        "course_start": "2024-01-01",
        "course_title": "Food in History",
        "courserun_key": "course-v1:HarvardX+FIH+3T2023",
        "created": "2024-01-10T12:00:00Z",
        "current_grade": 0.91,
        "enrollment_date": "2024-01-10",
        "enrollment_id": olga.enrollment_id,
        "enterprise_customer_uuid": CUSTOMER_A,
        "enterprise_enrollment_id": olga.pk,
        "enterprise_name": "Customer A",
        "enterprise_sso_uid": None,
        "enterprise_user_id": olga.learner_id,
        "has_passed": True,
        "is_refunded": None,
        "last_activity_date": "2024-03-02",
        "letter_grade": "A",
        "offer_name": None,
        "offer_type": None,
        "paid_by": "enterprise",
        "passed_date": "2024-03-01",
        "progress_status": "Passed",
        "seat_delivery_method": "subscription_license",
        "unenrollment_date": None,
        "unenrollment_end_within_date": "2024-01-24",
        "user_account_creation_date": "2024-01-01T08:00:00Z",
        "user_country": "PL",
        "user_current_enrollment_mode": "verified",
        "user_email": "olga@example.com",
        "user_username": "olga",
        "user_first_name": "Olga",
        "user_last_name": None,
    }


# (ordering, expected usernames) — string, date, numeric, boolean and computed fields, both ways.
ORDERINGS = [
    (None, ["pete", "olga", "quin", "rosa"]),  # most recent activity first; rosa has none
    ("-last_activity_date", ["pete", "olga", "quin", "rosa"]),
    ("last_activity_date", ["quin", "olga", "pete", "rosa"]),
    ("user_email", ["olga", "pete", "quin", "rosa"]),
    ("-user_email", ["rosa", "quin", "pete", "olga"]),
    ("enrollment_date", ["olga", "quin", "pete", "rosa"]),
    ("-enrollment_date", ["rosa", "pete", "quin", "olga"]),
    ("course_start", ["olga", "quin", "pete", "rosa"]),  # ties by enterprise enrollment id
    ("-course_start", ["pete", "rosa", "olga", "quin"]),
    ("current_grade", ["pete", "quin", "olga", "rosa"]),  # rosa has no grade: last both ways
    ("-current_grade", ["olga", "quin", "pete", "rosa"]),
    ("-course_list_price", ["olga", "rosa", "pete", "quin"]),
    ("course_duration", ["olga", "quin", "pete", "rosa"]),  # Sport 101 has no end: no duration
    ("-has_passed", ["olga", "pete", "quin", "rosa"]),
    ("progress_status", ["quin", "pete", "rosa", "olga"]),  # Failed, In Progress, Passed
    ("-user_country", ["olga", "pete", "rosa", "quin"]),  # quin has no country
    ("coupon_code", ["olga", "pete", "quin", "rosa"]),  # always null: by id
]


@pytest.mark.parametrize(("ordering", "expected"), ORDERINGS, ids=[str(o) for o, _ in ORDERINGS])
def test_ordering_by_a_listed_field_either_way(enterprise_world, rows, ordering, expected):
    params = {"ordering": ordering} if ordering else {}

    response = enterprise_world.client("admin_a").get(SUMMARY_A, params)

    assert response.status_code == 200
    assert usernames(response) == expected


# (query, status, body)
BAD_QUERIES = [
    (
        {"ordering": "nope"},
        400,
        {
            "ordering": [
                f"Unknown field 'nope'. Order by one of: {', '.join(LEARNER_SUMMARY_FIELDS)}"
                " (with a leading '-' for descending)."
            ]
        },
    ),
    (
        {"ordering": "-course_start_date"},  # the reference backend's name, not the seed's
        400,
        {
            "ordering": [
                f"Unknown field 'course_start_date'. Order by one of: {', '.join(LEARNER_SUMMARY_FIELDS)}"
                " (with a leading '-' for descending)."
            ]
        },
    ),
    ({"ordering": "user_email,-course_start"}, 400, {"ordering": ["Order by one field: <field> or -<field>."]}),
    ({"page": "abc"}, 400, {"page": ["A valid page number is a positive integer (or 'last')."]}),
    ({"page": "0"}, 400, {"page": ["A valid page number is a positive integer (or 'last')."]}),
    # Digits Python reads as digits but int() refuses (superscript, other scripts): a 400, not a 500.
    ({"page": "\u00b2"}, 400, {"page": ["A valid page number is a positive integer (or 'last')."]}),
    ({"page": "\u0663"}, 400, {"page": ["A valid page number is a positive integer (or 'last')."]}),
    ({"page_size": "0"}, 400, {"page_size": ["Ensure this value is greater than or equal to 1."]}),
    ({"page_size": "ten"}, 400, {"page_size": ["A valid integer is required."]}),
    ({"page": "3", "page_size": "2"}, 404, {"detail": "Invalid page."}),  # past the end (DRF, as the reference)
]


@pytest.mark.parametrize(("query", "status", "body"), BAD_QUERIES, ids=[str(q) for q, _, _ in BAD_QUERIES])
def test_bad_query_parameters_are_refused_with_a_clear_body(enterprise_world, rows, query, status, body):
    response = enterprise_world.client("admin_a").get(SUMMARY_A, query)

    assert (response.status_code, response.json()) == (status, body)


def test_pages_have_the_envelope_and_links_and_page_size_is_capped(enterprise_world, rows):
    client = enterprise_world.client("admin_a")

    first = client.get(SUMMARY_A, {"page_size": 3}).json()
    second = client.get(SUMMARY_A, {"page_size": 3, "page": 2}).json()
    last = client.get(SUMMARY_A, {"page_size": 3, "page": "last"}).json()
    huge = client.get(SUMMARY_A, {"page_size": 100000})

    assert (first["count"], first["previous"], [r["user_username"] for r in first["results"]]) == (
        4,
        None,
        ["pete", "olga", "quin"],
    )
    assert first["next"] == f"http://testserver{SUMMARY_A}?page=2&page_size=3"
    assert (second["next"], [r["user_username"] for r in second["results"]]) == (None, ["rosa"])
    assert second["previous"] == f"http://testserver{SUMMARY_A}?page_size=3"
    assert last == second
    assert (huge.status_code, huge.json()["count"], len(huge.json()["results"])) == (200, 4, 4)


def test_default_page_size_is_ten(enterprise_world, rows):
    run = course_run_upsert(key="course-v1:MyUni+Bulk+2024", title="Bulk")
    course_mode_upsert(course_run=run, slug="audit", name="Audit")
    for i in range(8):
        enroll(enterprise_world.customer_a, f"bulk{i}", run, enrolled="2024-03-01T12:00:00")

    body = enterprise_world.client("admin_a").get(SUMMARY_A).json()

    assert (body["count"], len(body["results"])) == (12, 10)
    assert body["next"] == f"http://testserver{SUMMARY_A}?page=2"


def test_learners_whose_link_is_inactive_are_left_out(enterprise_world, rows):
    EnterpriseLearner.objects.filter(pk=rows["pete"].learner_id).update(active=False)

    body = enterprise_world.client("admin_a").get(SUMMARY_A).json()

    assert (body["count"], [r["user_username"] for r in body["results"]]) == (3, ["olga", "quin", "rosa"])


def test_a_page_costs_a_constant_number_of_queries(enterprise_world, rows, django_assert_num_queries):
    run = course_run_upsert(key="course-v1:MyUni+Many+2024", title="Many")
    course_mode_upsert(course_run=run, slug="audit", name="Audit")
    for i in range(30):
        activity = at(f"2024-03-{i + 1:02d}T12:00:00") if i < 28 else None
        enroll(
            enterprise_world.customer_a, f"many{i}", run, enrolled="2024-03-01T12:00:00", last_activity_date=activity
        )
    client = enterprise_world.client("admin_a")  # the token is minted here, outside the count

    # token + user (1), the caller's roles (1), customer (1), counts (1), the page's rows (1) ...
    for query in ({}, {"page_size": 30}, {"ordering": "-user_email", "page": 2}, {"ordering": "course_api_url"}):
        with django_assert_num_queries(5):
            response = client.get(SUMMARY_A, query)
        assert (response.status_code, response.json()["count"]) == (200, 34)
    # ... and one more for a page that straddles the rows with and without a last activity date
    with django_assert_num_queries(6):
        response = client.get(SUMMARY_A, {"page": 4})
    assert [r["last_activity_date"] for r in response.json()["results"]] == ["2024-02-20", None, None, None]


# One matrix: the summary of customer A, of customer B, of an unknown customer and of a malformed
# uuid, for every kind of caller. The customer is looked up first: unknown or malformed is a 404
# for any authenticated caller, then only its admins and the operator may read it.
UNKNOWN = str(uuid.UUID(int=7))  # unknown customer: 404, not the reference's empty 200
AUTHENTICATED = ("learner_a", "admin_b", "staff", "operator", "admin_a")
ENDPOINTS = [
    Endpoint("A", "get", SUMMARY_A),
    Endpoint("B", "get", URL.format(CUSTOMER_B), expect={"admin_a": FORBIDDEN, "admin_b": 200}),
    Endpoint("unknown", "get", URL.format(UNKNOWN), expect=dict.fromkeys(AUTHENTICATED, NOT_FOUND)),
    Endpoint("malformed", "get", URL.format("not-a-uuid"), expect=dict.fromkeys(AUTHENTICATED, NOT_FOUND)),
]
CALLERS = {
    ANONYMOUS: NOT_PROVIDED,
    BAD_TOKEN: INVALID_TOKEN,
    "learner_a": FORBIDDEN,  # a learner of the customer
    "admin_b": FORBIDDEN,  # another customer's admin
    "staff": FORBIDDEN,  # staff without an enterprise role
    "operator": 200,
    "admin_a": 200,
}
ROWS = {"A": ["pete", "olga", "quin", "rosa"], "B": ["sven"]}  # what a 200 lists


@pytest.mark.parametrize(("endpoint", "caller", "expected"), matrix(ENDPOINTS, CALLERS))
def test_permission_matrix(enterprise_world, rows, endpoint, caller, expected):
    response = send(enterprise_world.client(None if caller == ANONYMOUS else caller), endpoint)

    check(response, expected)
    if expected.status == 200:
        assert response.json()["count"] == len(ROWS[endpoint.name])
        assert usernames(response) == ROWS[endpoint.name]


def test_without_an_accept_header_the_answer_is_xml(enterprise_world, rows):
    response = enterprise_world.client("admin_a", accept=None).get(SUMMARY_A, {"page_size": 2})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    root = ET.fromstring(response.content)
    assert root.findtext("count") == "4"
    assert root.findtext("previous") == ""
    items = root.findall("results/list-item")
    assert [item.findtext("user_username") for item in items] == ["pete", "olga"]
    pete = items[0]
    assert [child.tag for child in pete] == list(LEARNER_SUMMARY_FIELDS)
    assert pete.findtext("last_activity_date") == "2024-04-15"
    assert pete.findtext("has_passed") == "False"
    assert pete.findtext("course_duration") == ""  # null: an empty element


def test_xml_errors_too_and_json_on_format_json(enterprise_world, rows):
    xml = enterprise_world.client("admin_a", accept=None).get(SUMMARY_A, {"ordering": "nope"})
    json_by_query = enterprise_world.client("admin_a", accept=None).get(SUMMARY_A, {"format": "json"})

    assert xml.status_code == 400
    assert ET.fromstring(xml.content).findtext("ordering/list-item").startswith("Unknown field 'nope'.")
    assert (json_by_query.status_code, json_by_query.json()["count"]) == (200, 4)


def test_the_demo_data_rows_appear_for_customer_a(db, jwt_for, api_client):
    load_demo_data()
    token = jwt_for(User.objects.get(username="enterprise_admin"))  # its admin role comes from the demo
    api_client.credentials(HTTP_AUTHORIZATION=f"JWT {token}", HTTP_ACCEPT="application/json")

    response = api_client.get(SUMMARY_A)

    assert response.status_code == 200
    assert [
        (r["user_username"], r["courserun_key"], r["last_activity_date"], r["progress_status"], r["letter_grade"])
        for r in response.json()["results"]
    ] == [
        ("audit", "course-v1:edx+tr1012+1T2021", "2024-06-11", "In Progress", None),
        ("honor", "course-v1:HarvardX+FIH+3T2023", "2024-05-02", "Passed", "A"),
        ("verified", "course-v1:MyUni+Sport101x", "2024-03-20", "In Progress", None),
    ]
    assert response.json()["results"][1]["course_api_url"] == (
        f"http://testserver/enterprise/v2/enterprise-catalogs/{CATALOG_A}/courses/HarvardX+FIH"
    )
