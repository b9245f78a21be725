"""Rows formatted by PostgreSQL (coursegate.reporting.formatted): the same bytes as the Python
renderer of coursegate.core.streaming, in every format, across chunk boundaries, for the values
where the two could part (quotes, commas, line ends, backslashes, control characters, non-ASCII,
empty text, microseconds or none, the first and the last year), with every filter.

On SQLite the database does not format rows: the Python path serves every list there.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from django.db import connection

from coursegate.accounts.models import User
from coursegate.core.streaming import RECORDS, SEPARATORS, streamed_chunks, streamed_rows
from coursegate.courses.models import CourseRun
from coursegate.enrollments.models import Enrollment
from coursegate.reporting import formatted
from coursegate.reporting.selectors import (
    ACCOUNT_FIELDS,
    ENROLLMENT_FIELDS,
    AnalyticsQuery,
    accounts_formatted,
    accounts_joined_between,
    enrollments_created_between,
    enrollments_formatted,
)

pytestmark = pytest.mark.django_db
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL formats rows itself; SQLite uses the Python path"
)

FORMATS = ["json", "ndjson", "csv"]
TEXTS = [
    "plain",
    "com,ma",
    'quo"te',
    'O\'Brien, "Bob"',
    "line\nend",
    "carriage\rreturn",
    "crlf\r\n",
    "back\\slash\\",
    "tab\tand\x01\x08\x0c\x1f\x7f",
    "Zoë 😀 \u2028 ünïcode",
    " spaced ",
    "",
]
INSTANTS = [
    datetime(2016, 12, 17, 23, 45, 47, tzinfo=UTC),
    datetime(2016, 12, 17, 23, 55, 27, 765000, tzinfo=UTC),
    datetime(2016, 12, 17, 23, 55, 27, 1, tzinfo=UTC),
    datetime(2016, 12, 17, 23, 55, 27, 999999, tzinfo=UTC),
    datetime(2016, 12, 18, 4, 45, 47, 500000, tzinfo=timezone(timedelta(hours=5))),
    datetime(1, 1, 1, tzinfo=UTC),
    datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    datetime(1970, 1, 1, tzinfo=UTC),
]


@pytest.fixture
def tricky(make_run):
    """Accounts and enrollments whose every text and date-time is one of the awkward values."""
    runs = []
    for i, text in enumerate(TEXTS[:4] + ["course-v1:Org+Num+Run"]):
        run = make_run(f"course-v1:Org+Tricky+R{i}")
        CourseRun.objects.filter(pk=run.pk).update(key=text or "course-v1:Org+Num+Run")
        runs.append(run)
    users = []
    for i, text in enumerate(TEXTS):
        user = User.objects.create(
            username=f"{text}-{i}",
            email=TEXTS[-1 - i],  # the empty e-mail too
            is_active=i % 3 != 0,
            date_joined=INSTANTS[i % len(INSTANTS)],
        )
        users.append(user)
    for i, user in enumerate(users):
        for j, run in enumerate(runs[: 1 + i % len(runs)]):
            Enrollment.objects.create(
                user=user, course_run=run, mode="audit", created=INSTANTS[(i + j) % len(INSTANTS)], modified=INSTANTS[0]
            )
    return {"users": users, "runs": runs}


def python_body(select, query: AnalyticsQuery, fields, fmt: str) -> bytes:
    return b"".join(streamed_rows(select(query).iterator(), fields=fields, fmt=fmt).streaming_content)


def database_body(select_formatted, query: AnalyticsQuery, fields, fmt: str) -> bytes:
    chunks = select_formatted(query, record=RECORDS[fmt], separator=SEPARATORS[fmt])
    return b"".join(streamed_chunks(chunks, fields=fields, fmt=fmt).streaming_content)


EXPORTS = {
    "accounts": (accounts_joined_between, accounts_formatted, ACCOUNT_FIELDS),
    "enrollments": (enrollments_created_between, enrollments_formatted, ENROLLMENT_FIELDS),
}


def test_on_sqlite_the_database_does_not_format_rows():
    assert formatted.formats_rows_in_database() is (connection.vendor == "postgresql")


@postgresql_only
@pytest.mark.parametrize(("first_chunk_rows", "chunk_rows"), [(1, 1), (1, 2), (2, 3), (3, 7), (5000, 10000)])
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("export", list(EXPORTS))
def test_the_database_writes_the_python_renderers_bytes(tricky, monkeypatch, export, fmt, first_chunk_rows, chunk_rows):
    monkeypatch.setattr(formatted, "FIRST_CHUNK_ROWS", first_chunk_rows)
    monkeypatch.setattr(formatted, "CHUNK_ROWS", chunk_rows)
    select, select_formatted, fields = EXPORTS[export]
    query = AnalyticsQuery()

    expected = python_body(select, query, fields, fmt)

    assert database_body(select_formatted, query, fields, fmt) == expected
    assert expected.count(b"Zo\xc3\xab") >= 1  # the awkward rows are in it


def filters(tricky) -> list[AnalyticsQuery]:
    run_key = CourseRun.objects.get(pk=tricky["runs"][1].pk).key
    user = tricky["users"][2]
    return [
        AnalyticsQuery(since=datetime(2016, 12, 17, 23, 55, 27, 765000, tzinfo=UTC)),
        AnalyticsQuery(until=datetime(2016, 12, 17, 23, 55, 27, 765000, tzinfo=UTC)),
        AnalyticsQuery(since=datetime(1970, 1, 1, tzinfo=UTC), until=datetime(9999, 1, 1, tzinfo=UTC)),
        AnalyticsQuery(course_run_key=run_key),
        AnalyticsQuery(username=user.username),
        AnalyticsQuery(username=user.username, course_run_key=run_key),
        AnalyticsQuery(after_id=user.pk),
        AnalyticsQuery(after_id=2**63 - 1),
        AnalyticsQuery(after_id=2**63),  # beyond the column: no row, no error
        AnalyticsQuery(since=datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)),
        AnalyticsQuery(username="nobody"),
    ]


@postgresql_only
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("export", list(EXPORTS))
def test_every_filter_selects_the_same_rows_in_the_same_bytes(tricky, monkeypatch, export, fmt):
    monkeypatch.setattr(formatted, "CHUNK_ROWS", 2)
    select, select_formatted, fields = EXPORTS[export]

    for query in filters(tricky):
        assert database_body(select_formatted, query, fields, fmt) == python_body(select, query, fields, fmt), query


@postgresql_only
def test_a_chunk_is_whole_records_joined_by_the_separator(tricky, monkeypatch):
    monkeypatch.setattr(formatted, "CHUNK_ROWS", 4)

    monkeypatch.setattr(formatted, "FIRST_CHUNK_ROWS", 1)
    chunks = list(accounts_formatted(AnalyticsQuery(), record="json", separator=","))

    assert len(chunks) == 1 + -(-(User.objects.count() - 1) // 4)  # one row first, then four by four
    assert chunks[0].count(b'{"username":') == 1
    assert all(isinstance(chunk, bytes) and chunk.startswith(b'{"username":') for chunk in chunks)
    assert all(chunk.endswith(b"}") for chunk in chunks)


@postgresql_only
def test_no_rows_is_no_chunk():
    assert list(enrollments_formatted(AnalyticsQuery(), record="csv", separator="\r\n")) == []


@postgresql_only
def test_date_times_are_utc_whatever_the_sessions_zone_and_the_zone_is_put_back(tricky):
    expected = python_body(accounts_joined_between, AnalyticsQuery(), ACCOUNT_FIELDS, "json")
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('max_parallel_workers_per_gather')")
        [(workers,)] = cursor.fetchall()
        cursor.execute("SELECT set_config('TimeZone', 'Asia/Kathmandu', true)")  # +05:45

        body = database_body(accounts_formatted, AnalyticsQuery(), ACCOUNT_FIELDS, "json")

        cursor.execute("SELECT current_setting('TimeZone'), current_setting('max_parallel_workers_per_gather')")
        assert cursor.fetchall() == [("Asia/Kathmandu", workers)]
    assert body == expected
