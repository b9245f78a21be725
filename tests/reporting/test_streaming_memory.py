"""The analytics exports stream: memory does not grow with the number of rows (issue 3,
"Streaming": "a million rows cost constant memory and the first byte leaves at once").

300,000 enrollments are generated set-based (users with bulk_create, enrollments with one
INSERT ... SELECT over users x runs), then GET /api/jitterbit/v1/enrollment/batch is read chunk by
chunk under tracemalloc. On SQLite the rows come from a cursor and are rendered in Python; on
PostgreSQL the database formats them, one keyset chunk per query, each query sent only when the
body has been read that far (counted while the body is being read).
"""

from __future__ import annotations

import json
import time
import tracemalloc
from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coursegate.accounts.models import User
from coursegate.courses.models import CourseRun
from coursegate.enrollments.models import Enrollment
from coursegate.reporting import formatted

pytestmark = pytest.mark.django_db

URL = "/api/jitterbit/v1/enrollment/batch"
RUNS = 10
MB = 1024 * 1024


@pytest.fixture
def staff_api(staff, client_for):
    return client_for(staff)


def generate_enrollments(make_run, *, users: int, prefix: str = "memory-test-learner-") -> list[str]:
    """``users`` x RUNS enrollments, generated set-based; returns the run keys."""
    keys = [f"course-v1:MemoryOrg+MemoryCourse+Run{n}" for n in range(RUNS)]
    for key in keys:
        make_run(key)
    batch = 5_000
    for start in range(0, users, batch):
        User.objects.bulk_create(
            User(username=f"{prefix}{i:06d}", email=f"{prefix}{i:06d}@example.com", password="!")
            for i in range(start, min(start + batch, users))
        )
    enrollment, user, run = Enrollment._meta.db_table, User._meta.db_table, CourseRun._meta.db_table
    q = connection.ops.quote_name
    when = datetime(2015, 12, 9, tzinfo=UTC)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {q(enrollment)} (user_id, course_run_id, mode, is_active, created, modified) "
            f"SELECT u.id, r.id, %s, %s, %s, %s FROM {q(user)} u CROSS JOIN {q(run)} r "
            f"WHERE u.username LIKE %s AND r.{q('key')} IN ({', '.join(['%s'] * len(keys))}) "
            f"ORDER BY u.id, r.id",
            ["audit", True, when, when, f"{prefix}%", *keys],
        )
    return keys


@pytest.mark.slow
def test_streaming_300k_enrollments_keeps_traced_memory_flat(staff_api, make_run):
    started = time.monotonic()
    generate_enrollments(make_run, users=30_000)
    assert Enrollment.objects.count() == 300_000
    generated = time.monotonic() - started

    tracemalloc.start()
    try:
        response = staff_api.get(URL)
        assert response.status_code == 200
        assert response.streaming is True
        total = chunks = 0
        first = last = b""
        early_peak = None
        for chunk in response.streaming_content:
            if not first:
                first = chunk
            last = chunk
            total += len(chunk)
            chunks += 1
            if early_peak is None and total >= 5 * MB:  # about the first 10% of the rows
                _, early_peak = tracemalloc.get_traced_memory()
                tracemalloc.reset_peak()
        _, late_peak = tracemalloc.get_traced_memory()  # over the other 270,000 rows
    finally:
        tracemalloc.stop()
    elapsed = time.monotonic() - started

    print(
        f"\ngenerated in {generated:.1f}s; streamed {total / MB:.1f} MB in {chunks} chunks; traced peak "
        f"{early_peak / MB:.1f} MB over the first 10% of rows, {late_peak / MB:.1f} MB over the rest; "
        f"{elapsed:.1f}s in all"
    )
    assert first.startswith(b"[") and last.endswith(b"]")
    assert chunks > 10  # streamed in pieces, not in one
    assert total > 45 * MB  # the body is much larger than ...
    assert max(early_peak, late_peak) < 30 * MB  # ... what the server holds while sending it,
    assert late_peak < early_peak + 2 * MB  # and 9 times more rows cost no more memory


def test_the_streamed_body_of_many_rows_is_one_valid_array_in_id_order(staff_api, make_run):
    keys = generate_enrollments(make_run, users=250)  # 2,500 rows: more than one fetch of 2,000

    response = staff_api.get(URL)
    body = json.loads(b"".join(response.streaming_content))

    assert len(body) == 2_500
    ids = [item["enrollment_id"] for item in body]
    assert ids == sorted(ids) == list(Enrollment.objects.order_by("id").values_list("id", flat=True))
    assert {item["course_id"] for item in body} == set(keys)
    assert body[0]["date_enrolled"] == "2015-12-09T00:00:00Z"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the database formats rows on PostgreSQL only")
def test_on_postgresql_each_chunk_is_queried_only_when_the_body_is_read_that_far(staff_api, make_run, monkeypatch):
    monkeypatch.setattr(formatted, "CHUNK_ROWS", 1_000)
    generate_enrollments(make_run, users=1_000)  # 10,000 rows: 10 chunks and an empty one

    def chunk_queries(ctx) -> int:
        return sum("string_agg" in query["sql"] for query in ctx.captured_queries)

    with CaptureQueriesContext(connection) as ctx:
        response = staff_api.get(URL)
        assert chunk_queries(ctx) == 1  # the first chunk, read before the answer starts
        stream = iter(response.streaming_content)
        assert next(stream).startswith(b'[{"username":')
        assert chunk_queries(ctx) == 1
        next(stream)
        assert chunk_queries(ctx) == 2
        rest = b"".join(stream)
        assert chunk_queries(ctx) == 11

    assert rest.endswith(b"]")
