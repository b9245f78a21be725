"""Contract tests of a catalog's items: GET /enterprise/v2/enterprise-catalogs/{catalog_uuid}/courses/
{course_key}, .../course-runs/{course_run_id} and .../programs/{program_id} (seed
003_daa74488a5860cfd.txt; reference/enterprise.md §4.9-4.13, §9 cases 51-56): every field the seed
lists, enrollment URLs, keys, not found, XML. The list and a catalog's content:
test_catalogs_list.py, test_catalogs_content.py.

Tokens are real JWTs from the token endpoint (tests/api/enterprise/conftest.py). Requests ask for
JSON unless the test is about XML, the family's default. Who may call them: test_permissions.py.
"""

from __future__ import annotations

import pytest

from coursegate.api.enterprise.serializers.catalogs import COURSE_FIELDS, COURSE_RUN_FIELDS, PROGRAM_FIELDS
from coursegate.catalogs.services import catalog_add_items, content_item_upsert
from coursegate.demo.content import PROGRAM_UUID
from tests.api.enterprise.catalogs_support import (
    COURSE,
    DETAIL,
    LIST,
    NOT_FOUND,
    PROGRAM,
    RUN,
    enroll_url,
    iso,
    parse_xml,
)
from tests.api.enterprise.conftest import CATALOG_A, CATALOG_B, CUSTOMER_B

# --- GET .../courses/{course_key} ------------------------------------------------------------


def test_a_course_has_every_field_the_seed_lists_with_its_runs_and_enrollment_url(enterprise_world):
    response = enterprise_world.client("admin_a").get(COURSE)

    body = response.json()
    assert response.status_code == 200
    assert list(body) == list(COURSE_FIELDS)
    metadata = enterprise_world.items["MyUni+Sport101x"].metadata
    assert body == {
        **metadata,
        "key": "MyUni+Sport101x",
        "title": "Sport 101",
        "enrollment_url": enroll_url("course", "MyUni+Sport101x"),
        "course_runs": [body["course_runs"][0]],
    }
    (run,) = body["course_runs"]
    assert list(run) == list(COURSE_RUN_FIELDS)
    assert (run["key"], run["course"]) == ("course-v1:MyUni+Sport101x", "MyUni+Sport101x")
    assert run["enrollment_url"] == enroll_url("course", "course-v1:MyUni+Sport101x")


def test_a_course_of_another_customers_catalog_links_to_that_customer(enterprise_world):
    body = enterprise_world.client("admin_b").get(f"{LIST}/{CATALOG_B}/courses/MyUni+Sport101x/").json()

    assert body["enrollment_url"] == enroll_url("course", "MyUni+Sport101x", CATALOG_B, CUSTOMER_B, "customer-b")


def test_a_course_lists_all_its_runs_even_inactive_ones(enterprise_world):
    body = enterprise_world.client("admin_a").get(f"{DETAIL}/courses/edx+tr1012").json()

    assert [run["key"] for run in body["course_runs"]] == ["course-v1:edx+tr1012+1T2020", "course-v1:edx+tr1012+1T2021"]
    assert [run["availability"] for run in body["course_runs"]] == ["Archived", "Current"]
    assert [run["enrollment_end"] for run in body["course_runs"]] == ["2020-06-01T00:00:00Z", None]


@pytest.mark.parametrize(
    "course_key",
    [
        pytest.param("MyUni%2BSport101x", id="percent-encoded-plus"),
        pytest.param("MyUni+Sport101x/", id="trailing-slash"),
    ],
)
def test_a_course_key_may_be_encoded_or_followed_by_a_slash(enterprise_world, course_key):
    response = enterprise_world.client("admin_a").get(f"{DETAIL}/courses/{course_key}")

    assert (response.status_code, response.json()["key"]) == (200, "MyUni+Sport101x")


@pytest.mark.parametrize(
    ("catalog", "course_key", "caller"),
    [
        pytest.param(CATALOG_B, "edx+tr1012", "admin_b", id="course-not-in-that-catalog"),
        pytest.param(CATALOG_A, "edx+nothing", "admin_a", id="unknown-course"),
        pytest.param(CATALOG_A, "course-v1:MyUni+Sport101x", "admin_a", id="run-key-as-course-key"),
        pytest.param(CATALOG_A, "myuni+sport101x", "admin_a", id="keys-are-case-sensitive"),
        pytest.param(CATALOG_A, "MyUni", "admin_a", id="one-part-key"),
    ],
)
def test_a_course_not_in_the_catalog_is_not_found(enterprise_world, catalog, course_key, caller):
    response = enterprise_world.client(caller).get(f"{LIST}/{catalog}/courses/{course_key}")

    assert (response.status_code, response.json()) == (404, NOT_FOUND)


def test_a_course_answers_in_xml_by_default(enterprise_world):
    root = parse_xml(enterprise_world.client("admin_a", accept=None).get(COURSE))

    assert [child.tag for child in root] == list(COURSE_FIELDS)
    assert root.findtext("key") == "MyUni+Sport101x"
    assert root.findtext("enrollment_url") == enroll_url("course", "MyUni+Sport101x")
    assert root.find("course_runs/list-item/key").text == "course-v1:MyUni+Sport101x"
    assert root.find("owners/list-item/key").text == "MyUni"
    assert root.find("video").text is None and len(root.find("video")) == 0  # null


# --- GET .../course-runs/{course_run_id} -----------------------------------------------------


