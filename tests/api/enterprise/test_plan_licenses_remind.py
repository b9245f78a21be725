"""POST .../subscriptions/{plan}/licenses/remind/ (reference/learner_side.md §4.4; issue 12): the
learners named by e-mail, or whose licenses the filters match, get a reminder with their activation
link; ``last_remind_date`` is set in the request's transaction, the e-mail leaves after commit. All
or nothing: an e-mail without an assigned license is a 404 and nobody is reminded. Who may call:
test_plan_licenses_access.py; remind-all: test_plan_licenses_remind_all.py."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coursegate.outbox.models import OutboxEmail
from coursegate.outbox.services import INSERT_BATCH
from coursegate.subscriptions.models import License
from coursegate.subscriptions.services import licenses_assign
from tests.api.enterprise.license_support import LEARNER_EMAIL, PLAN_A, PLAN_B, S, license_of, licensed_world
from tests.assignments.conftest import NOW

LATER = NOW + timedelta(minutes=10)  # the licenses were assigned (and first "reminded") at NOW
NO_PENDING = "Could not find any licenses pending activation that are associated with the email: {}"
NEITHER = "Either user_emails or filters must be provided."
BOTH = "Either user_emails or filters must be provided, but not both."
MALFORMED = "Malformed filters, supported filters are ['user_email', 'status_in']."


@pytest.fixture
def licensed(enterprise_world, frozen, make_user):
    world = licensed_world(enterprise_world, make_user)
    frozen.move_to(LATER)
    return world


def remind(world, body, plan=PLAN_A, caller="admin_a", accept="application/json", **extra):
    client = world.client(caller, accept=accept)
    return client.post(f"/enterprise/v1/subscriptions/{plan}/licenses/remind/", body, format="json", **extra)


def reminded(plan=PLAN_A) -> dict[str, object]:
    """E-mail -> last_remind_date of the plan's licenses reminded after NOW."""
    rows = License.objects.filter(plan_id=plan, last_remind_date__gt=NOW)
    return dict(rows.values_list("user_email", "last_remind_date"))


def mails() -> list[tuple]:
    return sorted((m.kind, tuple(m.to)) for m in OutboxEmail.objects.all())


def link(email: str, plan=PLAN_A, base="http://testserver", slug="customer-a") -> str:
    return f"{base}/{slug}/licenses/{license_of(email, plan).activation_key}/activate"


def test_reminding_by_e_mail_sets_last_remind_date_and_queues_the_reminder_with_the_link_and_the_texts(licensed):
    response = remind(licensed, {"user_emails": ["bob@example.com"], "greeting": "Hi Bob,", "closing": "-- Acme HR"})

    assert (response.status_code, response.content) == (204, b"")
    assert reminded() == {"bob@example.com": LATER}
    [mail] = OutboxEmail.objects.all()
    assert (mail.kind, mail.to, mail.status) == ("license_reminder", ["bob@example.com"], "pending")
    assert mail.subject == "Reminder: activate your license to Customer A subscription from Customer A"
    assert mail.body == (
        "Hi Bob,\n\nCustomer A has given you a license to Customer A subscription, valid until 2030-12-31, and it "
        f"is still waiting for you.\n\nActivate it here: {link('bob@example.com')}\n\n-- Acme HR\n"
    )
    # The admin's list shows the new date.
    listed = licensed.client("admin_a").get(f"/enterprise/v1/subscriptions/{PLAN_A}/licenses/", {"search": "bob"})
    assert listed.json()["results"][0]["last_remind_date"] == "2027-03-01T09:40:00Z"


