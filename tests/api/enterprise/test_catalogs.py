"""Contract tests of the Enterprise API's catalog endpoints, /enterprise/v2/enterprise-catalogs
(seed 003_daa74488a5860cfd.txt; reference/enterprise.md §4.9-4.13, §9 cases 51-56).

Tokens are real JWTs from the token endpoint (tests/api/enterprise/conftest.py). Requests ask for
JSON unless the test is about XML, the family's default. Who may call them: test_permissions.py.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from rest_framework import serializers

from coursegate.api.enterprise.serializers.catalogs import COURSE_FIELDS, COURSE_RUN_FIELDS, PROGRAM_FIELDS
from coursegate.catalogs.models import CatalogItem, ContentItem
from coursegate.catalogs.services import catalog_add_items, catalog_upsert, content_item_upsert
from coursegate.demo.content import DEMO_CONTENT, PROGRAM_UUID
from tests.api.enterprise.conftest import (
    CATALOG_A,
    CATALOG_B,
    CUSTOMER_A,
    CUSTOMER_B,
)

LIST = "/enterprise/v2/enterprise-catalogs"
DETAIL = f"{LIST}/{CATALOG_A}"
COURSE = f"{DETAIL}/courses/MyUni+Sport101x"
RUN = f"{DETAIL}/course-runs/course-v1:HarvardX+FIH+3T2023"
PROGRAM = f"{DETAIL}/programs/{PROGRAM_UUID}"
NOT_FOUND = {"detail": "Not found."}
BASE = "http://testserver"
# Catalog A's active content, in the order the demo adds it (the archived 1T2020 run is inactive).
ACTIVE_KEYS = [key for _, key, _, columns in DEMO_CONTENT if columns.get("is_active", True)]


def enroll_url(kind: str, key: str, catalog: str = CATALOG_A, customer: str = CUSTOMER_A, slug: str = "customer-a"):
    return (
        f"{BASE}/enterprise/{customer}/{kind}/{key}/enroll/?catalog={catalog}&utm_medium=enterprise&utm_source={slug}"
    )


def iso(value) -> str:
    return serializers.DateTimeField().to_representation(value)


def parse_xml(response) -> ET.Element:
    assert response["Content-Type"] == "application/xml; charset=utf-8"
    root = ET.fromstring(response.content)
    assert root.tag == "root"
    return root


# --- permissions ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("caller", "catalogs"),
    [
        pytest.param("admin_a", [CATALOG_A], id="own-admin"),
        pytest.param("admin_b", [CATALOG_B], id="other-customers-admin"),
        pytest.param("operator", [CATALOG_A, CATALOG_B], id="operator"),
    ],
)
def test_the_catalog_list_shows_the_catalogs_of_the_customers_the_caller_administers(
    enterprise_world, caller, catalogs
):
    response = enterprise_world.client(caller).get(LIST)

    assert response.status_code == 200
    assert [c["uuid"] for c in response.json()["results"]] == catalogs


def test_a_role_with_a_context_that_is_not_a_customer_lists_nothing(enterprise_world, make_user, jwt_for):
    user = make_user("odd_admin")
    token = jwt_for(user, roles=["enterprise_admin:not-a-uuid"])

    response = enterprise_world.client(None).get(LIST, HTTP_AUTHORIZATION=f"JWT {token}")

    assert (response.status_code, response.json()["count"]) == (200, 0)


@pytest.mark.parametrize("path", [LIST, DETAIL, COURSE, RUN, PROGRAM])
def test_catalog_endpoints_are_read_only(enterprise_world, path):
    response = enterprise_world.client("admin_a").post(path, {}, format="json")

    assert (response.status_code, response.json()) == (405, {"detail": 'Method "POST" not allowed.'})


# --- GET /enterprise/v2/enterprise-catalogs --------------------------------------------------


def test_the_catalog_list_has_the_seeds_envelope_and_fields(enterprise_world):
    catalog = enterprise_world.catalog_a
    catalog.refresh_from_db()
    latest = max(item.modified for item in enterprise_world.items.values())

    response = enterprise_world.client("admin_a").get(f"{LIST}/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "count": 1,
        "next": None,
        "previous": None,
        "results": [
            {
                "uuid": CATALOG_A,
                "title": "Customer A catalog",
                "enterprise_customer": CUSTOMER_A,
                "catalog_query_uuid": None,
                "content_last_modified": iso(latest),
                "catalog_modified": iso(catalog.modified),
                "query_title": "All demo content",
                "include_exec_ed_2u_courses": None,
            }
        ],
    }


def test_the_catalog_list_is_paged_by_page_and_page_size(enterprise_world):
    client = enterprise_world.client("operator")

    first = client.get(LIST, {"page_size": 1}).json()
    second = client.get(LIST, {"page_size": 1, "page": 2}).json()

    assert (first["count"], first["previous"], [c["uuid"] for c in first["results"]]) == (2, None, [CATALOG_A])
    assert first["next"] == f"{BASE}{LIST}?page=2&page_size=1"
    assert (second["next"], [c["uuid"] for c in second["results"]]) == (None, [CATALOG_B])
    assert second["previous"] == f"{BASE}{LIST}?page_size=1"


@pytest.mark.parametrize(
    ("query", "status", "body"),
    [
        pytest.param({"page_size": "ten"}, 400, {"page_size": ["A valid integer is required."]}, id="page-size-text"),
        pytest.param(
            {"page_size": "0"}, 400, {"page_size": ["Ensure this value is greater than or equal to 1."]}, id="size-0"
        ),
        pytest.param({"page": "x"}, 400, {"page": ["A valid integer is required."]}, id="page-text"),
        pytest.param({"page": "0"}, 400, {"page": ["Ensure this value is greater than or equal to 1."]}, id="page-0"),
        pytest.param({"page": "99"}, 404, {"detail": "Invalid page."}, id="page-out-of-range"),
    ],
)
def test_bad_catalog_list_paging_is_refused(enterprise_world, query, status, body):
    response = enterprise_world.client("admin_a").get(LIST, query)

    assert (response.status_code, response.json()) == (status, body)


def test_the_catalog_list_answers_in_xml_by_default(enterprise_world):
    root = parse_xml(enterprise_world.client("admin_a", accept=None).get(f"{LIST}/"))

    assert root.findtext("count") == "1"
    assert root.find("next").text is None  # null is an empty element
    (item,) = root.find("results").findall("list-item")
    assert item.findtext("uuid") == CATALOG_A
    assert item.findtext("enterprise_customer") == CUSTOMER_A
    assert [child.tag for child in item] == [
        "uuid", "title", "enterprise_customer", "catalog_query_uuid", "content_last_modified",
        "catalog_modified", "query_title", "include_exec_ed_2u_courses",
    ]  # fmt: skip


LIST_QUERIES = 3  # the token's row (with its user); count; page


def test_the_catalog_list_costs_the_same_queries_for_any_number_of_catalogs(
    enterprise_world, django_assert_num_queries
):
    client = enterprise_world.client("operator")
    client.get(LIST)  # the token is minted before counting
    for n in range(5):
        catalog_upsert(uuid=f"dddddddd-0000-4000-8000-00000000000{n}", customer=enterprise_world.customer_b, title="x")

    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(LIST)

    assert response.json()["count"] == 7


# --- GET /enterprise/v2/enterprise-catalogs/{catalog_uuid} -----------------------------------


@pytest.mark.parametrize("path", [DETAIL, f"{DETAIL}/"])
def test_a_catalog_lists_its_active_content_twenty_at_a_time(enterprise_world, path):
    response = enterprise_world.client("admin_a").get(path)

    body = response.json()
    assert response.status_code == 200
    assert list(body) == ["count", "next", "previous", "results"]
    assert (body["count"], body["next"], body["previous"]) == (11, None, None)
    keys = [item.get("key", item.get("uuid")) for item in body["results"]]
    assert keys == ACTIVE_KEYS
    assert "course-v1:edx+tr1012+1T2020" not in keys  # archived: inactive


def test_catalog_content_is_paged_by_limit_and_offset(enterprise_world):
    client = enterprise_world.client("admin_a")

    body = client.get(DETAIL, {"limit": 4, "offset": 4}).json()

    assert [item.get("key", item.get("uuid")) for item in body["results"]] == ACTIVE_KEYS[4:8]
    assert body["next"] == f"{BASE}{DETAIL}?limit=4&offset=8"
    assert body["previous"] == f"{BASE}{DETAIL}?limit=4"
    last = client.get(body["next"]).json()
    assert ([i.get("key", i.get("uuid")) for i in last["results"]], last["next"]) == (ACTIVE_KEYS[8:], None)


def test_catalog_content_items_are_rendered_as_their_detail_endpoints_render_them(enterprise_world):
    client = enterprise_world.client("admin_a")

    listed = {i.get("key", i.get("uuid")): i for i in client.get(DETAIL).json()["results"]}

    assert listed["MyUni+Sport101x"] == client.get(COURSE).json()
    assert listed["course-v1:HarvardX+FIH+3T2023"] == client.get(RUN).json()
    assert listed[PROGRAM_UUID] == client.get(PROGRAM).json()


@pytest.mark.parametrize(
    ("query", "body"),
    [
        pytest.param({"limit": "x"}, {"limit": ["A valid integer is required."]}, id="limit-text"),
        pytest.param({"limit": "0"}, {"limit": ["Ensure this value is greater than or equal to 1."]}, id="limit-0"),
        pytest.param({"limit": "-5"}, {"limit": ["Ensure this value is greater than or equal to 1."]}, id="negative"),
        pytest.param({"offset": "-1"}, {"offset": ["Ensure this value is greater than or equal to 0."]}, id="offset"),
        pytest.param({"offset": "1.5"}, {"offset": ["A valid integer is required."]}, id="offset-fraction"),
    ],
)
def test_bad_catalog_content_paging_is_refused(enterprise_world, query, body):
    response = enterprise_world.client("admin_a").get(DETAIL, query)

    assert (response.status_code, response.json()) == (400, body)


def test_a_limit_above_one_thousand_gives_one_thousand_items(enterprise_world):
    catalog = enterprise_world.catalog_b
    runs = ContentItem.objects.bulk_create(
        ContentItem(content_type="courserun", content_key=f"course-v1:Bulk+B{n}+R", parent_key=f"Bulk+B{n}")
        for n in range(1001)
    )
    CatalogItem.objects.bulk_create(CatalogItem(catalog=catalog, item=run) for run in runs)

    body = enterprise_world.client("admin_b").get(f"{LIST}/{CATALOG_B}", {"limit": 5000}).json()

    assert (body["count"], len(body["results"])) == (1003, 1000)
    assert body["next"] == f"{BASE}{LIST}/{CATALOG_B}?limit=1000&offset=1000"


@pytest.mark.parametrize(
    "catalog",
    [
        pytest.param("cccccccc-0000-4000-8000-000000000009", id="unknown"),
        pytest.param("not-a-uuid", id="malformed"),
    ],
)
@pytest.mark.parametrize("suffix", ["", "/courses/MyUni+Sport101x", "/course-runs/course-v1:MyUni+Sport101x"])
def test_an_unknown_catalog_is_not_found(enterprise_world, catalog, suffix):
    response = enterprise_world.client("operator").get(f"{LIST}/{catalog}{suffix}")

    assert (response.status_code, response.json()) == (404, NOT_FOUND)


def test_errors_are_xml_by_default_too(enterprise_world):
    response = enterprise_world.client("admin_a", accept=None).get(f"{LIST}/cccccccc-0000-4000-8000-000000000009")

    assert response.status_code == 404
    assert parse_xml(response).findtext("detail") == "Not found."


def test_catalog_content_answers_in_xml_by_default(enterprise_world):
    root = parse_xml(enterprise_world.client("admin_a", accept=None).get(DETAIL))

    assert root.findtext("count") == "11"
    items = root.find("results").findall("list-item")
    assert [i.findtext("key") or i.findtext("uuid") for i in items] == ACTIVE_KEYS
    course = items[0]
    assert [run.findtext("key") for run in course.find("course_runs")] == [
        "course-v1:edx+tr1012+1T2020",
        "course-v1:edx+tr1012+1T2021",
    ]
    assert course.findtext("editable") == "True"  # booleans are True / False
    assert course.findtext("excluded_from_seo") == "False"
    assert [e.text for e in course.find("url_slug_history")] == ["trench-run-10"]  # lists: <list-item>


@pytest.mark.parametrize("accept", ["application/xml", "*/*", "text/html,application/xhtml+xml,*/*;q=0.8"])
def test_catalog_content_is_xml_for_xml_or_any_accept_header(enterprise_world, accept):
    assert parse_xml(enterprise_world.client("admin_a", accept=accept).get(DETAIL)).findtext("count") == "11"


def test_format_json_in_the_query_gives_json(enterprise_world):
    response = enterprise_world.client("admin_a", accept=None).get(DETAIL, {"format": "json", "limit": 1})

    assert response["Content-Type"] == "application/json"
    assert response.json()["next"] == f"{BASE}{DETAIL}?format=json&limit=1&offset=1"


def test_every_demo_item_renders_as_well_formed_xml_with_every_field(enterprise_world):
    fields = {"course": COURSE_FIELDS, "courserun": COURSE_RUN_FIELDS, "program": PROGRAM_FIELDS}
    ContentItem.objects.update(is_active=True)

    root = parse_xml(enterprise_world.client("operator", accept=None).get(DETAIL, {"limit": 1000}))

    items = root.find("results").findall("list-item")
    assert len(items) == len(DEMO_CONTENT)
    for item, (content_type, *_) in zip(items, DEMO_CONTENT, strict=True):
        assert [child.tag for child in item] == list(fields[content_type])


DETAIL_QUERIES = 5  # token row; catalog with its customer; count; page; runs of the page's courses


def test_catalog_content_costs_the_same_queries_for_any_page_size(enterprise_world, django_assert_num_queries):
    client = enterprise_world.client("admin_a")
    client.get(DETAIL)  # the token is minted before counting

    for limit in (1, 20):
        with django_assert_num_queries(DETAIL_QUERIES):
            assert client.get(DETAIL, {"limit": limit}).status_code == 200


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
