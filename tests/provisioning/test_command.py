"""The import and export commands as a user runs them: formats, usage errors and exit statuses, the
errors file, progress lines, batches, and once the real `coursegate` entry point."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from coursegate.accounts.models import User
from coursegate.provisioning import progress
from tests.provisioning.conftest import PLAN, command

pytestmark = pytest.mark.django_db

USERS = "username,email,name"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["import", "users", "missing.csv"], "cannot read missing.csv"),
        (["import", "users", "users.txt"], "cannot tell the format of 'users.txt' from its extension"),
        (["import", "users", "bad-header.csv"], "line 1: unknown column(s) mail; the columns are"),
        (["import", "users", "no-email.csv"], "line 1: missing column(s) email"),
        (["import", "users", "latin1.csv"], "not UTF-8 text"),
        (["import", "users", "users.csv", "--batch-size", "0"], "--batch-size must be from 1 to 100000"),
        (["export", "users", "no/such/dir/out.csv"], "No such file or directory"),
    ],
)
def test_usage_errors_exit_with_status_2_and_import_nothing(tmp_path, write, args, message):
    write("users.txt", [USERS, "ann,ann@example.com,Ann"])
    write("users.csv", [USERS, "ann,ann@example.com,Ann"])
    write("bad-header.csv", ["username,mail", "ann,ann@example.com"])
    write("no-email.csv", ["username,name", "ann,Ann"])
    (tmp_path / "latin1.csv").write_bytes(f"{USERS}\nj\xf6rg,j@example.com,J\xf6rg\n".encode("latin-1"))
    os.chdir(tmp_path)

    result = command(*args)

    assert result.status == 2
    assert message in result.err
    assert not User.objects.exists()


def test_an_unknown_kind_is_refused_by_the_parser():
    with pytest.raises(Exception, match="invalid choice: 'teachers'"):
        call_command("import", "teachers", "x.csv")


def test_an_empty_file_or_a_header_alone_imports_nothing_and_succeeds(write, run_import):
    assert run_import("users", write("empty.csv", [])).status == 0
    result = run_import("users", write("header.csv", [USERS, "", ",,"]))
    assert result.status == 0 and "0 created, 0 updated, 0 unchanged, 0 failed" in result.out


def test_format_flag_overrides_the_extension_and_bad_json_lines_are_reported(write, run_import):
    path = write("users.data", ['{"username": "ann", "email": "ann@example.com"}', "{not json", "[1, 2]"])

    result = run_import("users", path, "--format", "jsonl")

    assert result.status == 1
    assert "line 2: invalid JSON" in result.err and "line 3: a line must hold one JSON object" in result.err
    assert list(User.objects.values_list("username", flat=True)) == ["ann"]


def test_the_errors_file_lists_every_failed_row_and_stderr_the_first_fifty(write, run_import, tmp_path):
    lines = [USERS] + [f"user{i},not-mail-{i},U" for i in range(60)] + ["ok,ok@example.com,OK"]
    errors = tmp_path / "errors.csv"

    result = run_import("users", write("users.csv", lines), "--errors", str(errors))

    assert result.status == 1
    assert "1 created, 0 updated, 0 unchanged, 60 failed" in result.out
    assert result.err.count("line ") == 50
    assert f"... and 10 more failed rows (all in {errors})" in result.err
    rows = list(csv.reader(errors.open()))
    assert rows[0] == ["line", "error"]
    assert [r[0] for r in rows[1:]] == [str(n) for n in range(2, 62)]
    assert rows[1][1] == "email: Enter a valid email address."


def test_a_quoted_multi_line_value_reports_the_line_the_row_ends_on(write, run_import):
    path = write("users.csv", [USERS, 'ann,ann@example.com,"Ann', 'Lee"', "bob,bad,Bob"])

    result = run_import("users", path)

    assert "line 4: email: Enter a valid email address." in result.err
    assert User.objects.get(username="ann").profile.name == "Ann\nLee"


def test_progress_lines_when_not_a_terminal(write, monkeypatch):
    monkeypatch.setattr(progress, "QUIET_EVERY_SECONDS", 0.0)
    err = io.StringIO()
    path = write("users.csv", [USERS] + [f"u{i},u{i}@example.com," for i in range(5)])

    call_command("import", "users", path, "--batch-size", "2", stdout=io.StringIO(), stderr=err)

    lines = err.getvalue().splitlines()
    # The position is the bytes read, in 64 KiB blocks: a small file is read in one go.
    assert [line.split(",")[0] for line in lines] == [f"import users: {n} rows (100% of the file)" for n in (2, 4, 5)]
    assert "\r" not in err.getvalue()


def test_a_progress_bar_on_a_terminal(write, monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(progress, "BAR_EVERY_SECONDS", 0.0)
    err = Terminal()
    path = write("users.csv", [USERS] + [f"u{i},u{i}@example.com," for i in range(4)])

    call_command("import", "users", path, "--batch-size", "2", stdout=io.StringIO(), stderr=err)

    text = err.getvalue()
    assert "\rimport users: [" in text and "] 100% 4 rows" in text
    assert text.endswith("\r\033[K")


def test_export_to_stdout_defaults_to_csv(make_user):
    make_user("ann")
    out = io.StringIO()

    call_command("export", "users", stdout=out, stderr=io.StringIO())

    assert out.getvalue() == "username,email,name,password\nann,ann@example.com,Ann,\n"


@pytest.mark.slow
def test_the_coursegate_entry_point_imports_from_stdin_and_exits_with_the_documented_statuses(tmp_path):
    """A real process on a SQLite file: `coursegate migrate`, then imports as an operator types them."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3", "COURSEGATE_VAR_DIR": str(tmp_path)}
    coursegate = str(Path(sys.executable).parent / "coursegate")
    subprocess.run([coursegate, "migrate", "-v", "0"], env=env, check=True)

    def run(*args, stdin=""):
        return subprocess.run([coursegate, *args], env=env, input=stdin, capture_output=True, text=True)

    good = run("import", "users", "-", stdin=f"{USERS}\nann,ann@example.com,Ann\n")
    again = run("import", "users", "-", stdin=f"{USERS}\nann,ann@example.com,Ann\nbob,bad,Bob\n")
    usage = run("import", "users", str(tmp_path / "nothing.csv"))
    unknown = run("import", "teachers", "x.csv")
    exported = run("export", "users", "--format", "jsonl")

    assert (good.returncode, good.stdout) == (
        0,
        "import users from -: 1 created, 0 updated, 0 unchanged, 0 failed in " + good.stdout.split(" in ")[-1],
    )
    assert again.returncode == 1 and "line 3: email: Enter a valid email address." in again.stderr
    assert "CommandError: 1 of 2 rows failed" in again.stderr
    assert usage.returncode == 2 and "cannot read" in usage.stderr
    assert unknown.returncode == 2 and "invalid choice: 'teachers'" in unknown.stderr
    assert exported.stdout == '{"username": "ann", "email": "ann@example.com", "name": "Ann", "password": null}\n'


