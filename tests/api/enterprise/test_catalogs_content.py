"""Contract tests of a catalog's content, GET /enterprise/v2/enterprise-catalogs/{catalog_uuid}
(seed 003_daa74488a5860cfd.txt; reference/enterprise.md §4.9-4.13, §9 cases 51-56): its active content
paged by limit and offset, rendered as the item endpoints render it, unknown catalogs, XML, queries.
The catalog list: test_catalogs_list.py; one course, run or program: test_catalogs_items.py.

Tokens are real JWTs from the token endpoint (tests/api/enterprise/conftest.py). Requests ask for
JSON unless the test is about XML, the family's default. Who may call them: test_permissions.py.
"""

from __future__ import annotations

import pytest

from coursegate.api.enterprise.serializers.catalogs import COURSE_FIELDS, COURSE_RUN_FIELDS, PROGRAM_FIELDS
from coursegate.catalogs.models import CatalogItem, ContentItem
from coursegate.demo.content import DEMO_CONTENT, PROGRAM_UUID
from tests.api.enterprise.catalogs_support import (
    ACTIVE_KEYS,
    BASE,
    COURSE,
    DETAIL,
    LIST,
    NOT_FOUND,
    PROGRAM,
    RUN,
    parse_xml,
)
from tests.api.enterprise.conftest import CATALOG_B

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


DETAIL_QUERIES = 6  # token row; caller's roles; catalog with its customer; count; page; runs of the page's courses


def test_catalog_content_costs_the_same_queries_for_any_page_size(enterprise_world, django_assert_num_queries):
    client = enterprise_world.client("admin_a")
    client.get(DETAIL)  # the token is minted before counting

    for limit in (1, 20):
        with django_assert_num_queries(DETAIL_QUERIES):
            assert client.get(DETAIL, {"limit": limit}).status_code == 200
