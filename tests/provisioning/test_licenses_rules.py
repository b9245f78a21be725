"""coursegate import licenses: the rules over a whole file (several plans, capacity in the file's
order, repeats), the change feed's events, and addresses that need escaping on their way through
PostgreSQL's COPY. The same tests hold on SQLite (batches) and PostgreSQL (one staged COPY)."""

from __future__ import annotations

import json

import pytest

from coursegate.feed.models import GenericEvent
from coursegate.subscriptions.models import License
from tests.provisioning.conftest import PLAN

pytestmark = pytest.mark.django_db

HEADER = "plan_uuid,email"
OTHER_PLAN = "5e1ec7ed-0000-4000-8000-0000000000b2"
UNKNOWN_PLAN = "5e1ec7ed-0000-4000-8000-00000000ffff"


def _live(plan) -> dict[str, str]:
    rows = License.objects.filter(plan=plan, status__in=["assigned", "activated"])
    return dict(rows.values_list("user_email", "uuid"))


def _assigned_events() -> list[GenericEvent]:
    return list(GenericEvent.objects.filter(type="coursegate.license.assigned").order_by("id"))


def test_a_file_of_several_plans_reports_its_failed_rows_in_line_order(make_plan, write, run_import):
    first, second = make_plan(2), make_plan(2, uuid=OTHER_PLAN)
    path = write(
        "licenses.csv",
        [
            HEADER,
            f"{OTHER_PLAN},b1@example.com",
            f"{UNKNOWN_PLAN},x@example.com",
            f"{PLAN},a1@example.com",
            f"{PLAN},bad address",
            f"{OTHER_PLAN},b2@example.com",
            f"{UNKNOWN_PLAN},y@example.com",
            f"{PLAN},a1@example.com",
        ],
    )

    result = run_import("licenses", path)

    assert result.status == 1
    assert "3 created, 0 updated, 1 unchanged, 3 failed" in result.out
    lines = [line for line in result.err.splitlines() if line.startswith("line ")]
    assert lines == [
        f"line 3: plan_uuid: no subscription plan {UNKNOWN_PLAN}",
        "line 5: email: 'bad address' is not a valid e-mail address",
        f"line 7: plan_uuid: no subscription plan {UNKNOWN_PLAN}",
    ]
    assert set(_live(first)) == {"a1@example.com"}
    assert set(_live(second)) == {"b1@example.com", "b2@example.com"}


def test_a_short_plan_gives_its_licenses_in_the_files_order_and_fails_every_line_of_the_rest(
    make_plan, write, run_import
):
    plan = make_plan(2)
    emails = ["zoe@example.com", "adam@example.com", "zoe@example.com", "mia@example.com", "mia@example.com"]
    path = write("licenses.csv", [HEADER] + [f"{PLAN},{email}" for email in emails])

    result = run_import("licenses", path)

    assert result.status == 1
    assert "2 created, 0 updated, 1 unchanged, 2 failed" in result.out
    message = f"plan {PLAN} has no unassigned license left (see --add-licenses)"
    assert f"line 5: {message}" in result.err and f"line 6: {message}" in result.err
    assert set(_live(plan)) == {"zoe@example.com", "adam@example.com"}
    assert License.objects.filter(plan=plan).count() == 2


def test_unassigned_licenses_are_used_before_new_ones_are_added(make_plan, write, run_import):
    plan = make_plan(1)
    own = License.objects.get(plan=plan).uuid
    path = write("licenses.csv", [HEADER, f"{PLAN},first@example.com", f"{PLAN},second@example.com"])

    result = run_import("licenses", path, "--add-licenses")

    assert result.status == 0, result.err
    assert "2 created, 0 updated, 0 unchanged, 0 failed" in result.out
    live = _live(plan)
    assert live["first@example.com"] == own
    assert set(live) == {"first@example.com", "second@example.com"}
    assert License.objects.filter(plan=plan).count() == 2
    keys = License.objects.filter(plan=plan).values_list("activation_key", flat=True)
    assert None not in keys and len(set(keys)) == 2


def test_each_license_given_is_one_assigned_event_in_the_feed_and_a_rerun_adds_none(make_plan, write, run_import):
    plan = make_plan(1)
    path = write("licenses.csv", [HEADER, f"{PLAN},first@example.com", f"{PLAN},second@example.com"])

    run_import("licenses", path, "--add-licenses")
    again = run_import("licenses", path, "--add-licenses")

    assert "0 created, 0 updated, 2 unchanged, 0 failed" in again.out
    events = _assigned_events()
    live = _live(plan)
    assert sorted(e.resource_id for e in events) == sorted(str(u) for u in live.values())
    assert {e.resource_type for e in events} == {"license"}
    payloads = sorted((json.loads(e.payload) for e in events), key=lambda p: p["email"])
    assert [p["email"] for p in payloads] == ["first@example.com", "second@example.com"]
    first = payloads[0]
    assert set(first) == {"uuid", "plan_uuid", "email", "user", "user_id", "state", "time"}
    assert first["uuid"] == str(live["first@example.com"])
    assert (first["plan_uuid"], first["state"], first["user"], first["user_id"]) == (PLAN, "assigned", None, None)
    assert first["time"].startswith("20")


def test_a_dry_run_appends_no_event(make_plan, write, run_import):
    make_plan(1)
    path = write("licenses.csv", [HEADER, f"{PLAN},first@example.com", f"{PLAN},second@example.com"])

    result = run_import("licenses", path, "--add-licenses", "--dry-run")

    assert "2 created, 0 updated, 0 unchanged, 0 failed" in result.out
    assert _assigned_events() == []


def test_addresses_with_quotes_backslashes_and_tabs_keep_their_characters(make_plan, write, run_import):
    plan = make_plan(2)
    odd = '"a\\\tb\\ c"@example.com'  # a quoted local part with escaped tab and space (RFC 5321)
    quoted = '"' + odd.replace('"', '""') + '"'
    path = write("licenses.csv", [HEADER, f"{PLAN},{quoted}", f"{PLAN},plain@example.com"])

    result = run_import("licenses", path)

    assert result.status == 0, result.err
    assert set(_live(plan)) == {odd, "plain@example.com"}
    again = run_import("licenses", path)
    assert "0 created, 0 updated, 2 unchanged, 0 failed" in again.out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(b"plan_uuid,mail\n", "line 1: unknown column(s) mail", id="bad header"),
        pytest.param(
            f"plan_uuid,email\n{PLAN},first@example.com\n".encode() + b"x,caf\xe9@example.com\n",
            "not UTF-8 text",
            id="not UTF-8 after a good row",
        ),
    ],
)
def test_an_unreadable_file_is_a_usage_error_and_nothing_is_imported(make_plan, tmp_path, run_import, content, message):
    plan = make_plan(2)
    path = tmp_path / "licenses.csv"
    path.write_bytes(content)

    result = run_import("licenses", str(path))

    assert result.status == 2
    assert message in result.err
    assert _live(plan) == {}
