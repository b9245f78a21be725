"""Contract of the assignment administration endpoints of an assignment configuration (seed 003
"assignment-configurations-remind", "assignment-configurations-cancel"; reference/enterprise.md
§4.2–4.4, §5.1; issue 5):

- POST .../admin/assignments/remind/ and .../cancel/ with ``{"assignment_uuids": [...]}``: 200 with
  an empty body, or 422 listing the unknown and ineligible uuids. Both are atomic (unlike the
  reference's cancel): one bad uuid and nothing is recorded, changed or e-mailed.
- GET .../admin/assignments/: newest first, ``state`` and ``learner_email`` filters, pages.
- The seed's own curl examples, verbatim (their body lacks its closing brace), on the demo data.
Who may call them: test_permissions.py.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from coursegate.api.enterprise.serializers.assignments import AssignmentOutput
from coursegate.assignments.models import LearnerContentAssignment, LearnerContentAssignmentAction
from coursegate.assignments.services import policy_upsert
from tests.api.enterprise.conftest import FORBIDDEN

CONF_A = "6fc7ef56-d1c4-4aa8-a649-e6eb209f0000"  # the seed's example configuration (customer A)
CONF_B = "7c1d2e3f-4a5b-4c6d-8e9f-0000000c0f0b"  # customer B's
POLICY_A = "904b1785-9d3a-1000-848d-6ae7a56e6355"
POLICY_B = "7c1d2e3f-4a5b-4c6d-8e9f-00000000b0b0"
UNKNOWN = "99999999-9999-4999-8999-999999999999"
# The seed's two example assignments (demo data: abc@example.com / edx+101, def@example.com / edx+api101).
SEED_1 = "8977ef56-d1c4-4aa8-a649-e6eb209f0000"
SEED_2 = "8907ef56-d1c4-4aa8-a649-e6eb209f0000"
SUBSIDY_EXPIRATION = datetime(2030, 12, 31, tzinfo=UTC)

S = LearnerContentAssignment.State
ALL_STATES = [s.value for s in S]
NOT_REMINDABLE = [s for s in ALL_STATES if s != S.ALLOCATED]
NOT_CANCELABLE = [S.ACCEPTED, S.EXPIRED, S.REVERSED]
STAMP = {S.ACCEPTED: "accepted_at", S.CANCELLED: "cancelled_at", S.ERRORED: "errored_at",
         S.EXPIRED: "expired_at", S.REVERSED: "reversed_at"}  # fmt: skip
REMIND_422 = "Nothing was changed: some assignments cannot be reminded."
CANCEL_422 = "Nothing was changed: some assignments cannot be cancelled."


def _url(action: str = "", configuration: str = CONF_A) -> str:
    base = f"/enterprise/v1/assignment-configurations/{configuration}/admin/assignments/"
    return f"{base}{action}/" if action else base


@pytest.fixture
def world(enterprise_world):
    """enterprise_world plus customer A's policy (configuration CONF_A, the seed's) and customer B's
    policy (configuration CONF_B). No assignments: each test makes the ones it needs."""
    w = enterprise_world
    common = {
        "spend_limit": 100_000_000,
        "subsidy_balance_cents": 200_000_000,
        "subsidy_expiration": SUBSIDY_EXPIRATION,
    }
    w.policy_a = policy_upsert(uuid=POLICY_A, configuration_uuid=CONF_A, customer=w.customer_a, catalog=w.catalog_a,
                               **common)  # fmt: skip
    w.policy_b = policy_upsert(uuid=POLICY_B, configuration_uuid=CONF_B, customer=w.customer_b, catalog=w.catalog_b,
                               **common)  # fmt: skip
    return w


def _make(email: str, state: str = S.ALLOCATED, *, configuration: str = CONF_A, content_key: str = "edx+101",
          title: str = "edX 101", allocated_at: datetime | None = None) -> LearnerContentAssignment:  # fmt: skip
    """An assignment of ``configuration`` in ``state``, with that state's time stamp set."""
    now = timezone.now()
    fields = {STAMP[state]: now} if state in STAMP else {}
    return LearnerContentAssignment.objects.create(
        assignment_configuration_id=configuration,
        learner_email=email,
        content_key=content_key,
        content_title=title,
        content_quantity=-1000,
        state=state,
        allocated_at=allocated_at or now - timedelta(days=10),
        **fields,
    )


