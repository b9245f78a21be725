"""GET /enterprise/v2/enterprise-catalogs/{catalog}/contains_content_items/ and
/enterprise/v2/enterprise-customer/{customer}/contains_content_items/ (reference/learner_side.md §6;
issue 12): "any" semantics over runs, courses and programs, XML by default, every bad input, and
who may ask (learners and admins of the customer, operators)."""

from __future__ import annotations

import pytest

from coursegate.catalogs.services import catalog_add_items, catalog_upsert
from coursegate.demo.content import PROGRAM_UUID
from tests.api.enterprise.conftest import CATALOG_A, CATALOG_B, CUSTOMER_A, CUSTOMER_B
from tests.kit.permissions import (
    ANONYMOUS,
    BAD_TOKEN,
    FORBIDDEN,
    INVALID_TOKEN,
    NOT_FOUND,
    NOT_PROVIDED,
    Endpoint,
    Expected,
    check,
    matrix,
    send,
)

UNKNOWN = "99999999-9999-4999-8999-999999999999"
NO_KEYS = ["You must provide at least one of the following query parameters: course_run_ids, program_uuids."]
SPORT_RUN = "course-v1:MyUni+Sport101x"  # in both catalogs (demo content)
SPORT_COURSE = "MyUni+Sport101x"
DEMO_RUN = "course-v1:edx+tr1012+1T2021"  # in A's only


def _catalog(catalog: str = CATALOG_B) -> str:
    return f"/enterprise/v2/enterprise-catalogs/{catalog}/contains_content_items/"


def _customer(customer: str = CUSTOMER_A) -> str:
    return f"/enterprise/v2/enterprise-customer/{customer}/contains_content_items/"


def _get(world, path, caller="learner_a", accept="application/json", **params):
    return world.client(caller, accept=accept).get(path, params)


@pytest.mark.parametrize(
    ("params", "contains"),
    [
        ({"course_run_ids": SPORT_RUN}, True),
        ({"course_run_ids": SPORT_COURSE}, True),  # a course key matches the course or its runs
        ({"course_run_ids": "course-v1:MyUni+Sport101x+2T2099"}, True),  # a run of a course the catalog holds
        ({"course_run_ids": DEMO_RUN}, False),
        ({"course_run_ids": [DEMO_RUN, SPORT_RUN]}, True),  # any, not all
        ({"course_run_ids": "course-v1:MyUni Sport101x"}, True),  # a "+" decoded to a space
        ({"course_run_ids": "nonsense"}, False),
        ({"program_uuids": PROGRAM_UUID}, False),
        ({"program_uuids": "not-a-uuid", "course_run_ids": SPORT_COURSE}, True),
    ],
)
def test_a_catalog_contains_any_of_the_keys(enterprise_world, params, contains):
    response = _get(enterprise_world, _catalog(), "admin_b", **params)

    assert (response.status_code, response.json()) == (200, {"contains_content_items": contains})


def test_a_program_in_the_catalog_is_contained(enterprise_world):
    response = _get(enterprise_world, _catalog(CATALOG_A), program_uuids=PROGRAM_UUID.upper())

    assert response.json() == {"contains_content_items": True}


def test_the_answer_is_xml_by_default(enterprise_world):
    response = _get(enterprise_world, _catalog(CATALOG_A), accept=None, course_run_ids=DEMO_RUN)

    assert response["Content-Type"] == "application/xml; charset=utf-8"
    assert response.content.decode().endswith("<root><contains_content_items>True</contains_content_items></root>")


def test_a_customer_contains_what_any_of_its_catalogs_contains(enterprise_world):
    extra = catalog_upsert(uuid=UNKNOWN, customer=enterprise_world.customer_a, title="A extra", query_title="x")
    catalog_add_items(catalog=extra, items=[enterprise_world.items[SPORT_RUN]])

    plain = _get(enterprise_world, _customer(), course_run_ids=SPORT_COURSE)
    listed = _get(enterprise_world, _customer(), course_run_ids=SPORT_COURSE,
                  get_catalogs_containing_specified_content_ids="true")  # fmt: skip
    legacy = _get(enterprise_world, _customer(), course_run_ids=DEMO_RUN, get_catalog_list="1")
    absent = _get(enterprise_world, _customer(), course_run_ids="edX+Nothing", get_catalog_list="true")

    assert plain.json() == {"contains_content_items": True}
    assert listed.json() == {"contains_content_items": True, "catalog_list": [CATALOG_A, UNKNOWN]}
    assert legacy.json() == {"contains_content_items": True, "catalog_list": [CATALOG_A]}
    assert absent.json() == {"contains_content_items": False, "catalog_list": []}


