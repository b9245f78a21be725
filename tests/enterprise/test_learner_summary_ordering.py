"""The learner summary's order and pages (enterprise.learner_summary): ordering on any field (nulls
last, ties by id), paging in a constant number of queries."""

from __future__ import annotations

from datetime import date

import pytest

from coursegate.enterprise.learner_summary import (
    LEARNER_SUMMARY_FIELDS,
    LEARNER_SUMMARY_NULL_FIELDS,
)
from coursegate.enterprise.models import EnterpriseLearner
from tests.enterprise.conftest import CUSTOMER, rows_of, summary_for


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
        summary_for(CUSTOMER, "-nope")


# ---- paging --------------------------------------------------------------------------------------


@pytest.mark.parametrize("ordering", ["-last_activity_date", "last_activity_date", "user_email", "-course_duration"])
def test_pages_of_any_size_concatenate_to_the_whole_ordered_list(varied, ordering):
    whole = [r["enterprise_enrollment_id"] for r in rows_of(ordering=ordering)]
    for size in (1, 2, 4, 5):
        summary = summary_for(CUSTOMER, ordering)
        pages = [summary[lo : lo + size] for lo in range(0, summary.count(), size)]
        assert [r["enterprise_enrollment_id"] for page in pages for r in page] == whole


def test_a_page_costs_one_counting_query_and_one_row_query(varied, django_assert_num_queries):
    summary = summary_for(CUSTOMER, "user_email")
    with django_assert_num_queries(2):
        assert summary.count() == 6
        assert len(summary[2:4]) == 2


def test_a_page_straddling_rows_with_and_without_activity_costs_one_more_query(varied, django_assert_num_queries):
    summary = summary_for(CUSTOMER)
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
        summary = summary_for(CUSTOMER, ordering)
        assert summary.count() == 4
        assert sorted(r["user_username"] for r in summary[0:10]) == ["ivan", "kate", "mona", "nick"]