def test_the_reminder_is_delivered_after_the_commit(licensed, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = remind(licensed, {"user_emails": ["bob@example.com"]})

    assert response.status_code == 204
    [message] = mailoutbox
    assert message.to == ["bob@example.com"]
    assert message.body.startswith("Customer A has given you a license")
    assert f"Activate it here: {link('bob@example.com')}\n" in message.body
    assert OutboxEmail.objects.get().status == "sent"


def test_the_link_points_to_the_learner_portal_when_one_is_configured(licensed, settings):
    settings.COURSEGATE_LEARNER_PORTAL_URL = "https://learn.example.com/"

    remind(licensed, {"user_emails": [LEARNER_EMAIL, "bob@example.com"]})

    bodies = {m.to[0]: m.body for m in OutboxEmail.objects.all()}
    for email in (LEARNER_EMAIL, "bob@example.com"):
        assert f"Activate it here: {link(email, base='https://learn.example.com')}\n" in bodies[email]


def test_e_mails_are_compared_case_insensitively_and_each_learner_is_reminded_once(licensed):
    response = remind(licensed, {"user_emails": ["  BOB@Example.COM ", "bob@example.com", LEARNER_EMAIL.upper()]})

    assert response.status_code == 204
    assert reminded() == {"bob@example.com": LATER, LEARNER_EMAIL: LATER}
    assert mails() == [("license_reminder", ("bob@example.com",)), ("license_reminder", (LEARNER_EMAIL,))]


@pytest.mark.parametrize(
    ("emails", "named"),
    [
        (["alice@example.com"], "alice@example.com"),  # activated: nothing pending
        (["carol@example.com"], "carol@example.com"),  # revoked
        (["nobody@example.com"], "nobody@example.com"),  # no license at all
        (["dave@example.com"], "dave@example.com"),  # assigned, but in customer B's plan
        (["bob@example.com", "Nobody@Example.com", "alice@example.com"], "Nobody@Example.com"),  # the first, as sent
    ],
)
def test_an_e_mail_without_an_assigned_license_is_404_and_nobody_is_reminded(licensed, emails, named):
    response = remind(licensed, {"user_emails": emails, "greeting": "Hello"})

    assert (response.status_code, response.json()) == (404, {"detail": NO_PENDING.format(named)})
    assert reminded() == {}
    assert reminded(PLAN_B) == {}
    assert mails() == []


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ([{"name": "status_in", "filter_value": ["assigned", "activated"]}], {LEARNER_EMAIL, "bob@example.com"}),
        ([{"status_in": ["assigned"]}], {LEARNER_EMAIL, "bob@example.com"}),
        ([{"user_email": "BOB"}], {"bob@example.com"}),
        ([{"name": "user_email", "filter_value": "example.com"}, {"status_in": ["assigned"]}],
         {LEARNER_EMAIL, "bob@example.com"}),
        ([{"user_email": "alice"}], set()),  # activated only: nothing pending, still 204
        ([{"status_in": ["revoked", "unassigned"]}], set()),
    ],
)  # fmt: skip
def test_filters_remind_the_assigned_licenses_among_those_they_match(licensed, filters, expected):
    response = remind(licensed, {"filters": filters})

    assert (response.status_code, response.content) == (204, b"")
    assert set(reminded()) == expected
    assert mails() == sorted(("license_reminder", (email,)) for email in expected)


def test_activated_and_revoked_licenses_keep_their_dates(licensed):
    before = {r.uuid: r.last_remind_date for r in License.objects.exclude(status=S.ASSIGNED)}

    remind(licensed, {"filters": [{"status_in": ["assigned", "activated", "revoked"]}]})

    assert {r.uuid: r.last_remind_date for r in License.objects.exclude(status=S.ASSIGNED)} == before


