"""coursegate import licenses: plan_uuid,email."""

from __future__ import annotations

import pytest

from coursegate.enterprise.models import EnterpriseLearner
from coursegate.outbox.models import OutboxEmail
from coursegate.subscriptions.models import License
from tests.provisioning.conftest import PLAN

pytestmark = pytest.mark.django_db

HEADER = "plan_uuid,email"


def _live(plan) -> dict[str, str]:
    rows = License.objects.filter(plan=plan).exclude(status__in=["unassigned", "revoked"])
    return dict(rows.values_list("user_email", "status"))


def test_a_good_file_assigns_unassigned_licenses_and_links_the_learners(make_plan, write, run_import, make_user):
    plan = make_plan(5)
    make_user("ann", email="Ann@Example.com")
    path = write("licenses.csv", [HEADER, f"{PLAN},ann@example.com", f"{PLAN},BOB@example.com"])

    result = run_import("licenses", path)

    assert result.status == 0, result.err
    assert "2 created, 0 updated, 0 unchanged, 0 failed" in result.out
    assert _live(plan) == {"ann@example.com": "assigned", "bob@example.com": "assigned"}
    assert License.objects.filter(plan=plan).count() == 5  # the plan's own licenses, none added
    links = dict(EnterpriseLearner.objects.filter(customer=plan.customer).values_list("email", "user__username"))
    assert links == {"ann@example.com": "ann", "bob@example.com": None}
    assert not OutboxEmail.objects.exists()  # quiet by default


def test_a_second_run_reports_every_row_unchanged(make_plan, write, run_import):
    plan = make_plan(5)
    path = write("licenses.csv", [HEADER, f"{PLAN},a@example.com", f"{PLAN},b@example.com"])
    run_import("licenses", path)
    before = sorted(License.objects.filter(plan=plan).values_list("uuid", "status", "user_email", "activation_key"))

    result = run_import("licenses", path)

    assert result.status == 0
    assert "0 created, 0 updated, 2 unchanged, 0 failed" in result.out
    after = sorted(License.objects.filter(plan=plan).values_list("uuid", "status", "user_email", "activation_key"))
    assert after == before


def test_bad_rows_are_reported_with_their_line_numbers_and_the_good_rows_imported(make_plan, write, run_import):
    plan = make_plan(5)
    path = write(
        "licenses.csv",
        [
            HEADER,
            f"{PLAN},good1@example.com",
            f"{PLAN},not-an-email",
            "not-a-uuid,x@example.com",
            "5e1ec7ed-0000-4000-8000-00000000ffff,y@example.com",
            f"{PLAN}",
            f"{PLAN},good2@example.com",
        ],
    )

    result = run_import("licenses", path)

    assert result.status == 1
    assert "2 created, 0 updated, 0 unchanged, 4 failed" in result.out
    assert "line 3: email: 'not-an-email' is not a valid e-mail address" in result.err
    assert "line 4: plan_uuid: 'not-a-uuid' is not a UUID" in result.err
    assert "line 5: plan_uuid: no subscription plan 5e1ec7ed-0000-4000-8000-00000000ffff" in result.err
    assert "line 6: expected 2 values, found 1" in result.err
    assert "4 of 6 rows failed" in result.err
    assert set(_live(plan)) == {"good1@example.com", "good2@example.com"}


def test_without_add_licenses_the_rows_beyond_the_plan_fail_and_with_it_the_plan_grows(make_plan, write, run_import):
    plan = make_plan(2)
    path = write("licenses.jsonl", [{"plan_uuid": PLAN, "email": f"l{i}@example.com"} for i in range(4)])

    short = run_import("licenses", path)

    assert short.status == 1
    assert "2 created, 0 updated, 0 unchanged, 2 failed" in short.out
    assert f"line 3: plan {PLAN} has no unassigned license left (see --add-licenses)" in short.err
    assert License.objects.filter(plan=plan).count() == 2

    grown = run_import("licenses", path, "--add-licenses")

    assert grown.status == 0, grown.err
    assert "2 created, 0 updated, 2 unchanged, 0 failed" in grown.out
    assert set(_live(plan)) == {f"l{i}@example.com" for i in range(4)}
    assert License.objects.filter(plan=plan).count() == 4
    assert License.objects.filter(plan=plan, activation_key__isnull=True).count() == 0


def test_dry_run_checks_every_row_and_writes_nothing(make_plan, write, run_import):
    plan = make_plan(1)
    path = write("licenses.csv", [HEADER, f"{PLAN},a@example.com", f"{PLAN},b@example.com", f"{PLAN},bad"])

    result = run_import("licenses", path, "--dry-run", "--add-licenses")

    assert result.status == 1
    assert "2 created, 0 updated, 0 unchanged, 1 failed" in result.out
    assert "(dry run: nothing was written)" in result.out
    assert _live(plan) == {}
    assert License.objects.filter(plan=plan).count() == 1
    assert not EnterpriseLearner.objects.exists()


def test_notify_mails_each_new_license_holder_through_the_outbox(make_plan, write, run_import):
    make_plan(3)
    path = write("licenses.csv", [HEADER, f"{PLAN},a@example.com", f"{PLAN},b@example.com"])

    result = run_import("licenses", path, "--notify")

    assert result.status == 0
    mails = OutboxEmail.objects.order_by("id")
    assert [m.to for m in mails] == [["a@example.com"], ["b@example.com"]]
    assert all(m.kind == "license_assigned" for m in mails)
    keys = dict(License.objects.filter(plan__uuid=PLAN, status="assigned").values_list("user_email", "activation_key"))
    assert str(keys["a@example.com"]) in mails[0].body


def test_a_repeated_e_mail_counts_once(make_plan, write, run_import):
    plan = make_plan(3)
    path = write("licenses.csv", [HEADER, f"{PLAN},a@example.com", f"{PLAN},A@example.com"])

    result = run_import("licenses", path)

    assert "1 created, 0 updated, 1 unchanged, 0 failed" in result.out
    assert _live(plan) == {"a@example.com": "assigned"}


def test_export_writes_the_live_licenses_in_the_import_columns(make_plan, write, run_import, run_export):
    plan = make_plan(3)
    run_import("licenses", write("in.csv", [HEADER, f"{PLAN},b@example.com", f"{PLAN},a@example.com"]))
    License.objects.filter(plan=plan, user_email="b@example.com").update(status="revoked")

    result, text = run_export("licenses")

    assert result.status == 0
    assert text == f"{HEADER}\n{PLAN},a@example.com\n"
