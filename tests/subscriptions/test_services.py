"""Service rules of licenses (coursegate.subscriptions.services): assignment, activation and
atomic bulk revocation (seed 003 "licenses/assign", "licenses/bulk-revoke"; issue 4)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coursegate.enterprise.models import EnterpriseLearner
from coursegate.enterprise.services import learner_link
from coursegate.subscriptions.exceptions import (
    LicenseAssignInputError,
    LicenseFilterError,
    LicenseNotFoundError,
    LicenseRevocationCapError,
    LicenseRevokeInputError,
    LicenseShortageError,
    LicenseStateError,
)
from coursegate.subscriptions.models import License, SubscriptionPlan
from coursegate.subscriptions.selectors import license_counts_for_plans, live_license_for_email
from coursegate.subscriptions.services import license_activate, licenses_assign, licenses_bulk_revoke

S = License.Status


def _statuses(plan) -> dict[str, str]:
    """{e-mail: status} of the plan's licenses that carry an e-mail (revoked ones included)."""
    return dict(plan.licenses.exclude(user_email="").order_by("revoked_date").values_list("user_email", "status"))


def _counts(plan):
    return license_counts_for_plans([plan.uuid])[plan.uuid]


def _assign(plan, *emails, **kwargs):
    return licenses_assign(plan=plan, emails=list(emails), notify=kwargs.pop("notify", False), **kwargs)


def _activate(plan, email, user):
    return license_activate(license=live_license_for_email(plan=plan, email=email), user=user)


# --- licenses_assign ---------------------------------------------------------------------------------


def test_assigning_lower_cases_and_de_duplicates_e_mails(plan):
    result = _assign(plan, "Abc@Example.com", "abc@example.com", " xyz@example.com ")

    assert [a.user_email for a in result.assignments] == ["abc@example.com", "xyz@example.com"]
    assert (result.num_successful_assignments, result.num_already_associated) == (2, 0)
    assert _statuses(plan) == {"abc@example.com": S.ASSIGNED, "xyz@example.com": S.ASSIGNED}
    rows = License.objects.filter(plan=plan, status=S.ASSIGNED)
    assert {r.uuid for r in rows} == {a.license_uuid for a in result.assignments}
    assert all(r.activation_key and r.assigned_date and r.last_remind_date == r.assigned_date for r in rows)
    assert len({r.activation_key for r in rows}) == 2


def test_e_mails_that_already_hold_an_assigned_or_activated_license_are_counted_and_skipped(plan, make_user):
    _assign(plan, "first@example.com", "second@example.com")
    _activate(plan, "second@example.com", make_user("second"))

    result = _assign(plan, "FIRST@example.com", "second@example.com", "third@example.com")

    assert [a.user_email for a in result.assignments] == ["third@example.com"]
    assert result.num_already_associated == 2
    assert _counts(plan) == type(_counts(plan))(activated=1, assigned=2, unassigned=7, revoked=0)


def test_assigning_only_already_associated_e_mails_changes_nothing(plan):
    _assign(plan, "a@example.com")

    result = _assign(plan, "a@example.com")

    assert (result.assignments, result.num_already_associated) == ([], 1)
    assert _counts(plan).assigned == 1


def test_not_enough_unassigned_licenses_raises_and_assigns_nothing(plan):
    _assign(plan, *[f"early{i}@example.com" for i in range(8)])

    with pytest.raises(LicenseShortageError) as caught:
        _assign(plan, "early0@example.com", *[f"late{i}@example.com" for i in range(3)])

    assert (caught.value.requested, caught.value.available) == (3, 2)
    assert "You attempted to assign 3 licenses, but there are only 2 potentially available." in str(caught.value)
    assert _counts(plan).assigned == 8
    assert not License.objects.filter(user_email__startswith="late").exists()
    assert not EnterpriseLearner.objects.filter(email__startswith="late").exists()


def test_salesforce_ids_are_stored_and_the_last_duplicate_wins(plan):
    _assign(plan, "a@example.com", "b@example.com", "A@example.com", user_sfids=["1" * 18, None, "2" * 18])

    assert dict(plan.licenses.exclude(user_email="").values_list("user_email", "user_sfid")) == {
        "a@example.com": "2" * 18,
        "b@example.com": "",
    }