@pytest.mark.parametrize(
    ("run_key", "course"),
    [
        pytest.param("course-v1:HarvardX+FIH+3T2023", "HarvardX+FIH", id="three-part-key"),
        pytest.param("course-v1:MyUni+Sport101x", "MyUni+Sport101x", id="two-part-key-as-in-the-seed"),
        pytest.param("course-v1:edx+tr1012+1T2020", "edx+tr1012", id="inactive-run-still-in-the-catalog"),
    ],
)
def test_a_course_run_has_every_field_the_seed_lists_and_its_enrollment_url(enterprise_world, run_key, course):
    response = enterprise_world.client("admin_a").get(f"{DETAIL}/course-runs/{run_key}")

    body = response.json()
    assert response.status_code == 200
    assert list(body) == list(COURSE_RUN_FIELDS)
    assert (body["key"], body["course"]) == (run_key, course)
    assert body["enrollment_url"] == enroll_url("course", run_key)
    assert {k: body[k] for k in enterprise_world.items[run_key].metadata} == enterprise_world.items[run_key].metadata


def test_a_course_runs_enroll_by_and_price_come_from_its_columns(enterprise_world):
    body = enterprise_world.client("admin_a").get(RUN).json()

    assert (body["enrollment_end"], body["first_enrollable_paid_seat_price"]) == (None, 49)
    assert [seat["type"] for seat in body["seats"]] == ["audit", "honor", "verified"]


def test_a_legacy_run_key_is_found(enterprise_world):
    legacy = content_item_upsert(
        content_type="courserun", content_key="edX/DemoX/Demo_Course", title="Demo", parent_key="edX+DemoX"
    )
    catalog_add_items(catalog=enterprise_world.catalog_a, items=[legacy])

    body = enterprise_world.client("admin_a").get(f"{DETAIL}/course-runs/edX/DemoX/Demo_Course/").json()

    assert (body["key"], body["course"], body["uuid"]) == ("edX/DemoX/Demo_Course", "edX+DemoX", None)
    assert body["modified"] == iso(legacy.modified)  # no metadata: the row's modification time
    assert body["enrollment_url"] == enroll_url("course", "edX/DemoX/Demo_Course")


@pytest.mark.parametrize(
    ("catalog", "run_key", "caller"),
    [
        pytest.param(CATALOG_B, "course-v1:HarvardX+FIH+3T2023", "admin_b", id="run-not-in-that-catalog"),
        pytest.param(CATALOG_A, "course-v1:HarvardX+FIH+1T2099", "admin_a", id="unknown-run"),
        pytest.param(CATALOG_A, "HarvardX+FIH", "admin_a", id="course-key-as-run-key"),
        pytest.param(CATALOG_A, "course-v1:HarvardX+FIH+3T2023+extra", "admin_a", id="four-parts"),
    ],
)
def test_a_course_run_not_in_the_catalog_is_not_found(enterprise_world, catalog, run_key, caller):
    response = enterprise_world.client(caller).get(f"{LIST}/{catalog}/course-runs/{run_key}")

    assert (response.status_code, response.json()) == (404, NOT_FOUND)


def test_a_course_run_answers_in_xml_by_default(enterprise_world):
    root = parse_xml(enterprise_world.client("admin_a", accept=None).get(RUN))

    assert root.findtext("key") == "course-v1:HarvardX+FIH+3T2023"
    assert root.findtext("first_enrollable_paid_seat_price") == "49"
    assert [seat.findtext("price") for seat in root.find("seats")] == ["0.00", "0.00", "49.00"]
    assert root.findtext("is_enrollable") == "True"


# --- GET .../programs/{program_id} -----------------------------------------------------------


@pytest.mark.parametrize("program_id", [PROGRAM_UUID, PROGRAM_UUID.upper(), PROGRAM_UUID.replace("-", "")])
def test_a_program_has_every_field_the_seed_lists_and_its_enrollment_url(enterprise_world, program_id):
    response = enterprise_world.client("admin_a").get(f"{DETAIL}/programs/{program_id}")

    body = response.json()
    assert response.status_code == 200
    assert list(body) == list(PROGRAM_FIELDS)
    assert body == {
        **enterprise_world.items[PROGRAM_UUID].metadata,
        "uuid": PROGRAM_UUID,
        "title": "Professional Certificate in Food and Sport",
        "enrollment_url": enroll_url("program", PROGRAM_UUID),
    }


@pytest.mark.parametrize(
    ("catalog", "program_id", "caller"),
    [
        pytest.param(CATALOG_B, PROGRAM_UUID, "admin_b", id="program-not-in-that-catalog"),
        pytest.param(CATALOG_A, "eeeeeeee-0000-4000-8000-000000000000", "admin_a", id="unknown-program"),
        pytest.param(CATALOG_A, "7b24a21c-98c8-47c0-b9c8-g54714d40d94", "admin_a", id="the-seeds-malformed-uuid"),
    ],
)
def test_a_program_not_in_the_catalog_is_not_found(enterprise_world, catalog, program_id, caller):
    response = enterprise_world.client(caller).get(f"{LIST}/{catalog}/programs/{program_id}")

    assert (response.status_code, response.json()) == (404, NOT_FOUND)


def test_a_program_answers_in_xml_by_default(enterprise_world):
    root = parse_xml(enterprise_world.client("admin_a", accept=None).get(PROGRAM))

    assert root.findtext("uuid") == PROGRAM_UUID
    assert root.findtext("enrollment_url") == enroll_url("program", PROGRAM_UUID)
    assert [c.findtext("key") for c in root.find("courses")] == ["HarvardX+FIH", "MyUni+Sport101x"]
    assert root.find("banner_image/large/width").text == "1440"
