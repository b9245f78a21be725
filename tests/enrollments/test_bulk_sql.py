"""The set-based statements behind the bulk paths (enrollments/sql.py) and the cheap rows of a
pass (enrollments/bulk_rows.py): the same rows on this run's database as through the ORM
fallback, one statement whatever the number of rows, and the same Enrollment instances."""

from __future__ import annotations

import gc

import pytest
from django.db import connection
from django.db.models.signals import post_init
from django.test.utils import CaptureQueriesContext

from coursegate.accounts.models import User
from coursegate.enrollments import sql
from coursegate.enrollments.bulk_rows import collector_paused, new_enrollment, plain_model
from coursegate.enrollments.models import Enrollment, EnrollmentAllowed, EnrollmentHistory, Source
from coursegate.enrollments.services import (
    EnrollmentRequest,
    Outcome,
    enrollments_bulk_change,
    enrollments_bulk_deactivate,
    enrollments_bulk_upsert,
)
from tests.enrollments.clock import NOW

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["set-based", "orm"])
def statements(request, monkeypatch):
    """Each test runs on this database's one-statement forms and on the ORM fallback."""
    if request.param == "orm":
        monkeypatch.setattr(sql, "set_based", lambda: False)
    return request.param


def accounts(prefix: str, n: int) -> list[User]:
    User.objects.bulk_create(User(username=f"{prefix}{i}", email=f"{prefix}{i}@example.com") for i in range(n))
    return list(User.objects.filter(username__startswith=prefix).order_by("id"))


def rows(model, *fields: str) -> list[tuple]:
    return list(model.objects.order_by("id").values_list(*fields))


def test_inserts_updates_and_history_write_the_rows_given(statements, make_run, staff):
    run, other = make_run(), make_run("course-v1:Org+Other+Run")
    ann, bob = accounts("w", 2)

    ids = sql.enrollments_insert([(ann.id, run.id, "audit", True), (bob.id, other.id, "verified", False)], now=NOW)
    sql.enrollments_update([(ids[(ann.id, run.id)], "honor", False)], now=NOW.replace(hour=13))
    sql.history_insert(
        [(ids[(bob.id, other.id)], "verified", False), (ids[(ann.id, run.id)], "honor", False)],
        now=NOW,
        actor_id=staff.id,
        source=Source.APPSEMBLER,
    )

    assert set(ids) == {(ann.id, run.id), (bob.id, other.id)}
    assert rows(Enrollment, "id", "user", "course_run", "mode", "is_active", "created", "modified") == [
        (ids[(ann.id, run.id)], ann.id, run.id, "honor", False, NOW, NOW.replace(hour=13)),
        (ids[(bob.id, other.id)], bob.id, other.id, "verified", False, NOW, NOW),
    ]
    # In the order given (ids ascend with it), with the shared time, actor and source.
    assert rows(EnrollmentHistory, "enrollment", "mode", "is_active", "changed_at", "actor", "source") == [
        (ids[(bob.id, other.id)], "verified", False, NOW, staff.id, Source.APPSEMBLER),
        (ids[(ann.id, run.id)], "honor", False, NOW, staff.id, Source.APPSEMBLER),
    ]


