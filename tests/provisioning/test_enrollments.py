"""coursegate import enrollments: username,course_run_key[,mode,is_active]."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from coursegate.enrollments.models import Enrollment, EnrollmentHistory, Source
from coursegate.outbox.models import OutboxEmail

pytestmark = pytest.mark.django_db

RUN = "course-v1:Org+Imp+2026"
HEADER = "username,course_run_key,mode,is_active"


@pytest.fixture
def people(make_user, make_run):
    make_run(RUN, modes=("audit", "verified"))
    return [make_user("ann"), make_user("bob")]


def _state() -> dict[str, tuple[str, bool]]:
    return {e.user.username: (e.mode, e.is_active) for e in Enrollment.objects.select_related("user")}


def test_a_good_file_enrolls_through_the_enrollment_service_with_history(people, write, run_import):
    result = run_import("enrollments", write("e.csv", [HEADER, f"ann,{RUN},verified,true", f"bob,{RUN},,"]))

    assert result.status == 0, result.err
    assert "2 created, 0 updated, 0 unchanged, 0 failed" in result.out
    assert _state() == {"ann": ("verified", True), "bob": ("audit", True)}
    assert set(EnrollmentHistory.objects.values_list("source", flat=True)) == {Source.ADMIN}
    assert not OutboxEmail.objects.exists()  # no mail without --notify


def test_a_rerun_is_unchanged_and_a_change_of_mode_or_state_updates(people, write, run_import):
    path = write("e.csv", [HEADER, f"ann,{RUN},audit,true", f"bob,{RUN},audit,true"])
    run_import("enrollments", path)

    again = run_import("enrollments", path)
    changed = run_import("enrollments", write("e2.csv", [HEADER, f"ann,{RUN},verified,true", f"bob,{RUN},audit,false"]))

    assert "0 created, 0 updated, 2 unchanged, 0 failed" in again.out
    assert "0 created, 2 updated, 0 unchanged, 0 failed" in changed.out
    assert _state() == {"ann": ("verified", True), "bob": ("audit", False)}


def test_bad_rows_and_refused_enrollments_are_reported_per_line(people, write, run_import, make_run):
    make_run("course-v1:Org+Closed+2020", modes=("audit",), enrollment_end=datetime(2021, 1, 1, tzinfo=UTC))
    path = write(
        "e.csv",
        [
            HEADER,
            f"ann,{RUN},audit,true",
            f"nobody,{RUN},audit,true",
            "bob,course-v1:Org+Missing+Run,audit,true",
            f"bob,{RUN},professional,true",
            f"bob,{RUN},audit,maybe",
            "bob,course-v1:Org+Closed+2020,audit,true",
        ],
    )

    result = run_import("enrollments", path)

    assert result.status == 1
    assert "1 created, 0 updated, 0 unchanged, 5 failed" in result.out
    assert "line 3: username: no account 'nobody'" in result.err
    assert "line 4: course_run_key: no course run 'course-v1:Org+Missing+Run'" in result.err
    assert "line 5: " in result.err and "line 6: is_active: 'maybe' is not true or false" in result.err
    assert "line 7: " in result.err
    assert _state() == {"ann": ("audit", True)}


def test_force_enrolls_into_a_closed_run(people, write, run_import, make_run):
    make_run("course-v1:Org+Closed+2020", modes=("audit",), enrollment_end=datetime(2021, 1, 1, tzinfo=UTC))
    path = write("e.csv", [HEADER, "ann,course-v1:Org+Closed+2020,audit,true"])

    assert run_import("enrollments", path).status == 1
    assert run_import("enrollments", path, "--force").status == 0
    assert _state() == {"ann": ("audit", True)}


def test_notify_mails_the_learners_enrolled_and_unenrolled(people, write, run_import):
    run_import("enrollments", write("e.csv", [HEADER, f"bob,{RUN},audit,true"]))

    run_import("enrollments", write("e2.csv", [HEADER, f"ann,{RUN},audit,true", f"bob,{RUN},audit,false"]), "--notify")

    mails = sorted((m.to[0], m.kind) for m in OutboxEmail.objects.all())
    assert mails == [
        ("ann@example.com", "enrollment_enrolled_enroll"),
        ("bob@example.com", "enrollment_enrolled_unenroll"),
    ]


def test_dry_run_writes_nothing(people, write, run_import):
    result = run_import("enrollments", write("e.jsonl", [{"username": "ann", "course_run_key": RUN}]), "--dry-run")

    assert "1 created" in result.out and "dry run" in result.out
    assert not Enrollment.objects.exists() and not EnrollmentHistory.objects.exists()


def test_export_writes_every_enrollment_in_the_import_columns(people, write, run_import, run_export):
    run_import("enrollments", write("e.csv", [HEADER, f"ann,{RUN},verified,true", f"bob,{RUN},audit,false"]))

    _, csv_text = run_export("enrollments")
    _, jsonl_text = run_export("enrollments", "out.jsonl")

    assert csv_text == f"{HEADER}\nann,{RUN},verified,true\nbob,{RUN},audit,false\n"
    assert (
        jsonl_text.splitlines()[1]
        == f'{{"username": "bob", "course_run_key": "{RUN}", "mode": "audit", "is_active": false}}'
    )