BAD_INPUT = [
    ("nothing", {}, {"non_field_errors": [NEITHER]}),
    ("only texts", {"greeting": "Hi"}, {"non_field_errors": [NEITHER]}),
    ("both", {"user_emails": ["bob@example.com"], "filters": [{"user_email": "bob"}]}, {"non_field_errors": [BOTH]}),
    ("invalid e-mail", {"user_emails": ["bob"]}, {"user_emails": {"0": ["Enter a valid email address."]}}),
    ("one bad among good", {"user_emails": ["bob@example.com", "x@", LEARNER_EMAIL]},
     {"user_emails": {"1": ["Enter a valid email address."]}}),
    ("null e-mail", {"user_emails": [None]}, {"user_emails": {"0": ["This field may not be null."]}}),
    ("empty list", {"user_emails": []}, {"user_emails": ["This list may not be empty."]}),
    ("e-mails not a list", {"user_emails": "bob@example.com"},
     {"user_emails": ['Expected a list of items but got type "str".']}),
    ("unknown filter", {"filters": [{"name": "color", "filter_value": "red"}]}, {"filters": [MALFORMED]}),
    ("filter with extra keys", {"filters": [{"name": "user_email", "filter_value": "bob", "x": 1}]},
     {"filters": [MALFORMED]}),
    ("unknown status", {"filters": [{"status_in": ["lost"]}]},
     {"filters": ["The status_in filter needs a non-empty list of statuses among "
                  "['unassigned', 'assigned', 'activated', 'revoked']."]}),
    ("blank e-mail filter", {"filters": [{"user_email": " "}]},
     {"filters": ["The user_email filter needs a non-empty string."]}),
    ("filters not a list", {"filters": {"user_email": "bob"}},
     {"filters": ['Expected a list of items but got type "dict".']}),
    ("empty filters", {"filters": []}, {"filters": ["This list may not be empty."]}),
    ("greeting too long", {"user_emails": ["bob@example.com"], "greeting": "x" * 5001},
     {"greeting": ["Ensure this field has no more than 5000 characters."]}),
    ("closing not a string", {"user_emails": ["bob@example.com"], "closing": ["Bye"]},
     {"closing": ["Not a valid string."]}),
    ("a list body", ["bob@example.com"], {"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]}),
]  # fmt: skip


@pytest.mark.parametrize(("body", "errors"), [pytest.param(b, e, id=name) for name, b, e in BAD_INPUT])
def test_bad_input_is_400_and_changes_nothing(licensed, body, errors):
    response = remind(licensed, body)

    assert (response.status_code, response.json()) == (400, errors)
    assert reminded() == {}
    assert mails() == []


def test_a_body_that_is_not_json_is_400(licensed):
    client = licensed.client("admin_a")
    response = client.post(
        f"/enterprise/v1/subscriptions/{PLAN_A}/licenses/remind/", '{"user_emails": [', content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["detail"].startswith("JSON parse error")
    assert (reminded(), mails()) == ({}, [])


def test_answers_are_xml_by_default(licensed):
    missing = remind(licensed, {"user_emails": ["nobody@example.com"]}, accept=None)
    bad = remind(licensed, {}, accept=None)

    assert missing.status_code == 404
    assert missing["Content-Type"].startswith("application/xml")
    assert missing.content.decode().endswith(f"<root><detail>{NO_PENDING.format('nobody@example.com')}</detail></root>")
    assert bad.status_code == 400
    assert f"<non_field_errors><list-item>{NEITHER}</list-item></non_field_errors>" in bad.content.decode()
    assert remind(licensed, {"user_emails": ["bob@example.com"]}, accept=None).status_code == 204


def test_format_json_in_the_query_and_no_trailing_slash(licensed):
    client = licensed.client("admin_a", accept=None)
    response = client.post(
        f"/enterprise/v1/subscriptions/{PLAN_A}/licenses/remind?format=json", {"user_emails": ["x@example.com"]},
        format="json",
    )  # fmt: skip

    assert (response.status_code, response.json()) == (404, {"detail": NO_PENDING.format("x@example.com")})


def queries_of(world, body, action: str = "remind") -> tuple[int, int]:
    """(statements other than the outbox's INSERTs, the outbox's INSERTs) of one request of admin_b
    on PLAN_B."""
    client = world.client("admin_b")
    with CaptureQueriesContext(connection) as queries:
        response = client.post(f"/enterprise/v1/subscriptions/{PLAN_B}/licenses/{action}/", body, format="json")
    assert response.status_code == 204, response.content
    outbox = sum(q["sql"].startswith(f'INSERT INTO "{OutboxEmail._meta.db_table}"') for q in queries)
    return len(queries) - outbox, outbox


def outbox_batches(rows: int) -> int:
    """INSERTs of ``rows`` outbox rows: outbox.services.emails_enqueue writes up to INSERT_BATCH rows
    with one INSERT ... SELECT from a JSON parameter, on every database."""
    return -(-rows // INSERT_BATCH)


@pytest.mark.parametrize("by", ["e-mails", "filters"])
def test_reminding_costs_the_same_queries_for_20_or_400_learners(licensed, by):
    plan = licensed.plan_b
    License.objects.bulk_create([License(plan=plan) for _ in range(420)])
    small = [f"small{i}@example.com" for i in range(20)]
    large = [f"large{i}@example.com" for i in range(400)]
    licenses_assign(plan=plan, emails=small + large, notify=False)
    licensed.client("admin_b").get(f"/enterprise/v1/subscriptions/{PLAN_B}/licenses/overview/")  # token warmed up

    def body(emails, prefix):
        return {"user_emails": emails} if by == "e-mails" else {"filters": [{"user_email": prefix}]}

    counts = [queries_of(licensed, body(small, "small")), queries_of(licensed, body(large, "large"))]

    # token, roles, plan, savepoint, lock, SELECT, UPDATE, savepoint release: the same for both sizes;
    # the e-mails go in one INSERT (the outbox's batches hold 10,000).
    assert counts == [(counts[0][0], outbox_batches(20)), (counts[0][0], outbox_batches(400))]
    assert counts[0][0] <= 8
    assert len(reminded(PLAN_B)) == 420
    assert OutboxEmail.objects.filter(kind="license_reminder").count() == 420
