"""Catalog writes (catalogs.services) and the demo content they load (seed 003's content fields)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from coursegate.api.enterprise.serializers.catalogs import FIELDS
from coursegate.catalogs.exceptions import ContentMetadataInvalidError
from coursegate.catalogs.models import CatalogItem, ContentItem, EnterpriseCatalog
from coursegate.catalogs.services import catalog_add_items, catalog_upsert, content_item_upsert
from coursegate.demo.content import DEMO_CONTENT, PROGRAM_UUID

CATALOG = "33333333-3333-4333-8333-333333333333"


def test_content_item_upsert_creates_then_updates_the_same_row(db):
    first = content_item_upsert(content_type="course", content_key="Org+C1", title="Old", metadata={"uuid": "x"})
    second = content_item_upsert(
        content_type="course", content_key="Org+C1", title="New", metadata={"level_type": "Advanced"}, price_cents=500
    )

    assert second.pk == first.pk
    row = ContentItem.objects.get(pk=first.pk)
    assert (row.title, row.metadata, row.price_cents) == ("New", {"level_type": "Advanced"}, 500)
    assert ContentItem.objects.count() == 1


def test_an_unchanged_item_or_catalog_is_not_written_again(customer, django_assert_num_queries):
    with time_machine.travel(datetime(2024, 1, 1, tzinfo=UTC), tick=False):
        item = content_item_upsert(content_type="course", content_key="Org+C1", title="T", metadata={"uuid": "x"})
        catalog = catalog_upsert(uuid=CATALOG, customer=customer, title="C", catalog_query_uuid=CATALOG)
    with time_machine.travel(datetime(2024, 2, 1, tzinfo=UTC), tick=False):
        with django_assert_num_queries(2):  # one read each, no write
            content_item_upsert(content_type="course", content_key="Org+C1", title="T", metadata={"uuid": "x"})
            catalog_upsert(uuid=CATALOG, customer=customer, title="C", catalog_query_uuid=CATALOG)
        content_item_upsert(content_type="course", content_key="Org+C1", title="T2", metadata={"uuid": "x"})

    assert EnterpriseCatalog.objects.get(pk=catalog.pk).modified == datetime(2024, 1, 1, tzinfo=UTC)
    assert ContentItem.objects.get(pk=item.pk).modified == datetime(2024, 2, 1, tzinfo=UTC)


def test_a_program_is_stored_under_its_canonical_uuid(db):
    item = content_item_upsert(content_type="program", content_key="A3D6F3FB4A8B4B8A9CDE5F1D6A0E7C11", title="P")

    assert item.content_key == "a3d6f3fb-4a8b-4b8a-9cde-5f1d6a0e7c11"


@pytest.mark.parametrize(
    "metadata",
    [
        pytest.param([], id="not-an-object"),
        pytest.param({"1st": 1}, id="key-starts-with-a-digit"),
        pytest.param({"has space": 1}, id="key-with-a-space"),
        pytest.param({"": 1}, id="empty-key"),
        pytest.param({"xmlns": 1}, id="reserved-xml-prefix"),
        pytest.param({"image": {"src url": "x"}}, id="nested-bad-key"),
        pytest.param({"seats": [{"a:b": 1}]}, id="bad-key-inside-a-list"),
        pytest.param({"title": "bell\x07"}, id="control-character"),
        pytest.param({"start": datetime(2024, 1, 1, tzinfo=UTC)}, id="not-a-json-value"),
    ],
)
def test_content_item_upsert_refuses_metadata_that_no_representation_can_carry(db, metadata):
    with pytest.raises(ContentMetadataInvalidError):
        content_item_upsert(content_type="course", content_key="Org+C1", title="T", metadata=metadata)

    assert not ContentItem.objects.exists()


def test_content_item_upsert_refuses_a_title_with_a_control_character(db):
    with pytest.raises(ContentMetadataInvalidError):
        content_item_upsert(content_type="course", content_key="Org+C1", title="Sport\x00 101")

    assert not ContentItem.objects.exists()


def test_content_item_upsert_accepts_names_with_dots_dashes_and_underscores(db):
    metadata = {"_private": 1, "en-us": "English", "a.b": [{"ok_key": None, "flag": True, "n": 1.5}]}

    item = content_item_upsert(content_type="course", content_key="Org+C1", title="T", metadata=metadata)

    assert ContentItem.objects.get(pk=item.pk).metadata == metadata


def test_catalog_add_items_is_idempotent_and_touches_the_catalog_only_when_something_is_added(
    customer, make_catalog, make_item
):
    course, run = make_item("course", "Org+C1"), make_item("courserun", "course-v1:Org+C1+R1")
    with time_machine.travel(datetime(2024, 1, 1, tzinfo=UTC), tick=False):
        catalog = make_catalog(CATALOG)
    with time_machine.travel(datetime(2024, 2, 1, tzinfo=UTC), tick=False):
        assert catalog_add_items(catalog=catalog, items=[course]) == 1
    with time_machine.travel(datetime(2024, 3, 1, tzinfo=UTC), tick=False):
        assert catalog_add_items(catalog=catalog, items=[course]) == 0
        assert EnterpriseCatalog.objects.get(pk=catalog.pk).modified == datetime(2024, 2, 1, tzinfo=UTC)
        assert catalog_add_items(catalog=catalog, items=(i for i in [course, run])) == 1

    assert EnterpriseCatalog.objects.get(pk=catalog.pk).modified == datetime(2024, 3, 1, tzinfo=UTC)
    assert list(CatalogItem.objects.filter(catalog=catalog).values_list("item__content_key", flat=True)) == [
        "Org+C1",
        "course-v1:Org+C1+R1",
    ]


# Fields of an item's document that are not in its metadata: kept as columns, or computed.
COLUMN_OR_COMPUTED = {
    "course": {"key", "title", "course_runs", "enrollment_url"},
    "courserun": {"key", "title", "course", "enrollment_end", "first_enrollable_paid_seat_price", "enrollment_url"},
    "program": {"uuid", "title", "enrollment_url"},
}


@pytest.mark.parametrize(("content_type", "key", "title", "columns"), DEMO_CONTENT, ids=[c[1] for c in DEMO_CONTENT])
def test_every_demo_item_has_every_field_the_seed_lists_for_its_kind(content_type, key, title, columns):
    metadata = columns["metadata"]
    expected = set(FIELDS[content_type]) - COLUMN_OR_COMPUTED[content_type]

    assert set(metadata) == expected
    assert title


def test_the_demo_content_loads_through_the_service(db):
    for content_type, key, title, columns in DEMO_CONTENT:
        content_item_upsert(content_type=content_type, content_key=key, title=title, **columns)

    assert ContentItem.objects.count() == len(DEMO_CONTENT) == 12
    assert set(ContentItem.objects.values_list("content_type", flat=True)) == {"course", "courserun", "program"}
    assert ContentItem.objects.get(content_key=PROGRAM_UUID).content_type == "program"
    assert list(ContentItem.objects.filter(is_active=False).values_list("content_key", flat=True)) == [
        "course-v1:edx+tr1012+1T2020"
    ]


def test_demo_runs_point_at_demo_courses_and_courses_list_their_runs():
    courses = {key: columns["metadata"] for kind, key, _, columns in DEMO_CONTENT if kind == "course"}
    runs = {key: columns for kind, key, _, columns in DEMO_CONTENT if kind == "courserun"}

    for run_key, columns in runs.items():
        course = courses[columns["parent_key"]]
        assert run_key in course["course_run_keys"]
        assert columns["metadata"]["course_uuid"] == course["uuid"]
    for course_key, course in courses.items():
        assert course["canonical_course_run_key"] in course["course_run_keys"]
        assert all(runs[k]["parent_key"] == course_key for k in course["course_run_keys"])
