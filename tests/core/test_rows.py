"""core/rows.py: hand-written joins give back the model instances the ORM would, on SQLite and
PostgreSQL alike (date-times aware, JSON decoded, booleans as booleans); ``insert`` writes the
row ``save()`` writes."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from django.db import connection
from django.db.models import signals
from django.utils import timezone
from oauth2_provider.models import get_access_token_model, get_application_model, set_token_value

from coursegate.accounts.models import User
from coursegate.core.rows import Columns, insert, prefetched, read_cursor
from coursegate.courses.models import Course, CourseMode, CourseRun

WHEN = datetime(2030, 5, 6, 7, 8, 9, 123456, tzinfo=UTC)


def _row(sql: str, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return cursor.fetchone()


def test_a_row_becomes_the_instance_the_orm_loads(make_run):
    run = make_run(
        "course-v1:Org+Rows+Run", modes=[("verified", {"suggested_prices": [10, 20], "expiration_datetime": WHEN})]
    )
    modes, runs = Columns(CourseMode, "m"), Columns(CourseRun, "r")
    sql = (
        f"SELECT {modes.select}, {runs.select} FROM {modes.table} m"
        f" JOIN {runs.table} r ON {runs.column('id')} = {modes.column('course_run')} WHERE {runs.column('key')} = %s"
    )

    row = _row(sql, [run.key])
    mode, loaded_run = modes.instance(row), runs.instance(row, modes.width)

    expected = CourseMode.objects.get(course_run=run)
    assert [getattr(mode, f.attname) for f in CourseMode._meta.concrete_fields] == [
        getattr(expected, f.attname) for f in CourseMode._meta.concrete_fields
    ]
    assert mode.expiration_datetime == WHEN and mode.expiration_datetime.tzinfo is not None
    assert mode.suggested_prices == [10, 20]
    assert loaded_run.invite_only is False and loaded_run.created == CourseRun.objects.get(pk=run.pk).created
    assert mode._state.adding is False and mode._state.db == "default"


def test_an_outer_join_that_found_nothing_gives_none(make_run):
    run = make_run("course-v1:Org+Bare+Run", modes=[])
    runs, modes = Columns(CourseRun, "r"), Columns(CourseMode, "m")
    sql = (
        f"SELECT {runs.select}, {modes.select} FROM {runs.table} r"
        f" LEFT JOIN {modes.table} m ON {modes.column('course_run')} = {runs.column('id')}"
        f" WHERE {runs.column('id')} = %s"
    )

    row = _row(sql, [run.pk])

    assert runs.instance(row).pk == run.pk
    assert modes.instance(row, runs.width) is None


def test_a_subset_of_fields_gives_a_deferred_instance(learner, django_assert_num_queries):
    users = Columns(User, "u", fields=["id", "username", "is_staff"])

    row = _row(f"SELECT {users.select} FROM {users.table} u WHERE {users.column('username')} = %s", ["honor"])
    user = users.instance(row)

    assert users.values(row) == [learner.pk, "honor", False]
    assert user.get_deferred_fields() >= {"email", "password"}
    with django_assert_num_queries(1):  # a deferred field is read on demand, as with .only()
        assert user.email == learner.email


def test_prefetched_modes_answer_all_without_a_query(make_run, django_assert_num_queries):
    run = CourseRun.objects.get(pk=make_run("course-v1:Org+Pre+Run", modes=["audit", "verified"]).pk)
    modes = list(CourseMode.objects.filter(course_run=run).order_by("id"))

    prefetched(run, "modes", modes)

    with django_assert_num_queries(0):
        assert list(run.modes.all()) == modes
    with django_assert_num_queries(1):
        assert run.modes.filter(slug="audit").count() == 1


def _token_columns(pk) -> dict:
    row = get_access_token_model().objects.filter(pk=pk).values().get()
    return {k: v for k, v in row.items() if k not in {"id", "created", "updated", "token_checksum"}}


def test_insert_writes_the_row_that_save_writes(staff, oauth_app):
    model = get_access_token_model()
    app = get_application_model().objects.get(client_id=oauth_app(staff)[0])
    expires = timezone.now() + timedelta(hours=1)
    by_orm, by_insert = (model(user=staff, scope="read", expires=expires, application=app, resource=[]) for _ in "ab")
    set_token_value(by_orm, "orm-token")
    set_token_value(by_insert, "insert-token")
    sent = []
    receivers = [
        lambda sender, **kw: sent.append(("pre", kw["instance"])),
        lambda sender, **kw: sent.append(("post", kw["created"])),
    ]
    signals.pre_save.connect(receivers[0], sender=model)
    signals.post_save.connect(receivers[1], sender=model)
    try:
        by_orm.save()
        sent.clear()
        insert(by_insert)
    finally:
        signals.pre_save.disconnect(receivers[0], sender=model)
        signals.post_save.disconnect(receivers[1], sender=model)

    assert by_insert.pk is not None and by_insert.pk != by_orm.pk and by_insert._state.adding is False
    assert _token_columns(by_insert.pk) == _token_columns(by_orm.pk)
    stored = model.objects.get(pk=by_insert.pk)
    assert stored.token_checksum == hashlib.sha256(b"insert-token").hexdigest()
    assert stored.created is not None and stored.expires == expires
    assert sent == [("pre", by_insert), ("post", True)]


def test_insert_of_an_instance_with_a_primary_key_is_a_save(make_run):
    course = Course.objects.get(runs__key=make_run("course-v1:Org+Ins+Run").key)
    course.title = "Renamed"

    insert(course)

    assert Course.objects.get(pk=course.pk).title == "Renamed"
    assert Course.objects.count() == 1


def test_read_cursor_loads_the_date_times_a_django_cursor_loads(make_run):
    run = make_run("course-v1:Org+Times+Run", start=WHEN, enrollment_start=datetime(2001, 2, 3, tzinfo=UTC))
    sql = 'SELECT "start", "enrollment_start", "end", "created" FROM "courses_courserun" WHERE "id" = %s'

    with connection.cursor() as plain:
        plain.execute(sql, [run.pk])
        expected = plain.fetchone()
    with read_cursor(connection) as fast:
        fast.execute(sql, [run.pk])
        loaded = fast.fetchone()

    assert loaded == expected and loaded[2] is None
    if connection.vendor == "postgresql":  # (SQLite's raw values are naive; Columns converts them)
        assert loaded[0] == WHEN
        assert [value.utcoffset() for value in loaded if value is not None] == [timedelta(0)] * 3
    with connection.cursor() as after:  # the connection's own loader is left as it was
        after.execute(sql, [run.pk])
        assert after.fetchone() == expected
