"""Contract tests of the Enterprise API's catalog list, GET /enterprise/v2/enterprise-catalogs
(seed 003_daa74488a5860cfd.txt; reference/enterprise.md §4.9-4.13, §9 cases 51-56): which catalogs a
caller sees, the envelope and fields, paging, XML, queries; and that every catalog endpoint is
read-only. A catalog's content: test_catalogs_content.py; its items: test_catalogs_items.py.

Tokens are real JWTs from the token endpoint (tests/api/enterprise/conftest.py). Requests ask for
JSON unless the test is about XML, the family's default. Who may call them: test_permissions.py.
"""

from __future__ import annotations

import pytest

from coursegate.catalogs.services import catalog_upsert
from tests.api.enterprise.catalogs_support import BASE, COURSE, DETAIL, LIST, PROGRAM, RUN, iso, parse_xml
from tests.api.enterprise.conftest import CATALOG_A, CATALOG_B, CUSTOMER_A

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


LIST_QUERIES = 4  # the token's row (with its user); the caller's roles; count; page


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
