"""The feed's cursor under concurrent writers (PostgreSQL): enrollment changes by several writers
at once, each keeping its transaction open a moment after its append (as a family's request does
after the enrollment pass); a reader following getSinceEvent's query from its cursor sees every
event exactly once, in id order — ids commit in order, none is skipped."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import transaction

from coursegate.enrollments.services import EnrollmentRequest, enrollments_bulk_upsert
from coursegate.events.selectors import EventQuery, generic_events_page
from coursegate.feed.models import GenericEvent
from tests.kit.races import race_each, raised


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("requires_shared_database")
def test_a_cursor_reader_never_skips_a_feed_event_of_concurrent_enrollment_writers(make_user, make_run):
    writers, rounds, per_round = 4, 6, 3
    runs = [make_run(f"course-v1:Feed+Order+R{r}") for r in range(rounds)]
    users = [[make_user(f"writer{w}_{i}") for i in range(per_round)] for w in range(writers)]
    done = threading.Event()
    finished: list[int] = []
    seen: list[int] = []

    def work(i: int) -> None:
        if i == writers:  # the reader
            cursor = 1
            while True:
                last_round = done.is_set()
                rows = generic_events_page(EventQuery(by_id=True, from_event_id=cursor, page_size=5))
                seen.extend(row[0] for row in rows)
                if rows:
                    cursor = rows[-1][0] + 1
                elif last_round:
                    return
        try:
            for run in runs:
                with transaction.atomic():
                    requests = [EnrollmentRequest(user=u, course_run=run) for u in users[i]]
                    enrollments_bulk_upsert(requests=requests, source="edx_api")
                    time.sleep(0.005)  # the rest of the caller's transaction, the feed's lock held
        finally:
            finished.append(i)
            if len(finished) == writers:
                done.set()

    assert raised(race_each(work, writers + 1, timeout=60)) == []
    final = list(GenericEvent.objects.order_by("id").values_list("id", flat=True))
    assert len(final) == writers * rounds * per_round
    assert seen == final