@pytest.mark.parametrize(
    "emails, sfids",
    [
        (["a@example.com", "b@example.com"], ["1" * 18]),
        (["a@example.com"], []),
        (["a@example.com"], ["x" * 65]),
        (["not-an-email"], None),
        (["a@example.com", ""], None),
    ],
)
def test_malformed_assignments_raise_and_assign_nothing(plan, emails, sfids):
    with pytest.raises(LicenseAssignInputError):
        _assign(plan, *emails, user_sfids=sfids)

    assert _counts(plan).assigned == 0


def test_assigning_links_new_e_mails_to_the_customer_with_their_accounts(plan, make_user):
    honor = make_user("honor", email="Honor@Example.com")
    learner_link(customer=plan.customer, email="pending@example.com")

    _assign(plan, "honor@example.com", "pending@example.com", "newcomer@example.com")

    assert set(EnterpriseLearner.objects.filter(customer=plan.customer).values_list("email", "user_id")) == {
        ("honor@example.com", honor.pk),
        ("pending@example.com", None),
        ("newcomer@example.com", None),
    }


def test_a_pending_learner_link_gets_its_account_when_the_e_mail_is_assigned(plan, make_user):
    learner_link(customer=plan.customer, email="later@example.com")
    later = make_user("later")

    _assign(plan, "later@example.com")

    assert EnterpriseLearner.objects.get(email="later@example.com").user_id == later.pk


def test_notify_sends_one_assignment_e_mail_per_new_license_after_commit(
    plan, mailoutbox, django_capture_on_commit_callbacks
):
    _assign(plan, "old@example.com")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _assign(plan, "old@example.com", "a@example.com", "b@example.com", greeting="Hello", closing="Bye", notify=True)
    assert mailoutbox == []  # nothing before commit

    for callback in callbacks:
        callback()

    assert sorted(m.to[0] for m in mailoutbox) == ["a@example.com", "b@example.com"]
    message = next(m for m in mailoutbox if m.to == ["a@example.com"])
    key = str(License.objects.get(user_email="a@example.com").activation_key)
    assert message.subject == "You have been given a license to Customer A subscription by Customer A"
    assert message.body.startswith("Hello\n\n")
    assert message.body.endswith("\n\nBye\n")
    assert key in message.body