def test_a_customer_without_catalogs_contains_nothing(enterprise_world):
    enterprise_world.catalog_b.delete()

    response = _get(enterprise_world, _customer(CUSTOMER_B), "admin_b", course_run_ids=SPORT_RUN)

    assert response.json() == {"contains_content_items": False}


def test_the_answer_costs_one_query_beyond_the_caller_and_the_object(enterprise_world, django_assert_num_queries):
    client = enterprise_world.client("learner_a")
    client.get(_catalog(CATALOG_A), {"course_run_ids": DEMO_RUN})
    with django_assert_num_queries(4):  # token, catalog, roles, membership
        keys = {"course_run_ids": [DEMO_RUN, SPORT_RUN, SPORT_COURSE], "program_uuids": UNKNOWN}
        client.get(_catalog(CATALOG_A), keys)


# --- bad inputs ------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [_catalog(CATALOG_A), _customer(CUSTOMER_A)], ids=["catalog", "customer"])
@pytest.mark.parametrize("params", [{}, {"course_run_ids": ""}, {"program_uuids": " "}, {"other": "x"}])
def test_no_key_at_all_is_400_with_the_reference_s_list(enterprise_world, path, params):
    response = _get(enterprise_world, path, **params)

    assert (response.status_code, response.json()) == (400, NO_KEYS)


def test_no_key_is_400_in_xml_by_default(enterprise_world):
    response = _get(enterprise_world, _catalog(CATALOG_A), accept=None)

    assert response.status_code == 400
    assert response.content.decode().endswith(f"<root><list-item>{NO_KEYS[0]}</list-item></root>")


def test_other_bad_inputs_are_400(enterprise_world):
    long_key = _get(enterprise_world, _catalog(CATALOG_A), course_run_ids="x" * 256)
    bad_flag = _get(enterprise_world, _customer(), course_run_ids=DEMO_RUN, get_catalog_list="maybe")

    assert (long_key.status_code, list(long_key.json())) == (400, ["course_run_ids"])
    assert (bad_flag.status_code, bad_flag.json()) == (400, {"get_catalog_list": ["Must be a valid boolean."]})


# --- who may ask --------------------------------------------------------------------------------------

Q = f"?course_run_ids={DEMO_RUN}"
ENDPOINTS = [
    Endpoint("catalog", "get", _catalog(CATALOG_A) + Q),
    Endpoint("catalog-of-b", "get", _catalog(CATALOG_B) + Q,
             expect={"admin_a": FORBIDDEN, "learner_a": FORBIDDEN, "admin_b": 200}),
    Endpoint("catalog-unknown", "get", _catalog(UNKNOWN) + Q,
             expect={c: NOT_FOUND for c in ("admin_a", "admin_b", "operator", "learner_a", "staff")}),
    # The caller is checked before the keys: no key is a 400 for callers who may ask only.
    Endpoint("catalog-no-key", "get", _catalog(CATALOG_A),
             expect={c: Expected(400, NO_KEYS) for c in ("admin_a", "operator", "learner_a")}),
    Endpoint("customer", "get", _customer(CUSTOMER_A) + Q),
    Endpoint("customer-of-b", "get", _customer(CUSTOMER_B) + Q,
             expect={"admin_a": FORBIDDEN, "learner_a": FORBIDDEN, "admin_b": 200}),
    Endpoint("customer-unknown", "get", _customer(UNKNOWN) + Q,
             expect={c: NOT_FOUND for c in ("admin_a", "admin_b", "operator", "learner_a", "staff")}),
    Endpoint("customer-not-a-uuid", "get", _customer("not-a-uuid") + Q,
             expect={c: NOT_FOUND for c in ("admin_a", "admin_b", "operator", "learner_a", "staff")}),
]  # fmt: skip
CALLERS = {
    ANONYMOUS: NOT_PROVIDED,
    BAD_TOKEN: INVALID_TOKEN,
    "learner_a": 200,
    "admin_a": 200,
    "admin_b": FORBIDDEN,
    "operator": 200,
    "staff": FORBIDDEN,
}


@pytest.mark.parametrize(("endpoint", "caller", "expected"), matrix(ENDPOINTS, CALLERS))
def test_permission_matrix(enterprise_world, endpoint, caller, expected):
    check(send(enterprise_world.client(caller), endpoint), expected)
