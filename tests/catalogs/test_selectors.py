"""Catalog reads (catalogs.selectors): which catalogs a caller's customers have, what a catalog
lists, and when a course, run or program counts as in a catalog (reference/enterprise.md §4.10-4.13)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from coursegate.catalogs.exceptions import CatalogNotFoundError, ContentNotInCatalogError
from coursegate.catalogs.selectors import (
    catalog_content,
    catalog_course_get,
    catalog_course_run_get,
    catalog_get,
    catalog_program_get,
    catalogs_for_customers,
    course_runs_by_course,
)
from coursegate.catalogs.services import catalog_add_items
from tests.catalogs.conftest import CUSTOMER, OTHER_CUSTOMER

CAT_1 = "aaaaaaaa-0000-4000-8000-000000000001"
CAT_2 = "aaaaaaaa-0000-4000-8000-000000000002"
CAT_OTHER = "aaaaaaaa-0000-4000-8000-000000000003"
PROGRAM = "bbbbbbbb-0000-4000-8000-000000000001"


@pytest.fixture
def catalogs(make_catalog, other_customer):
    with time_machine.travel(datetime(2024, 1, 1, tzinfo=UTC)):
        first = make_catalog(CAT_1, title="first")
    with time_machine.travel(datetime(2024, 1, 2, tzinfo=UTC)):
        second = make_catalog(CAT_2, title="second")
    other = make_catalog(CAT_OTHER, owner=other_customer, title="other")
    return first, second, other


@pytest.mark.parametrize(
    ("customers", "expected"),
    [
        pytest.param(None, ["first", "second", "other"], id="operator-sees-all"),
        pytest.param({CUSTOMER}, ["first", "second"], id="one-customer"),
        pytest.param({OTHER_CUSTOMER}, ["other"], id="the-other-customer"),
        pytest.param({"not-a-uuid", ""}, [], id="contexts-that-are-not-uuids-match-nothing"),
        pytest.param(set(), [], id="no-customer"),
    ],
)
def test_catalogs_for_customers_lists_their_catalogs_oldest_first(catalogs, customers, expected):
    assert [c.title for c in catalogs_for_customers(customer_uuids=customers)] == expected


def test_catalogs_carry_the_latest_change_of_their_content(catalogs, make_item):
    first, second, _ = catalogs
    with time_machine.travel(datetime(2024, 5, 1, tzinfo=UTC), tick=False):
        early = make_item("course", "Org+Early")
    with time_machine.travel(datetime(2024, 6, 1, tzinfo=UTC), tick=False):
        late = make_item("course", "Org+Late")
    catalog_add_items(catalog=first, items=[early, late])

    found = {c.title: c.content_last_modified for c in catalogs_for_customers(customer_uuids={CUSTOMER})}

    assert found == {"first": datetime(2024, 6, 1, tzinfo=UTC), "second": None}


@pytest.mark.parametrize("value", ["cccccccc-0000-4000-8000-000000000009", "not-a-uuid", "", "3f56a21c%00"])
def test_catalog_get_refuses_unknown_and_malformed_uuids(catalogs, value):
    with pytest.raises(CatalogNotFoundError):
        catalog_get(catalog_uuid=value)


def test_catalog_get_accepts_any_spelling_of_the_uuid(catalogs, django_assert_num_queries):
    with django_assert_num_queries(1):
        catalog = catalog_get(catalog_uuid=CAT_1.upper().replace("-", ""))
        assert catalog.customer.slug == "acme"  # loaded with the catalog


def test_catalog_content_lists_active_items_in_the_order_they_were_added(catalogs, make_item):
    first, *_ = catalogs
    run = make_item("courserun", "course-v1:Org+C1+R1")
    old_run = make_item("courserun", "course-v1:Org+C1+R0", is_active=False)
    course = make_item("course", "Org+C1")
    program = make_item("program", PROGRAM)
    for item in (run, old_run, course, program):
        catalog_add_items(catalog=first, items=[item])

    assert [i.content_key for i in catalog_content(catalog=first)] == ["course-v1:Org+C1+R1", "Org+C1", PROGRAM]


def test_course_runs_by_course_returns_every_run_of_each_course_in_one_query(make_item, django_assert_num_queries):
    make_item("courserun", "course-v1:Org+C1+R2")
    make_item("courserun", "course-v1:Org+C1+R1", is_active=False)
    make_item("courserun", "course-v1:Org+C2+R1")
    make_item("courserun", "course-v1:Org+C3+R1")

    with django_assert_num_queries(1):
        runs = course_runs_by_course(course_keys=["Org+C1", "Org+C2", "Org+None"])

    assert {k: [r.content_key for r in v] for k, v in runs.items()} == {
        "Org+C1": ["course-v1:Org+C1+R1", "course-v1:Org+C1+R2"],
        "Org+C2": ["course-v1:Org+C2+R1"],
    }


def test_course_runs_by_course_of_no_course_asks_nothing(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert course_runs_by_course(course_keys=[]) == {}


@pytest.fixture
def content(catalogs, make_item):
    """CAT_1 holds course Org+C1 (not its run) and run course-v1:Org+C2+R1 (not its course) and
    the program; CAT_2 holds nothing."""
    first, *_ = catalogs
    items = {
        "course": make_item("course", "Org+C1"),
        "run_of_course": make_item("courserun", "course-v1:Org+C1+R1"),
        "lone_run": make_item("courserun", "course-v1:Org+C2+R1"),
        "course_of_run": make_item("course", "Org+C2"),
        "legacy_run": make_item("courserun", "Org/C1/Legacy", parent_key="Org+C1"),
        "two_part_run": make_item("courserun", "course-v1:Org+C1"),
        "program": make_item("program", PROGRAM),
        "elsewhere": make_item("course", "Org+C9"),
    }
    catalog_add_items(catalog=first, items=[items["course"], items["lone_run"], items["program"]])
    return catalogs, items


@pytest.mark.parametrize(
    ("lookup", "key", "found"),
    [
        pytest.param(catalog_course_get, "Org+C1", "Org+C1", id="course-held"),
        pytest.param(catalog_course_get, "Org+C2", "Org+C2", id="course-whose-run-is-held"),
        pytest.param(catalog_course_run_get, "course-v1:Org+C2+R1", "course-v1:Org+C2+R1", id="run-held"),
        pytest.param(catalog_course_run_get, "course-v1:Org+C1+R1", "course-v1:Org+C1+R1", id="run-whose-course-held"),
        pytest.param(catalog_course_run_get, "course-v1:Org+C1", "course-v1:Org+C1", id="two-part-run-key"),
        pytest.param(catalog_course_run_get, "Org/C1/Legacy", "Org/C1/Legacy", id="legacy-run-key"),
        pytest.param(catalog_program_get, PROGRAM, PROGRAM, id="program-held"),
        pytest.param(catalog_program_get, PROGRAM.upper(), PROGRAM, id="program-any-spelling"),
    ],
)
def test_items_in_a_catalog_are_found(content, lookup, key, found):
    (first, *_), _ = content
    keyword = {catalog_course_get: "course_key", catalog_course_run_get: "course_run_key"}.get(lookup, "program_uuid")

    assert lookup(catalog=first, **{keyword: key}).content_key == found


@pytest.mark.parametrize(
    ("lookup", "key", "catalog_index"),
    [
        pytest.param(catalog_course_get, "Org+C9", 0, id="course-in-no-catalog-of-theirs"),
        pytest.param(catalog_course_get, "Org+C1", 1, id="course-in-another-catalog"),
        pytest.param(catalog_course_get, "Org+Unknown", 0, id="unknown-course"),
        pytest.param(catalog_course_get, "course-v1:Org+C1+R1", 0, id="a-run-key-is-not-a-course-key"),
        pytest.param(catalog_course_get, "Org+C1+extra", 0, id="three-part-course-key"),
        pytest.param(catalog_course_run_get, "course-v1:Org+C2+R1", 1, id="run-in-another-catalog"),
        pytest.param(catalog_course_run_get, "Org+C1", 0, id="a-course-key-is-not-a-run-key"),
        pytest.param(catalog_course_run_get, "course-v1:Org+C1+Nope", 0, id="unknown-run"),
        pytest.param(catalog_course_run_get, "course-v1:Org+C1+R1\n", 0, id="trailing-newline"),
        pytest.param(catalog_program_get, PROGRAM, 1, id="program-in-another-catalog"),
        pytest.param(catalog_program_get, "bbbbbbbb-0000-4000-8000-00000000000f", 0, id="unknown-program"),
        pytest.param(catalog_program_get, "not-a-uuid", 0, id="malformed-program-uuid"),
    ],
)
def test_items_not_in_a_catalog_are_not_found(content, lookup, key, catalog_index):
    catalogs, _ = content
    keyword = {catalog_course_get: "course_key", catalog_course_run_get: "course_run_key"}.get(lookup, "program_uuid")

    with pytest.raises(ContentNotInCatalogError):
        lookup(catalog=catalogs[catalog_index], **{keyword: key})


def test_an_inactive_item_in_a_catalog_is_still_found(catalogs, make_item):
    first, *_ = catalogs
    archived = make_item("courserun", "course-v1:Org+C1+Old", is_active=False)
    catalog_add_items(catalog=first, items=[archived])

    assert catalog_course_run_get(catalog=first, course_run_key="course-v1:Org+C1+Old") == archived
    assert list(catalog_content(catalog=first)) == []