def test_without_notify_no_e_mail_is_scheduled(plan, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        _assign(plan, "a@example.com", notify=False)

    assert (callbacks, mailoutbox) == ([], [])


def test_assigning_many_e_mails_runs_a_bounded_number_of_queries(make_plan):
    plan = make_plan(2500)
    emails = [f"bulk{i}@example.com" for i in range(2500)]

    with CaptureQueriesContext(connection) as queries:
        result = _assign(plan, *emails)

    assert result.num_successful_assignments == 2500
    # Set-based: lock, live e-mails, free licenses, one UPDATE, then per 1,000 e-mails one user
    # lookup, one learner lookup and INSERT batches; SQLite's 999-parameter INSERTs make the most
    # batches, and the change feed's one INSERT (28 queries in all). A loop of saves would be over 5,000.
    assert len(queries) <= 28, [q["sql"][:80] for q in queries]
    # The licenses themselves: one UPDATE on either database (on SQLite one statement run per row,
    # logged as "2500 times: UPDATE ..."), no CASE branch per row (issue 10).
    updates = [q["sql"] for q in queries if 'UPDATE "subscriptions_license"' in q["sql"]]
    assert len(updates) == 1 and " CASE " not in updates[0], [sql[:80] for sql in updates]
    assert len(set(License.objects.filter(plan=plan, status=S.ASSIGNED).values_list("user_email", flat=True))) == 2500


# --- license_activate -------------------------------------------------------------------------------


def test_activating_an_assigned_license_binds_it_to_the_user(plan, make_user):
    _assign(plan, "honor@example.com")
    honor = make_user("honor")

    row = _activate(plan, "honor@example.com", honor)

    assert (row.status, row.lms_user_id) == (S.ACTIVATED, honor.pk)
    assert row.activation_date is not None
    assert _activate(plan, "honor@example.com", honor).activation_date == row.activation_date  # idempotent


def test_only_an_assigned_license_can_be_activated(plan, make_user):
    unassigned = plan.licenses.first()

    with pytest.raises(LicenseStateError):
        license_activate(license=unassigned, user=make_user("honor"))


# --- licenses_bulk_revoke ---------------------------------------------------------------------------


@pytest.fixture
def populated(plan, make_user):
    """The plan with alice (activated), albert (assigned), bob (assigned); 7 unassigned."""
    _assign(plan, "alice@example.com", "albert@example.com", "bob@example.com")
    _activate(plan, "alice@example.com", make_user("alice"))
    return plan


def test_revoking_by_e_mail_revokes_and_replaces_each_license(populated, staff):
    before = {e: live_license_for_email(plan=populated, email=e).uuid for e in ("alice@example.com", "bob@example.com")}

    revocations = licenses_bulk_revoke(
        plan=populated, user_emails=["Alice@example.com", "bob@example.com"], actor=staff
    )

    assert [(r.user_email, r.license_uuid, r.original_status) for r in revocations] == [
        ("alice@example.com", before["alice@example.com"], S.ACTIVATED),
        ("bob@example.com", before["bob@example.com"], S.ASSIGNED),
    ]
    assert _statuses(populated) == {
        "albert@example.com": S.ASSIGNED,
        "alice@example.com": S.REVOKED,
        "bob@example.com": S.REVOKED,
    }
    assert _counts(populated) == type(_counts(populated))(activated=0, assigned=1, unassigned=9, revoked=2)
    assert _counts(populated).total == 10
    assert License.objects.filter(status=S.REVOKED, revoked_date__isnull=True).count() == 0


def test_an_e_mail_without_a_live_license_fails_the_whole_revocation(populated):
    with pytest.raises(LicenseNotFoundError) as caught:
        licenses_bulk_revoke(
            plan=populated, user_emails=["alice@example.com", "nobody@example.com", "ghost@example.com"]
        )

    assert caught.value.emails == ["nobody@example.com", "ghost@example.com"]
    assert _counts(populated).revoked == 0
    assert live_license_for_email(plan=populated, email="alice@example.com").status == S.ACTIVATED


def test_a_revoked_e_mail_is_not_revocable_again_but_can_be_assigned_again(populated):
    licenses_bulk_revoke(plan=populated, user_emails=["bob@example.com"])

    with pytest.raises(LicenseNotFoundError):
        licenses_bulk_revoke(plan=populated, user_emails=["bob@example.com"])
    result = _assign(populated, "bob@example.com")

    assert result.num_successful_assignments == 1
    assert sorted(populated.licenses.filter(user_email="bob@example.com").values_list("status", flat=True)) == [
        S.ASSIGNED,
        S.REVOKED,
    ]


def test_with_a_cap_only_activated_revocations_count_and_are_recorded(populated):
    SubscriptionPlan.objects.filter(pk=populated.pk).update(is_revocation_cap_enabled=True, revoke_max_percentage=10)

    licenses_bulk_revoke(plan=populated, user_emails=["alice@example.com", "bob@example.com", "albert@example.com"])

    assert SubscriptionPlan.objects.get(pk=populated.pk).num_revocations_applied == 1


def test_reaching_the_revocation_cap_fails_the_whole_revocation_naming_the_activated_e_mails(populated, make_user):
    _assign(populated, "carol@example.com")
    _activate(populated, "carol@example.com", make_user("carol"))
    # ceil(10 x 10 / 100) = 1 revocation allowed, none used: two activated licenses are one too many.
    SubscriptionPlan.objects.filter(pk=populated.pk).update(is_revocation_cap_enabled=True, revoke_max_percentage=10)

    with pytest.raises(LicenseRevocationCapError) as caught:
        licenses_bulk_revoke(plan=populated, user_emails=["bob@example.com", "alice@example.com", "carol@example.com"])

    assert caught.value.emails == ["alice@example.com", "carol@example.com"]
    assert _counts(populated).revoked == 0
    assert SubscriptionPlan.objects.get(pk=populated.pk).num_revocations_applied == 0


def test_without_a_cap_any_number_of_activated_licenses_can_be_revoked(populated):
    SubscriptionPlan.objects.filter(pk=populated.pk).update(revoke_max_percentage=0)

    licenses_bulk_revoke(plan=populated, user_emails=["alice@example.com"])

    assert SubscriptionPlan.objects.get(pk=populated.pk).num_revocations_applied == 0
    assert _counts(populated).revoked == 1


@pytest.mark.parametrize(
    "filters, revoked",
    [
        ([{"user_email": "al"}], {"alice@example.com", "albert@example.com"}),
        ([{"user_email": "AL"}], {"alice@example.com", "albert@example.com"}),
        ([{"status_in": ["activated", "assigned"]}], {"alice@example.com", "albert@example.com", "bob@example.com"}),
        ([{"status_in": ["assigned"]}], {"albert@example.com", "bob@example.com"}),
        ([{"name": "user_email", "filter_value": "bob"}], {"bob@example.com"}),
        ([{"name": "status_in", "filter_value": ["activated"]}], {"alice@example.com"}),
        ([{"user_email": "al"}, {"status_in": ["assigned"]}], {"albert@example.com"}),
        ([{"user_email": "al", "status_in": ["activated"]}], {"alice@example.com"}),
        ([{"status_in": ["unassigned", "revoked"]}], set()),
        ([{"user_email": "nobody"}], set()),
    ],
)
def test_filters_in_the_seed_and_reference_shapes_revoke_every_matching_live_license(populated, filters, revoked):
    revocations = licenses_bulk_revoke(plan=populated, filters=filters)

    assert {r.user_email for r in revocations} == revoked
    assert set(populated.licenses.filter(status=S.REVOKED).values_list("user_email", flat=True)) == revoked
    assert _counts(populated).total == 10


@pytest.mark.parametrize(
    "filters",
    [
        [],
        [{}],
        ["al"],
        [{"email": "al"}],
        [{"user_email": ""}],
        [{"user_email": 3}],
        [{"status_in": []}],
        [{"status_in": "assigned"}],
        [{"status_in": ["cancelled"]}],
        [{"name": "user_email"}],
        [{"name": "status", "filter_value": ["assigned"]}],
        [{"name": "user_email", "filter_value": "al", "extra": 1}],
    ],
)
def test_malformed_filters_raise_and_revoke_nothing(populated, filters):
    with pytest.raises(LicenseFilterError):
        licenses_bulk_revoke(plan=populated, filters=filters)

    assert _counts(populated).revoked == 0


@pytest.mark.parametrize("kwargs", [{}, {"user_emails": ["bob@example.com"], "filters": [{"user_email": "b"}]}])
def test_exactly_one_of_e_mails_or_filters_is_required(populated, kwargs):
    with pytest.raises(LicenseRevokeInputError):
        licenses_bulk_revoke(plan=populated, **kwargs)

    assert _counts(populated).revoked == 0


def test_the_portable_bulk_update_path_writes_the_same_assignments(plan, monkeypatch):
    # Databases other than PostgreSQL and SQLite take Django's bulk_update.
    monkeypatch.setattr(connection, "vendor", "other")

    result = _assign(plan, "a@example.com", "b@example.com", user_sfids=["1" * 18, ""])

    monkeypatch.undo()
    rows = {r.user_email: r for r in License.objects.filter(plan=plan, status=S.ASSIGNED)}
    assert {a.user_email: a.license_uuid for a in result.assignments} == {e: r.uuid for e, r in rows.items()}
    assert (rows["a@example.com"].user_sfid, rows["b@example.com"].user_sfid) == ("1" * 18, "")
    assert all(r.activation_key and r.assigned_date for r in rows.values())


def test_revoking_thousands_of_licenses_at_once_revokes_and_replaces_them_all(make_plan):
    plan = make_plan(2500)
    _assign(plan, *[f"bulk{i}@example.com" for i in range(2500)])

    revocations = licenses_bulk_revoke(plan=plan, filters=[{"status_in": ["assigned"]}])

    assert len(revocations) == 2500
    assert _counts(plan) == type(_counts(plan))(unassigned=2500, revoked=2500)