def _post(world, action: str, body, *, caller: str = "admin_a", configuration: str = CONF_A, accept="application/json"):
    return world.client(caller, accept=accept).post(_url(action, configuration), body, format="json")


def _uuids(*assignments) -> list[str]:
    return [str(a.uuid) for a in assignments]


def _snapshot() -> dict:
    """Every assignment's (state, cancelled_at, modified) and every action: to show nothing changed."""
    return {
        "assignments": sorted(
            LearnerContentAssignment.objects.values_list("uuid", "state", "cancelled_at", "modified")
        ),
        "actions": sorted(LearnerContentAssignmentAction.objects.values_list("uuid", "action_type")),
    }


def _actions(assignment, action_type: str) -> int:
    return LearnerContentAssignmentAction.objects.filter(assignment=assignment, action_type=action_type).count()


# --- remind ---------------------------------------------------------------------------------------------------


def test_reminding_allocated_assignments_answers_200_with_an_empty_body_and_records_a_reminded_action_each(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    abc, defg = _make("abc@example.com"), _make("def@example.com", content_key="edx+api101", title="APIs 101")

    with django_capture_on_commit_callbacks(execute=True):
        response = _post(world, "remind", {"assignment_uuids": _uuids(abc, defg)})

    assert (response.status_code, response.content) == (200, b"")
    assert [_actions(abc, "reminded"), _actions(defg, "reminded")] == [1, 1]
    assert set(LearnerContentAssignment.objects.values_list("state", flat=True)) == {S.ALLOCATED}
    assert sorted((m.to[0], m.subject) for m in mailoutbox) == [
        ("abc@example.com", "Reminder: edX 101 is waiting for you"),
        ("def@example.com", "Reminder: APIs 101 is waiting for you"),
    ]


def test_the_reminder_e_mail_names_the_content_and_the_date_the_assignment_expires(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    allocated_at = timezone.now() - timedelta(days=30)
    abc = _make("abc@example.com", allocated_at=allocated_at)

    with django_capture_on_commit_callbacks(execute=True):
        _post(world, "remind", {"assignment_uuids": _uuids(abc)})

    [mail] = mailoutbox
    expires = (allocated_at + timedelta(days=90)).date().isoformat()
    assert (mail.to, mail.subject, mail.body) == (
        ["abc@example.com"],
        "Reminder: edX 101 is waiting for you",
        f"Hello,\n\nA reminder that edX 101 (edx+101) is assigned to you. Enroll before {expires}.\n",
    )


def test_the_reminder_e_mails_go_out_only_after_commit(world, mailoutbox, django_capture_on_commit_callbacks):
    abc = _make("abc@example.com")

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = _post(world, "remind", {"assignment_uuids": _uuids(abc)})

    assert (response.status_code, len(callbacks), mailoutbox) == (200, 1, [])


def test_reminding_an_empty_list_answers_200_and_sends_nothing(world, mailoutbox, django_capture_on_commit_callbacks):
    _make("abc@example.com")
    before = _snapshot()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = _post(world, "remind", {"assignment_uuids": []})

    assert (response.status_code, response.content, callbacks, mailoutbox) == (200, b"", [], [])
    assert _snapshot() == before


def test_a_uuid_repeated_in_one_request_is_reminded_once(world, mailoutbox, django_capture_on_commit_callbacks):
    abc = _make("abc@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        response = _post(world, "remind", {"assignment_uuids": [str(abc.uuid), str(abc.uuid).upper()]})

    assert (response.status_code, _actions(abc, "reminded"), len(mailoutbox)) == (200, 1, 1)


@pytest.mark.parametrize("state", NOT_REMINDABLE)
def test_reminding_a_non_allocated_assignment_answers_422_listing_it_and_reminds_nobody(
    world, mailoutbox, django_capture_on_commit_callbacks, state
):
    allocated, other = _make("abc@example.com"), _make("def@example.com", state)
    before = _snapshot()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = _post(world, "remind", {"assignment_uuids": _uuids(allocated, other)})

    assert (response.status_code, response.json()) == (
        422,
        {"detail": REMIND_422, "unknown_assignment_uuids": [], "non_remindable_assignment_uuids": [str(other.uuid)]},
    )
    assert (_snapshot(), callbacks, mailoutbox) == (before, [], [])


def test_reminding_an_unknown_uuid_answers_422_listing_it_and_reminds_nobody(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    allocated = _make("abc@example.com")
    before = _snapshot()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = _post(world, "remind", {"assignment_uuids": [str(allocated.uuid), UNKNOWN]})

    assert (response.status_code, response.json()) == (
        422,
        {"detail": REMIND_422, "unknown_assignment_uuids": [UNKNOWN], "non_remindable_assignment_uuids": []},
    )
    assert (_snapshot(), callbacks, mailoutbox) == (before, [], [])


def test_an_assignment_of_another_configuration_is_unknown_to_this_one(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    mine, theirs = _make("abc@example.com"), _make("abc@example.com", configuration=CONF_B)
    before = _snapshot()

    with django_capture_on_commit_callbacks(execute=True):
        response = _post(world, "remind", {"assignment_uuids": _uuids(mine, theirs)})

    assert (response.status_code, response.json()) == (
        422,
        {"detail": REMIND_422, "unknown_assignment_uuids": [str(theirs.uuid)], "non_remindable_assignment_uuids": []},
    )
    assert (_snapshot(), mailoutbox) == (before, [])


def test_the_422_lists_unknown_and_ineligible_uuids_together_in_request_order(world):
    accepted, expired = _make("a@example.com", S.ACCEPTED), _make("e@example.com", S.EXPIRED)
    other = "11111111-1111-4111-8111-111111111111"

    response = _post(world, "remind", {"assignment_uuids": [str(expired.uuid), UNKNOWN, str(accepted.uuid), other]})

    assert (response.status_code, response.json()) == (
        422,
        {
            "detail": REMIND_422,
            "unknown_assignment_uuids": [UNKNOWN, other],
            "non_remindable_assignment_uuids": [str(expired.uuid), str(accepted.uuid)],
        },
    )


def test_a_remind_422_is_xml_by_default(world):
    cancelled = _make("abc@example.com", S.CANCELLED)

    response = _post(world, "remind", {"assignment_uuids": [str(cancelled.uuid), UNKNOWN]}, accept=None)

    assert (response.status_code, response["Content-Type"]) == (422, "application/xml; charset=utf-8")
    root = ET.fromstring(response.content)
    assert root.findtext("detail") == REMIND_422
    assert [i.text for i in root.find("unknown_assignment_uuids")] == [UNKNOWN]
    assert [i.text for i in root.find("non_remindable_assignment_uuids")] == [str(cancelled.uuid)]


# --- cancel ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("state", [S.ALLOCATED, S.ERRORED])
def test_cancelling_an_allocated_or_errored_assignment_cancels_it_records_the_action_and_e_mails_the_learner(
    world, mailoutbox, django_capture_on_commit_callbacks, state
):
    assignment = _make("abc@example.com", state)
    before = timezone.now()

    with django_capture_on_commit_callbacks(execute=True):
        response = _post(world, "cancel", {"assignment_uuids": _uuids(assignment)})

    assert (response.status_code, response.content) == (200, b"")
    assignment.refresh_from_db()
    assert assignment.state == S.CANCELLED
    assert before <= assignment.cancelled_at <= timezone.now()
    assert _actions(assignment, "cancelled") == 1
    [mail] = mailoutbox
    assert (mail.to, mail.subject, mail.body) == (
        ["abc@example.com"],
        "Your assignment of edX 101 was cancelled",
        "Hello,\n\nYour assignment of edX 101 (edx+101) has been cancelled by your organization.\n",
    )


def test_cancelling_several_assignments_cancels_each_and_sends_one_e_mail_each(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    a, b = _make("a@example.com"), _make("b@example.com", S.ERRORED)
    _make("c@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        response = _post(world, "cancel", {"assignment_uuids": _uuids(a, b)})

    assert response.status_code == 200
    assert dict(LearnerContentAssignment.objects.values_list("learner_email", "state")) == {
        "a@example.com": S.CANCELLED,
        "b@example.com": S.CANCELLED,
        "c@example.com": S.ALLOCATED,
    }
    assert sorted(m.to[0] for m in mailoutbox) == ["a@example.com", "b@example.com"]


def test_cancelling_an_already_cancelled_assignment_is_fine_and_changes_nothing(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    cancelled = _make("abc@example.com", S.CANCELLED)
    before = _snapshot()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = _post(world, "cancel", {"assignment_uuids": _uuids(cancelled)})

    assert (response.status_code, response.content) == (200, b"")
    assert (_snapshot(), callbacks, mailoutbox) == (before, [], [])


def test_cancelling_a_cancelled_and_an_allocated_one_cancels_only_the_allocated_one(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    cancelled, allocated = _make("old@example.com", S.CANCELLED), _make("new@example.com")
    cancelled_at = cancelled.cancelled_at

    with django_capture_on_commit_callbacks(execute=True):
        response = _post(world, "cancel", {"assignment_uuids": _uuids(cancelled, allocated)})

    assert response.status_code == 200
    cancelled.refresh_from_db()
    allocated.refresh_from_db()
    assert (cancelled.cancelled_at, _actions(cancelled, "cancelled")) == (cancelled_at, 0)
    assert (allocated.state, _actions(allocated, "cancelled")) == (S.CANCELLED, 1)
    assert [m.to for m in mailoutbox] == [["new@example.com"]]


def test_cancelling_an_empty_list_answers_200_and_changes_nothing(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    _make("abc@example.com")
    before = _snapshot()

    with django_capture_on_commit_callbacks(execute=True):
        response = _post(world, "cancel", {"assignment_uuids": []})

    assert (response.status_code, response.content, _snapshot(), mailoutbox) == (200, b"", before, [])


@pytest.mark.parametrize("state", NOT_CANCELABLE)
def test_cancelling_with_a_non_cancelable_assignment_answers_422_and_leaves_the_allocated_ones_allocated(
    world, mailoutbox, django_capture_on_commit_callbacks, state
):
    allocated, errored, other = _make("a@example.com"), _make("e@example.com", S.ERRORED), _make("x@example.com", state)
    before = _snapshot()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = _post(world, "cancel", {"assignment_uuids": _uuids(allocated, other, errored)})

    assert (response.status_code, response.json()) == (
        422,
        {"detail": CANCEL_422, "unknown_assignment_uuids": [], "non_cancelable_assignment_uuids": [str(other.uuid)]},
    )
    assert (_snapshot(), callbacks, mailoutbox) == (before, [], [])
    assert dict(LearnerContentAssignment.objects.values_list("learner_email", "state")) == {
        "a@example.com": S.ALLOCATED,
        "e@example.com": S.ERRORED,
        "x@example.com": state,
    }


@pytest.mark.parametrize("unknown", [UNKNOWN, "other configuration"])
def test_cancelling_with_an_unknown_uuid_answers_422_listing_it_and_changes_nothing(
    world, mailoutbox, django_capture_on_commit_callbacks, unknown
):
    allocated = _make("a@example.com")
    if unknown == "other configuration":
        unknown = str(_make("a@example.com", configuration=CONF_B).uuid)
    before = _snapshot()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = _post(world, "cancel", {"assignment_uuids": [str(allocated.uuid), unknown]})

    assert (response.status_code, response.json()) == (
        422,
        {"detail": CANCEL_422, "unknown_assignment_uuids": [unknown], "non_cancelable_assignment_uuids": []},
    )
    assert (_snapshot(), callbacks, mailoutbox) == (before, [], [])


def test_a_cancel_422_is_xml_by_default(world):
    accepted = _make("abc@example.com", S.ACCEPTED)

    response = _post(world, "cancel", {"assignment_uuids": [str(accepted.uuid)]}, accept=None)

    assert (response.status_code, response["Content-Type"]) == (422, "application/xml; charset=utf-8")
    root = ET.fromstring(response.content)
    assert root.findtext("detail") == CANCEL_422
    assert list(root.find("unknown_assignment_uuids")) == []
    assert [i.text for i in root.find("non_cancelable_assignment_uuids")] == [str(accepted.uuid)]


# --- both: input, permissions ---------------------------------------------------------------------------------

ACTIONS = ["remind", "cancel"]


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({}, {"assignment_uuids": ["This field is required."]}),
        ({"assignment_uuids": None}, {"assignment_uuids": ["This field may not be null."]}),
        ({"assignment_uuids": "8977ef56-d1c4-4aa8-a649-e6eb209f0000"},
         {"assignment_uuids": ['Expected a list of items but got type "str".']}),
        ({"assignment_uuids": [UNKNOWN, "not-a-uuid"]}, {"assignment_uuids": {"1": ["Must be a valid UUID."]}}),
        ({"assignment_uuids": [{"uuid": UNKNOWN}]}, {"assignment_uuids": {"0": ["Must be a valid UUID."]}}),
        ({"assignment_uuids": [""]}, {"assignment_uuids": {"0": ["Must be a valid UUID."]}}),
    ],
    ids=["missing", "null", "not a list", "a non-uuid item", "an object item", "an empty item"],
)  # fmt: skip
def test_a_bad_body_answers_400_with_the_field_errors(world, action, body, expected):
    allocated = _make("abc@example.com")
    before = _snapshot()

    response = _post(world, action, body)

    assert (response.status_code, response.json()) == (400, expected)
    assert _snapshot() == before
    assert allocated.actions.count() == 0


@pytest.mark.parametrize("action", ACTIONS)
def test_a_body_that_is_not_json_answers_400(world, action):
    response = world.client("admin_a").post(_url(action), "assignment_uuids=[", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["detail"].startswith("JSON parse error - ")


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("configuration", [UNKNOWN, "not-a-uuid"], ids=["unknown", "malformed"])
def test_an_unknown_or_malformed_configuration_answers_404(world, action, configuration):
    response = _post(world, action, {"assignment_uuids": []}, configuration=configuration)

    assert (response.status_code, response.json()) == (404, {"detail": "Not found."})


@pytest.mark.parametrize("action", ACTIONS)
def test_another_customer_s_admin_gets_403_before_the_body_is_looked_at(world, action):
    response = _post(world, action, {}, caller="admin_b")

    assert (response.status_code, response.json()) == (403, FORBIDDEN)


@pytest.mark.parametrize("action", ACTIONS)
def test_only_post_is_allowed(world, action):
    response = world.client("admin_a").get(_url(action))

    assert (response.status_code, response.json()) == (405, {"detail": 'Method "GET" not allowed.'})


# --- the seed's examples, verbatim, on the demo data ---------------------------------------------------------

SEED_BODY = '{"assignment_uuids":["8977ef56-d1c4-4aa8-a649-e6eb209f0000","8907ef56-d1c4-4aa8-a649-e6eb209f0000"]'
SEED_URL = "/enterprise/v1/assignment-configurations/6fc7ef56-d1c4-4aa8-a649-e6eb209f0000/admin/assignments/{}/"


def _curl(token: str, action: str):
    """The seed's curl: POST, ``Authorization: JWT``, ``Content-Type: application/json``, the body
    as printed (no closing brace); curl itself sends ``Accept: */*``."""
    return Client().generic(
        "POST", SEED_URL.format(action), SEED_BODY, content_type="application/json",
        HTTP_AUTHORIZATION=f"JWT {token}", HTTP_ACCEPT="*/*",
    )  # fmt: skip


def test_the_seed_s_remind_then_cancel_then_remind_examples_work_on_the_demo_data(
    demo_admin_jwt, mailoutbox, django_capture_on_commit_callbacks
):
    assert json.loads(SEED_BODY + "}")  # the seed's body is this JSON object without its final brace
    assert dict(LearnerContentAssignment.objects.filter(uuid__in=[SEED_1, SEED_2]).values_list("uuid", "state")) == {
        LearnerContentAssignment._meta.pk.to_python(SEED_1): S.ALLOCATED,
        LearnerContentAssignment._meta.pk.to_python(SEED_2): S.ALLOCATED,
    }

    with django_capture_on_commit_callbacks(execute=True):
        remind = _curl(demo_admin_jwt, "remind")
    assert (remind.status_code, remind.content) == (200, b"")
    assert sorted(m.to[0] for m in mailoutbox) == ["abc@example.com", "def@example.com"]
    assert sorted(m.subject for m in mailoutbox) == [
        "Reminder: APIs 101 is waiting for you",
        "Reminder: edX 101 is waiting for you",
    ]

    with django_capture_on_commit_callbacks(execute=True):
        cancel = _curl(demo_admin_jwt, "cancel")
    assert (cancel.status_code, cancel.content) == (200, b"")
    assert set(LearnerContentAssignment.objects.filter(uuid__in=[SEED_1, SEED_2]).values_list("state", flat=True)) == {
        S.CANCELLED
    }
    assert len(mailoutbox) == 4

    with django_capture_on_commit_callbacks(execute=True):
        again = _curl(demo_admin_jwt, "remind")
    assert (again.status_code, again["Content-Type"]) == (422, "application/xml; charset=utf-8")
    root = ET.fromstring(again.content)
    assert list(root.find("unknown_assignment_uuids")) == []
    assert [i.text for i in root.find("non_remindable_assignment_uuids")] == [SEED_1, SEED_2]
    assert len(mailoutbox) == 4
    actions = LearnerContentAssignmentAction.objects.filter(assignment_id__in=[SEED_1, SEED_2])
    assert sorted(actions.values_list("action_type", flat=True)) == [
        "cancelled", "cancelled", "notified", "notified", "reminded", "reminded",
    ]  # fmt: skip


def test_running_the_demo_again_puts_the_seed_s_assignments_back_to_allocated(demo_admin_jwt, settings):
    assert _curl(demo_admin_jwt, "cancel").status_code == 200

    call_command("demo", "--json", stdout=StringIO())

    assert set(LearnerContentAssignment.objects.filter(uuid__in=[SEED_1, SEED_2]).values_list("state", flat=True)) == {
        S.ALLOCATED
    }
    assert _curl(demo_admin_jwt, "remind").status_code == 200


# --- list -----------------------------------------------------------------------------------------------------


@pytest.fixture
def listed(world):
    """Seven assignments of CONF_A created a minute apart (a0 oldest ... a6 newest), in assorted
    states, and one of CONF_B."""
    states = [S.ALLOCATED, S.ACCEPTED, S.CANCELLED, S.ALLOCATED, S.EXPIRED, S.ERRORED, S.ALLOCATED]
    start = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
    made = []
    for i, state in enumerate(states):
        assignment = _make(f"Learner{i}@example.com".lower(), state)
        LearnerContentAssignment.objects.filter(pk=assignment.pk).update(created=start + timedelta(minutes=i))
        made.append(assignment)
    _make("b@example.com", configuration=CONF_B)
    return made


def _emails(response) -> list[str]:
    return [r["learner_email"] for r in response.json()["results"]]


def test_the_list_gives_the_configuration_s_assignments_newest_first(world, listed):
    response = world.client("admin_a").get(_url())

    assert response.status_code == 200
    body = response.json()
    assert (body["count"], body["next"], body["previous"]) == (7, None, None)
    assert _emails(response) == [f"learner{i}@example.com" for i in range(6, -1, -1)]


def test_each_listed_assignment_has_the_seed_s_fields(world):
    allocated_at = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
    assignment = _make("abc@example.com", allocated_at=allocated_at)
    action = LearnerContentAssignmentAction.objects.create(
        assignment=assignment, action_type="notified", completed_at=allocated_at
    )

    response = world.client("admin_a").get(_url())

    iso = lambda value: value.isoformat().replace("+00:00", "Z")  # noqa: E731
    assert response.json()["results"] == [
        {
            "uuid": str(assignment.uuid),
            "assignment_configuration": CONF_A,
            "learner_email": "abc@example.com",
            "lms_user_id": None,
            "content_key": "edx+101",
            "parent_content_key": None,
            "is_assigned_course_run": False,
            "content_title": "edX 101",
            "content_quantity": -1000,
            "state": "allocated",
            "transaction_uuid": None,
            "actions": [
                {
                    "created": iso(action.created),
                    "modified": iso(action.modified),
                    "uuid": str(action.uuid),
                    "action_type": "notified",
                    "completed_at": "2026-01-01T09:00:00Z",
                    "error_reason": None,
                }
            ],
            "earliest_possible_expiration": {"date": "2026-04-01T09:00:00Z", "reason": "NINETY_DAYS_PASSED"},
        }
    ]


def test_an_assignment_has_exactly_the_fields_its_output_serializer_declares(world):
    # AssignmentOutput builds its dict by hand (fast); the OpenAPI document reads its fields.
    assignment = _make("abc@example.com")
    LearnerContentAssignmentAction.objects.create(assignment=assignment, action_type="notified")

    [row] = world.client("admin_a").get(_url()).json()["results"]

    declared = AssignmentOutput().fields
    assert list(row) == list(declared)
    assert list(row["actions"][0]) == list(declared["actions"].child.fields)
    assert list(row["earliest_possible_expiration"]) == list(declared["earliest_possible_expiration"].fields)


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("allocated", [6, 3, 0]),
        ("cancelled,expired", [4, 2]),
        (" accepted , errored ", [5, 1]),
        ("reversed", []),
        ("", [6, 5, 4, 3, 2, 1, 0]),
    ],
)
def test_the_state_filter_takes_a_comma_separated_list(world, listed, state, expected):
    response = world.client("admin_a").get(_url(), {"state": state})

    assert response.status_code == 200
    assert _emails(response) == [f"learner{i}@example.com" for i in expected]
    assert response.json()["count"] == len(expected)


@pytest.mark.parametrize("state", ["bogus", "allocated,bogus"])
def test_an_unknown_state_answers_400(world, listed, state):
    response = world.client("admin_a").get(_url(), {"state": state})

    assert (response.status_code, response.json()) == (400, {"state": ["Unknown state: bogus."]})


@pytest.mark.parametrize("email", ["learner3@example.com", "LEARNER3@Example.COM", " learner3@example.com "])
def test_the_learner_email_filter_ignores_case(world, listed, email):
    response = world.client("admin_a").get(_url(), {"learner_email": email})

    assert (response.status_code, _emails(response)) == (200, ["learner3@example.com"])


def test_the_filters_combine(world, listed):
    response = world.client("admin_a").get(_url(), {"learner_email": "learner3@example.com", "state": "cancelled"})

    assert (response.status_code, response.json()["count"], _emails(response)) == (200, 0, [])


def test_the_list_pages_with_page_and_page_size(world, listed):
    client = world.client("admin_a")

    first = client.get(_url(), {"page_size": 3})
    second = client.get(_url(), {"page_size": 3, "page": 2})
    last = client.get(_url(), {"page_size": 3, "page": 3})

    base = f"http://testserver{_url()}"
    assert (first.json()["count"], first.json()["previous"], first.json()["next"]) == (
        7,
        None,
        f"{base}?page=2&page_size=3",
    )
    assert (second.json()["previous"], second.json()["next"]) == (f"{base}?page_size=3", f"{base}?page=3&page_size=3")
    assert (last.json()["previous"], last.json()["next"]) == (f"{base}?page=2&page_size=3", None)
    assert _emails(first) + _emails(second) + _emails(last) == [f"learner{i}@example.com" for i in range(6, -1, -1)]


def test_the_default_page_holds_ten(world):
    for i in range(12):
        _make(f"p{i:02}@example.com")

    response = world.client("admin_a").get(_url())

    assert (response.json()["count"], len(response.json()["results"])) == (12, 10)


def test_a_page_past_the_end_answers_404(world, listed):
    response = world.client("admin_a").get(_url(), {"page": 9})

    assert (response.status_code, response.json()) == (404, {"detail": "Invalid page."})


def test_the_list_costs_the_same_number_of_queries_whatever_the_page_holds(world, django_assert_num_queries):
    for i in range(20):
        assignment = _make(f"q{i:02}@example.com", content_key="edx+api101" if i % 2 else "edx+101")
        LearnerContentAssignmentAction.objects.create(assignment=assignment, action_type="notified")
        LearnerContentAssignmentAction.objects.create(assignment=assignment, action_type="reminded")
    client = world.client("admin_a")
    client.get(_url(), {"page_size": 1})  # the JWT's user is created on first use

    with django_assert_num_queries(QUERIES_PER_PAGE):
        one = client.get(_url(), {"page_size": 1})
    with django_assert_num_queries(QUERIES_PER_PAGE):
        twenty = client.get(_url(), {"page_size": 20})

    assert (len(one.json()["results"]), len(twenty.json()["results"])) == (1, 20)
    assert all(len(r["actions"]) == 2 for r in twenty.json()["results"])


# token, configuration, count, page, the page's actions (one query), enroll-by dates.
QUERIES_PER_PAGE = 6


def test_the_list_is_xml_by_default(world, listed):
    response = world.client("admin_a", accept=None).get(_url(), {"state": "allocated", "page_size": 2})

    assert (response.status_code, response["Content-Type"]) == (200, "application/xml; charset=utf-8")
    root = ET.fromstring(response.content)
    assert root.findtext("count") == "3"
    assert [item.findtext("learner_email") for item in root.find("results")] == [
        "learner6@example.com",
        "learner3@example.com",
    ]
    assert root.find("results")[0].findtext("state") == "allocated"


@pytest.mark.parametrize("configuration", [UNKNOWN, "not-a-uuid"], ids=["unknown", "malformed"])
def test_listing_an_unknown_or_malformed_configuration_answers_404(world, configuration):
    response = world.client("admin_a").get(_url(configuration=configuration))

    assert (response.status_code, response.json()) == (404, {"detail": "Not found."})
