"""The feed's store API (coursegate.feed.services, .sql): appends in the caller's transaction,
ids in input order, set-based appends, the feed switch, and the generic events reads see them."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from uuid import UUID

import pytest
from django.db import transaction

from coursegate.events.selectors import EventQuery, generic_events_page
from coursegate.feed.models import GenericEvent
from coursegate.feed.services import (
    ENROLLMENT,
    ENROLLMENT_CREATED,
    LICENSE,
    LICENSE_ASSIGNED,
    Change,
    append,
    append_select,
)
from coursegate.feed.sql import db_time, json_bool, json_payload

AT = datetime(2026, 1, 2, 3, 0, tzinfo=UTC)


def _change(i: int) -> Change:
    return Change(ENROLLMENT_CREATED, ENROLLMENT, i, {"user": f"u{i}", "is_active": True, "time": AT})


def test_changes_are_appended_in_input_order_with_json_payloads(db):
    assert append([_change(i) for i in range(3)]) == 3

    rows = list(GenericEvent.objects.order_by("id").values("type", "resource_type", "resource_id", "payload"))
    assert [r["resource_id"] for r in rows] == ["0", "1", "2"]
    assert {r["type"] for r in rows} == {ENROLLMENT_CREATED} and {r["resource_type"] for r in rows} == {ENROLLMENT}
    assert json.loads(rows[0]["payload"]) == {"user": "u0", "is_active": True, "time": "2026-01-02T03:00:00+00:00"}


def test_a_large_batch_is_appended_whole(db):
    # PostgreSQL takes a COPY from 100 rows; SQLite multi-row INSERTs of 500.
    assert append([_change(i) for i in range(1200)]) == 1200
    ids = list(GenericEvent.objects.order_by("id").values_list("resource_id", flat=True))
    assert ids == [str(i) for i in range(1200)]


def test_created_on_is_the_changes_own_or_the_append_time(db):
    append([Change(LICENSE_ASSIGNED, LICENSE, UUID(int=1), {}, created_on=AT), _change(1)])
    first, second = GenericEvent.objects.order_by("id")
    assert first.created_on == AT and first.resource_id == str(UUID(int=1))
    assert second.created_on > AT


def test_nothing_is_appended_when_the_feed_is_off_or_there_is_nothing(db, settings):
    assert append([]) == 0
    settings.COURSEGATE_FEED_ENABLED = False
    assert append([_change(1)]) == 0
    assert append_select("SELECT created_on, type, payload, resource_type, resource_id FROM events_genericevent") == 0
    assert not GenericEvent.objects.exists()


def test_an_append_rolls_back_with_the_callers_transaction(db):
    with pytest.raises(RuntimeError), transaction.atomic():
        append([_change(1)])
        raise RuntimeError("the change failed")
    assert not GenericEvent.objects.exists()


def test_a_set_based_append_builds_json_payloads_on_the_running_backend(db):
    payload = json_payload(
        [("user", "CAST(%s AS text)"), ("n", "v.n"), ("is_active", json_bool("v.n > 1")), ("it's", "'quoted'")]
    )
    values = "SELECT 1 AS n UNION ALL SELECT 2 AS n"
    appended = append_select(
        f"SELECT %s, %s, {payload}, %s, CAST(v.n AS text) FROM ({values}) v ORDER BY v.n",
        [db_time(AT), ENROLLMENT_CREATED, "honor", ENROLLMENT],
    )
    assert appended == 2
    rows = list(GenericEvent.objects.order_by("id"))
    assert [r.resource_id for r in rows] == ["1", "2"] and {r.created_on for r in rows} == {AT}
    assert [json.loads(r.payload) for r in rows] == [
        {"user": "honor", "n": 1, "is_active": False, "it's": "quoted"},
        {"user": "honor", "n": 2, "is_active": True, "it's": "quoted"},
    ]


def test_the_generic_events_reads_page_the_feed(db):
    append([_change(i) for i in range(3)])
    first = GenericEvent.objects.order_by("id").first()
    assert first is not None
    page = generic_events_page(EventQuery(from_event_id=first.id + 1, page_size=10, page_number=1))
    assert [row[5] for row in page] == ["1", "2"]