def test_nothing_to_write_costs_no_query(statements, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert sql.enrollments_insert([], now=NOW) == {}
        sql.enrollments_update([], now=NOW)
        sql.history_insert([], now=NOW, actor_id=None, source=Source.ADMIN)
        sql.invitations_insert([], now=NOW)


def test_invitations_insert_keeps_an_invitation_already_there(statements, make_run, frozen_now):
    run = make_run()
    EnrollmentAllowed.objects.create(email="ann@example.com", course_run=run, auto_enroll=False)

    sql.invitations_insert([("ann@example.com", run.id, True), ("bob@example.com", run.id, True)], now=NOW)

    assert rows(EnrollmentAllowed, "email", "auto_enroll", "user") == [
        ("ann@example.com", False, None),
        ("bob@example.com", True, None),
    ]
    assert EnrollmentAllowed.objects.get(email="bob@example.com").created == NOW


def test_fifteen_hundred_rows_are_one_statement_each(make_run):
    """Past SQLite's historical cap of 999 parameters per statement, still one statement each."""
    run = make_run()
    users = accounts("big", 1500)
    new = [(u.id, run.id, "audit", True) for u in users]

    with CaptureQueriesContext(connection) as inserted:
        ids = sql.enrollments_insert(new, now=NOW)
    changes = [(ids[(u.id, run.id)], "audit", False) for u in users]
    with CaptureQueriesContext(connection) as updated:
        sql.enrollments_update(changes, now=NOW)
        sql.history_insert(changes, now=NOW, actor_id=None, source=Source.ADMIN)

    assert len(inserted) == 1 and len(updated) == 2
    assert Enrollment.objects.filter(course_run=run, is_active=False).count() == 1500
    assert list(EnrollmentHistory.objects.order_by("id").values_list("enrollment", flat=True)) == [
        ids[(u.id, run.id)] for u in users
    ]


def test_json_set_filters_like_a_list_and_an_empty_set_asks_nothing(make_run, django_assert_num_queries):
    users = accounts("set", 3)
    names = ["set0", "set2", "nobody"]

    assert sorted(User.objects.filter(username__in=sql.json_set(names)).values_list("username", flat=True)) == [
        "set0",
        "set2",
    ]
    ids = [users[1].id, 10**9]
    assert list(User.objects.filter(pk__in=sql.json_set(ids, "bigint")).values_list("username", flat=True)) == ["set1"]
    with django_assert_num_queries(0):
        assert list(User.objects.filter(username__in=sql.json_set([]))) == []


def test_the_bulk_services_answer_the_same_through_the_orm_fallback(statements, make_run, staff):
    run = make_run(modes=("audit", "verified"))
    ann, bob, cid = accounts("f", 3)
    enrollments_bulk_upsert(requests=[EnrollmentRequest(user=bob, course_run=run, is_active=False)], source="admin")

    results = enrollments_bulk_upsert(
        requests=[
            EnrollmentRequest(user=ann, course_run=run),  # created
            EnrollmentRequest(user=bob, course_run=run),  # reactivated
            EnrollmentRequest(user=cid, course_run=run, mode="verified"),  # created
            EnrollmentRequest(user=ann, course_run=run, mode="verified"),  # mode changed (staff)
        ],
        actor=staff,
        source=Source.APPSEMBLER,
        privileged=True,
    )
    deactivated = enrollments_bulk_deactivate(pairs=[(bob, run), (cid, run)], actor=staff, source=Source.ADMIN)

    assert [r.outcome for r in results] == [Outcome.CREATED, Outcome.REACTIVATED, Outcome.CREATED, Outcome.UPDATED]
    assert [r.outcome for r in deactivated] == [Outcome.DEACTIVATED, Outcome.DEACTIVATED]
    assert all(r.enrollment.pk and not r.enrollment._state.adding for r in results)
    assert sorted(Enrollment.objects.values_list("user__username", "mode", "is_active")) == [
        ("f0", "verified", True),
        ("f1", "audit", False),
        ("f2", "verified", False),
    ]
    # Every change in the order it was asked for, across inserted and updated rows.
    assert list(
        EnrollmentHistory.objects.filter(actor=staff).order_by("id").values_list("enrollment__user__username", "mode")
    ) == [("f0", "audit"), ("f1", "audit"), ("f2", "verified"), ("f0", "verified"), ("f1", "audit"), ("f2", "verified")]


def test_bulk_change_writes_and_withdraws_invitations_through_the_orm_fallback_too(statements, make_run):
    run = make_run()
    EnrollmentAllowed.objects.create(email="old@example.com", course_run=run, auto_enroll=False)
    args = {"course_runs": [run], "source": Source.APPSEMBLER}

    enrollments_bulk_change(
        action="enroll", identifiers=["old@example.com", "new@example.com"], auto_enroll=True, **args
    )
    invited = rows(EnrollmentAllowed, "email", "auto_enroll")
    enrollments_bulk_change(action="unenroll", identifiers=["old@example.com"], auto_enroll=True, **args)

    assert invited == [("old@example.com", True), ("new@example.com", True)]
    assert rows(EnrollmentAllowed, "email") == [("new@example.com",)]


# --- bulk_rows ---------------------------------------------------------------------------------


def test_a_new_enrollment_is_the_instance_the_model_would_build(make_run, learner):
    run = make_run()

    fast = new_enrollment(learner, run, mode="audit", is_active=True, now=NOW, plain=plain_model())
    model = Enrollment(user=learner, course_run=run, mode="audit", is_active=True, created=NOW, modified=NOW)

    assert plain_model()
    assert {k: v for k, v in vars(fast).items() if k != "_state"} == {
        k: v for k, v in vars(model).items() if k != "_state"
    }
    assert (fast._state.adding, fast._state.db) == (model._state.adding, model._state.db) == (True, "default")
    assert fast.user is learner and fast.course_run is run  # cached: no query
    fast.save()
    assert Enrollment.objects.get().mode == "audit"


def test_a_listener_on_the_models_init_gets_every_new_enrollment(make_run, learner):
    run = make_run()
    seen = []

    def listener(sender, instance, **kwargs):
        seen.append(instance)

    post_init.connect(listener, sender=Enrollment)
    try:
        assert not plain_model()
        [result] = enrollments_bulk_upsert(requests=[EnrollmentRequest(user=learner, course_run=run)], source="admin")
    finally:
        post_init.disconnect(listener, sender=Enrollment)

    assert result.enrollment in seen


def test_the_collector_is_paused_during_the_operation_and_restored_after():
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()

    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError
    assert gc.isenabled()

    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()  # off before: left off
    finally:
        gc.enable()