def test_a_new_step_of_a_long_import_is_shown_at_once_even_between_quiet_lines():
    err = io.StringIO()
    bar = progress.Progress(err, label="import licenses", total_bytes=100)

    bar.update(10, 50, stage="reading")
    bar.update(20, 100, stage="reading")  # same step, within the quiet interval: nothing
    bar.update(20, 100, stage="writing the licenses of plan p")

    lines = err.getvalue().splitlines()
    assert [line.rsplit(", ", 1)[0] for line in lines] == [
        "import licenses: reading: 10 rows (50% of the file)",
        "import licenses: writing the licenses of plan p: 20 rows (100% of the file)",
    ]
    assert all(line.endswith(" rows/s") for line in lines)


def test_the_licenses_import_reports_its_steps_on_postgresql(make_plan, write):
    make_plan(2)
    err = io.StringIO()
    path = write("licenses.csv", ["plan_uuid,email", f"{PLAN},a@example.com"])

    call_command("import", "licenses", path, stdout=io.StringIO(), stderr=err)

    steps = [line.split(": ")[1] for line in err.getvalue().splitlines()]
    if connection.vendor == "postgresql":
        assert steps == ["reading", f"writing the licenses of plan {PLAN}"]
    else:  # batches: one line per batch after the quiet interval, none for so small a file
        assert steps == []
