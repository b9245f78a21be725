"""coursegate import users: username,email[,name,password]."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate

from coursegate.accounts.models import User
from coursegate.enrollments.models import Enrollment
from coursegate.enrollments.services import enrollment_allowed_upsert

pytestmark = pytest.mark.django_db

HEADER = "username,email,name,password"


def _people() -> dict[str, tuple[str, str]]:
    return {u.username: (u.email, u.profile.name) for u in User.objects.select_related("profile")}


def test_a_good_file_creates_accounts_with_profiles_and_passwords(write, run_import):
    path = write("users.csv", [HEADER, "ann,ann@example.com,Ann Lee,S3cure-pass!", "bob,bob@example.com,,"])

    result = run_import("users", path)

    assert result.status == 0, result.err
    assert "2 created, 0 updated, 0 unchanged, 0 failed" in result.out
    assert _people() == {"ann": ("ann@example.com", "Ann Lee"), "bob": ("bob@example.com", "")}
    assert authenticate(username="ann", password="S3cure-pass!") is not None
    assert not User.objects.get(username="bob").has_usable_password()


def test_a_new_account_takes_up_its_e_mails_invitations_as_the_api_does(write, run_import, make_run):
    run = make_run("course-v1:Org+Invite+Run")
    enrollment_allowed_upsert(email="ann@example.com", course_run=run, auto_enroll=True)

    run_import("users", write("users.csv", [HEADER, "ann,ann@example.com,Ann,"]))

    assert Enrollment.objects.filter(user__username="ann", course_run=run, is_active=True).exists()


def test_a_second_run_is_unchanged_and_a_changed_row_updates_e_mail_and_name(write, run_import):
    path = write("users.csv", [HEADER, "ann,ann@example.com,Ann,", "bob,bob@example.com,Bob,"])
    run_import("users", path)

    again = run_import("users", path)
    changed = run_import(
        "users", write("users2.csv", [HEADER, "ann,ann@new.example,Ann Lee,other-pass-9", "bob,bob@example.com,Bob,"])
    )

    assert "0 created, 0 updated, 2 unchanged, 0 failed" in again.out
    assert "0 created, 1 updated, 1 unchanged, 0 failed" in changed.out
    assert _people()["ann"] == ("ann@new.example", "Ann Lee")
    assert not User.objects.get(username="ann").has_usable_password()  # a password only creates


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("bad name!,x@example.com,,", "username: Enter a valid username"),
        ("carl,not-mail,,", "email: Enter a valid email address."),
        (",x@example.com,,", "username: a value is required"),
        ("carl,,,", "email: a value is required"),
        ("carl,taken@example.com,,", "email: taken@example.com belongs to the account owner"),
        ("carl,carl@example.com,,x", "password: This password is too short."),
        ("carl,carl@example.com," + "n" * 256 + ",", "name: at most 255 characters"),
    ],
)
def test_a_bad_row_fails_with_its_line_and_the_reason(write, run_import, make_user, line, message):
    make_user("owner", email="Taken@Example.com")
    path = write("users.csv", [HEADER, "dana,dana@example.com,Dana,", line])

    result = run_import("users", path)

    assert result.status == 1
    assert "1 created, 0 updated, 0 unchanged, 1 failed" in result.out
    assert f"line 3: {message}" in result.err
    assert set(_people()) == {"owner", "dana"}


def test_json_lines_import_as_csv_does(write, run_import):
    path = write("users.jsonl", [{"username": "ann", "email": "ann@example.com", "name": "Ann"}, {"username": "bob"}])

    result = run_import("users", path)

    assert result.status == 1
    assert "line 2: missing column(s) email" in result.err
    assert _people() == {"ann": ("ann@example.com", "Ann")}


def test_export_then_import_on_an_empty_database_gives_the_same_accounts(write, run_import, run_export):
    run_import("users", write("users.csv", [HEADER, "ann,ann@example.com,Ann Lee,", "bob,bob@example.com,,"]))
    _, text = run_export("users", "users.jsonl")
    User.objects.all().delete()

    result = run_import("users", write("again.jsonl", text.splitlines()))

    assert result.status == 0, result.err
    assert _people() == {"ann": ("ann@example.com", "Ann Lee"), "bob": ("bob@example.com", "")}
