"""Concurrent appends: ids are unique, commit in the order they are drawn, and creation times
never go backwards along the ids (events/services.py; issue 6 "id is a strictly increasing
integer").

These need threads sharing one real database, which SQLite's per-connection in-memory test
database does not give; they run on PostgreSQL (scripts/test-postgres.sh).
"""

from __future__ import annotations

import threading

import pytest

from coursegate.events.models import ApprenticeshipEvent
from coursegate.events.services import events_store
from tests.events.support import new_event
from tests.kit.races import race_each, raised

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("requires_shared_database"),
]

WRITERS = 8


def _in_threads(work, count: int) -> list[BaseException]:
    """``work(i)`` in ``count`` threads released together: what they raised."""
    return raised(race_each(work, count, timeout=120))


# 50 events go in as one multi-row INSERT; 250 take the COPY path (services.COPY_THRESHOLD).
@pytest.mark.parametrize("batch", [50, 250])
def test_writers_storing_at_once_get_unique_ids_and_creation_times_that_never_go_back(batch):
    stored: dict[int, list[int]] = {}

    def write(i: int) -> None:
        events = events_store(events=[new_event(apprenticeship_id=i + 1, event=f"writer {i}")] * batch)
        stored[i] = [e.id for e in events]

    errors = _in_threads(write, WRITERS)

    assert errors == []
    rows = list(ApprenticeshipEvent.objects.order_by("id").values_list("id", "created_on", "apprenticeship_id"))
    assert len(rows) == WRITERS * batch
    assert len({row_id for row_id, _, _ in rows}) == WRITERS * batch
    created = [created_on for _, created_on, _ in rows]
    assert created == sorted(created)
    for i, ids in stored.items():
        assert ids == sorted(ids)
        assert {apprenticeship for row_id, _, apprenticeship in rows if row_id in set(ids)} == {i + 1}


def test_a_reader_paging_by_id_never_sees_a_later_id_before_an_earlier_one():
    """Every snapshot a reader takes while writers append is a prefix of the final id sequence:
    nothing it has paged past can appear afterwards."""
    snapshots: list[list[int]] = []
    writers_done = threading.Event()

    def work(i: int) -> None:
        if i == 0:
            while not writers_done.is_set():
                snapshots.append(list(ApprenticeshipEvent.objects.order_by("id").values_list("id", flat=True)))
            return
        try:
            for _ in range(5):
                events_store(events=[new_event()] * 20)
        finally:
            finished.append(i)
            if len(finished) == WRITERS:
                writers_done.set()

    finished: list[int] = []
    errors = _in_threads(work, WRITERS + 1)

    assert errors == []
    final = list(ApprenticeshipEvent.objects.order_by("id").values_list("id", flat=True))
    assert len(final) == WRITERS * 5 * 20
    assert len(snapshots) > 1
    for snapshot in snapshots:
        assert snapshot == final[: len(snapshot)]
