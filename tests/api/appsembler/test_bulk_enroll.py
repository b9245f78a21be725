"""POST /appsembler_api/v0/bulk-enrollment/bulk-enroll (seed 001 "Bulk Enrollment"; reference
§2.7 and §6 cases 43-50; issue 3).

Black-box: a staff caller with a real bearer token; the effects are read back from the
enrollments tables (Enrollment, EnrollmentAllowed, EnrollmentHistory) and the mail outbox.
Authentication and permission failures are covered by test_permissions.py.
"""

from __future__ import annotations

import email
import json
import re
import socket
from collections import Counter

import pytest
from aiosmtpd.controller import Controller
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coursegate.accounts.models import User
from coursegate.enrollments.models import Enrollment, EnrollmentAllowed, EnrollmentHistory, Source
from coursegate.enrollments.registration import user_register
from coursegate.enrollments.services import enrollment_allowed_upsert, enrollment_upsert

pytestmark = pytest.mark.django_db

URL = "/appsembler_api/v0/bulk-enrollment/bulk-enroll"
DEMO = "course-v1:edX+DemoX+Demo_Course"
APP = "course-v1:Appsembler+APP101+1Q2016"

# The seed's sample call, byte for byte: the lines inside "identifiers" and "courses" are wrapped
# (a line break and a tab inside the JSON strings), which strict JSON refuses.
SEED_SAMPLE = (
    b"{\n"
    b'\t"action": "enroll",\n'
    b'\t"auto_enroll": true,\n'
    b'\t"identifiers": "test@appsembler.com,test1@appsembler.com,test2@appsembler.\n'
    b'\tcom ",\n'
    b'\t"email_students": true,\n'
    b'\t"courses": "course-v1:edX+DemoX+Demo_Course,course-v1:Appsembler+APP101+1Q\n'
    b'\t2016 "\n'
    b"}"
)


def state(enrollment=False, allowed=False, user=False, auto_enroll=False) -> dict:
    return {"enrollment": enrollment, "allowed": allowed, "user": user, "auto_enroll": auto_enroll}


NOTHING = state()
INVITED = state(allowed=True, auto_enroll=True)
INVITED_NO_AUTO = state(allowed=True)
ACCOUNT = state(user=True)
ENROLLED = state(enrollment=True, user=True)


def row(identifier: str, before: dict, after: dict) -> dict:
    return {"identifier": identifier, "after": after, "before": before}


def invalid(identifier: str) -> dict:
    return {"identifier": identifier, "invalidIdentifier": True}


def answer(action: str, results_by_course: dict, *, auto_enroll: bool = False, email_students: bool = False) -> dict:
    return {
        "action": action,
        "courses": {
            key: {"action": action, "results": results, "auto_enroll": auto_enroll}
            for key, results in results_by_course.items()
        },
        "email_students": email_students,
        "auto_enroll": auto_enroll,
    }


@pytest.fixture
def staff_api(staff, client_for):
    return client_for(staff)


@pytest.fixture
def demo(make_run):
    return make_run(DEMO)


@pytest.fixture
def app101(make_run):
    return make_run(APP)


@pytest.fixture
def post(staff_api):
    def send(body, **extra):
        if isinstance(body, bytes):
            return staff_api.post(URL, body, content_type="application/json", **extra)
        return staff_api.post(URL, body, format="json", **extra)

    return send


def active_pairs() -> set[tuple[str, str]]:
    return set(Enrollment.objects.filter(is_active=True).values_list("user__username", "course_run__key"))


def invitations() -> set[tuple[str, str, bool]]:
    return set(EnrollmentAllowed.objects.values_list("email", "course_run__key", "auto_enroll"))


def snapshot() -> tuple:
    return (
        sorted(Enrollment.objects.values_list("user_id", "course_run_id", "mode", "is_active", "modified")),
        sorted(EnrollmentAllowed.objects.values_list("email", "course_run_id", "auto_enroll")),
        EnrollmentHistory.objects.count(),
    )


# --- The seed's sample -------------------------------------------------------------------------


def test_the_seeds_sample_body_is_accepted_verbatim_and_invites_the_three_addresses_in_both_courses(
    post, demo, app101, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(SEED_SAMPLE)

    assert response.status_code == 200, response.content
    emails = ["test@appsembler.com", "test1@appsembler.com", "test2@appsembler.com"]
    assert response.json() == answer(
        "enroll",
        {
            DEMO: [row(e, NOTHING, INVITED) for e in emails],
            APP: [row(e, NOTHING, INVITED) for e in emails],
        },
        auto_enroll=True,
        email_students=True,
    )
    assert list(response.json()) == ["action", "courses", "email_students", "auto_enroll"]
    assert list(response.json()["courses"]) == [DEMO, APP]
    assert invitations() == {(e, key, True) for e in emails for key in (DEMO, APP)}
    assert Enrollment.objects.count() == 0
    assert sorted((m.to, m.subject) for m in mailoutbox) == sorted(
        ([e], f"You have been invited to register for {key}") for e in emails for key in (DEMO, APP)
    )


def test_an_account_created_later_for_an_invited_address_is_enrolled_in_both_courses(post, demo, app101):
    assert post(SEED_SAMPLE).status_code == 200

    user = user_register(username="test2", email="test2@appsembler.com", password="a-Long-pass-2016", name="Test Two")

    assert set(Enrollment.objects.filter(user=user).values_list("course_run__key", "mode", "is_active")) == {
        (DEMO, "audit", True),
        (APP, "audit", True),
    }
    assert set(EnrollmentAllowed.objects.filter(user=user).values_list("email", "course_run__key")) == {
        ("test2@appsembler.com", DEMO),
        ("test2@appsembler.com", APP),
    }


def test_an_account_created_later_for_an_invitation_without_auto_enroll_is_not_enrolled(post, demo):
    body = {"action": "enroll", "identifiers": "later@example.com", "courses": DEMO, "auto_enroll": False}
    assert post(body).json()["courses"][DEMO]["results"] == [row("later@example.com", NOTHING, INVITED_NO_AUTO)]

    user = user_register(username="later", email="Later@Example.com", password="a-Long-pass-2016", name="Later")

    assert not Enrollment.objects.filter(user=user).exists()
    assert EnrollmentAllowed.objects.get(email="later@example.com").user == user


# --- Existing accounts -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "identifier",
    ["honor", "honor@example.com", "HONOR@EXAMPLE.COM", "Honor@Example.com"],
    ids=["username", "e-mail", "e-mail in upper case", "e-mail in mixed case"],
)
def test_an_existing_account_named_by_username_or_email_in_any_case_is_enrolled(post, demo, learner, identifier):
    response = post({"action": "enroll", "identifiers": identifier, "courses": DEMO})

    assert response.status_code == 200
    assert response.json() == answer("enroll", {DEMO: [row(identifier, ACCOUNT, ENROLLED)]})
    enrollment = Enrollment.objects.get(user=learner, course_run=demo)
    assert (enrollment.mode, enrollment.is_active) == ("audit", True)
    history = EnrollmentHistory.objects.get(enrollment=enrollment)
    assert (history.mode, history.is_active, history.source, history.actor.username) == (
        "audit",
        True,
        Source.APPSEMBLER,
        "staff",
    )
    assert EnrollmentAllowed.objects.count() == 0


def test_a_username_that_looks_different_from_the_email_resolves_by_username_first(post, demo, make_user):
    make_user("jdoe", email="john.doe@example.com")

    response = post({"action": "enroll", "identifiers": "jdoe,john.doe@example.com", "courses": DEMO})

    assert response.json()["courses"][DEMO]["results"] == [
        row("jdoe", ACCOUNT, ENROLLED),
        row("john.doe@example.com", ACCOUNT, ENROLLED),
    ]
    assert active_pairs() == {("jdoe", DEMO)}


def test_an_inactive_enrollment_is_reactivated(post, demo, learner):
    enrollment_upsert(user=learner, course_run=demo, source=Source.ADMIN)
    Enrollment.objects.filter(user=learner).update(is_active=False)

    response = post({"action": "enroll", "identifiers": "honor", "courses": DEMO})

    assert response.json()["courses"][DEMO]["results"] == [row("honor", ACCOUNT, ENROLLED)]
    assert Enrollment.objects.get(user=learner).is_active is True
    assert list(EnrollmentHistory.objects.filter(enrollment__user=learner).values_list("is_active", flat=True)) == [
        True,
        True,
    ]


def test_an_active_enrollment_keeps_its_mode(post, make_run, learner):
    run = make_run(DEMO, modes=("audit", "verified"))
    enrollment_upsert(user=learner, course_run=run, mode="verified", source=Source.ADMIN)

    response = post({"action": "enroll", "identifiers": "honor", "courses": DEMO})

    assert response.json()["courses"][DEMO]["results"] == [row("honor", ENROLLED, ENROLLED)]
    assert Enrollment.objects.get(user=learner).mode == "verified"


def test_an_inactive_account_gets_an_invitation_not_an_enrollment(post, demo, make_user):
    user = make_user("sleeper")
    User.objects.filter(pk=user.pk).update(is_active=False)

    response = post({"action": "enroll", "identifiers": "sleeper@example.com", "courses": DEMO, "auto_enroll": True})

    assert response.json()["courses"][DEMO]["results"] == [
        row("sleeper@example.com", ACCOUNT, state(user=True, allowed=True, auto_enroll=True))
    ]
    assert not Enrollment.objects.exists()
    assert invitations() == {("sleeper@example.com", DEMO, True)}


def test_an_unknown_email_is_stored_lower_cased_and_echoed_as_given(post, demo):
    response = post({"action": "enroll", "identifiers": "New.Person@Example.COM", "courses": DEMO, "auto_enroll": True})

    assert response.json()["courses"][DEMO]["results"] == [row("New.Person@Example.COM", NOTHING, INVITED)]
    assert invitations() == {("new.person@example.com", DEMO, True)}


def test_inviting_again_updates_auto_enroll_of_the_invitation(post, demo):
    post({"action": "enroll", "identifiers": "new@example.com", "courses": DEMO, "auto_enroll": True})

    response = post({"action": "enroll", "identifiers": "new@example.com", "courses": DEMO, "auto_enroll": False})

    assert response.json()["courses"][DEMO]["results"] == [row("new@example.com", INVITED, INVITED_NO_AUTO)]
    assert invitations() == {("new@example.com", DEMO, False)}


# --- Shapes of identifiers and courses ---------------------------------------------------------

SHAPES = [
    # identifiers, courses, expected identifiers in order
    ("honor,audit@example.com,new@example.com", f"{DEMO},{APP}", ["honor", "audit@example.com", "new@example.com"]),
    (["honor", "audit@example.com", "new@example.com"], [DEMO, APP], ["honor", "audit@example.com", "new@example.com"]),
    (
        "honor\naudit@example.com\r\nnew@example.com",
        f"{DEMO}\n{APP}",
        ["honor", "audit@example.com", "new@example.com"],
    ),
    ("honor audit@example.com\tnew@example.com", f"{DEMO} {APP}", ["honor", "audit@example.com", "new@example.com"]),
    (
        " honor , , audit@example.com,\n\nnew@example.com, ",
        f" {DEMO} ,{APP}\n",
        ["honor", "audit@example.com", "new@example.com"],
    ),
    (
        "honor,\n\taudit@example.com,new@exam\n\tple.com",
        f"{DEMO},\n\t{APP}",
        ["honor", "audit@example.com", "new@example.com"],
    ),
    ([" honor ", "audit@example.com", ""], [f" {DEMO}", APP], ["honor", "audit@example.com"]),
    ("honor,honor,audit@example.com", [DEMO, APP], ["honor", "audit@example.com"]),
]


@pytest.mark.parametrize(
    ("identifiers", "courses", "expected"),
    SHAPES,
    ids=[
        "comma-separated strings",
        "JSON lists",
        "newline-separated",
        "blank- and tab-separated",
        "blanks and empty items dropped",
        "indented continuation lines joined",
        "list items trimmed, empty dropped",
        "duplicates reported once",
    ],
)
def test_identifiers_and_courses_as_strings_or_lists_are_split_into_items(
    post, demo, app101, learner, other_learner, identifiers, courses, expected
):
    response = post({"action": "enroll", "identifiers": identifiers, "courses": courses})

    assert response.status_code == 200, response.content
    body = response.json()
    assert list(body["courses"]) == [DEMO, APP]
    for key in (DEMO, APP):
        assert [r["identifier"] for r in body["courses"][key]["results"]] == expected
    assert active_pairs() == {(u, key) for u in ("honor", "audit") for key in (DEMO, APP)}
    if "new@example.com" in expected:
        assert invitations() == {("new@example.com", DEMO, False), ("new@example.com", APP, False)}


def test_invalid_identifiers_are_reported_per_row_and_the_others_still_processed(post, demo, learner):
    response = post(
        {"action": "enroll", "identifiers": "percivaloctavius@,honor,percivaloctavius,new@example.com", "courses": DEMO}
    )

    assert response.status_code == 200
    assert response.json() == answer(
        "enroll",
        {
            DEMO: [
                invalid("percivaloctavius@"),
                row("honor", ACCOUNT, ENROLLED),
                invalid("percivaloctavius"),
                row("new@example.com", NOTHING, INVITED_NO_AUTO),
            ]
        },
    )
    assert active_pairs() == {("honor", DEMO)}
    assert invitations() == {("new@example.com", DEMO, False)}


@pytest.mark.parametrize("identifier", ["percivaloctavius@", "percivaloctavius", "@example.com", "a@b@example.com"])
def test_an_identifier_that_is_neither_an_account_nor_an_email_is_invalid_in_every_course(
    post, demo, app101, identifier
):
    response = post({"action": "enroll", "identifiers": [identifier], "courses": [DEMO, APP]})

    assert response.json() == answer("enroll", {DEMO: [invalid(identifier)], APP: [invalid(identifier)]})
    assert snapshot() == ([], [], 0)


# --- Unenroll ----------------------------------------------------------------------------------


@pytest.fixture
def unenroll_setup(demo, learner, other_learner):
    """honor enrolled in DEMO, invited@example.com invited to DEMO, audit neither."""
    enrollment_upsert(user=learner, course_run=demo, source=Source.ADMIN)
    enrollment_allowed_upsert(email="invited@example.com", course_run=demo, auto_enroll=True)


def test_unenroll_deactivates_an_enrollment_deletes_an_invitation_and_leaves_the_rest_unchanged(
    post, demo, learner, other_learner, unenroll_setup
):
    response = post(
        {"action": "unenroll", "identifiers": "honor@example.com,invited@example.com,audit", "courses": DEMO}
    )

    assert response.status_code == 200
    assert response.json() == answer(
        "unenroll",
        {
            DEMO: [
                row("honor@example.com", ENROLLED, ACCOUNT),
                row("invited@example.com", INVITED, NOTHING),
                row("audit", ACCOUNT, ACCOUNT),
            ]
        },
    )
    enrollment = Enrollment.objects.get(user=learner, course_run=demo)
    assert (enrollment.mode, enrollment.is_active) == ("audit", False)
    assert list(enrollment.history.values_list("is_active", "source")) == [
        (True, Source.ADMIN),
        (False, Source.APPSEMBLER),
    ]
    assert not EnrollmentAllowed.objects.exists()
    assert not Enrollment.objects.filter(user=other_learner).exists()


def test_unenrolling_an_inactive_enrollment_changes_nothing(post, demo, learner, unenroll_setup):
    post({"action": "unenroll", "identifiers": "honor", "courses": DEMO})
    before = snapshot()

    response = post({"action": "unenroll", "identifiers": "honor", "courses": DEMO})

    assert response.json()["courses"][DEMO]["results"] == [row("honor", ACCOUNT, ACCOUNT)]
    assert snapshot() == before


def test_unenroll_in_one_course_leaves_the_other_course_alone(post, demo, app101, learner):
    for run in (demo, app101):
        enrollment_upsert(user=learner, course_run=run, source=Source.ADMIN)

    post({"action": "unenroll", "identifiers": "honor", "courses": APP})

    assert active_pairs() == {("honor", DEMO)}


# --- Idempotence -------------------------------------------------------------------------------


def test_repeating_an_enroll_changes_nothing_and_writes_no_history(post, demo, app101, learner):
    body = {"action": "enroll", "identifiers": "honor,new@example.com", "courses": [DEMO, APP], "auto_enroll": True}
    first = post(body)
    after_first = snapshot()

    second = post(body)

    assert first.status_code == second.status_code == 200
    assert snapshot() == after_first
    assert after_first[2] == 2  # one history row per enrollment, written by the first call only
    assert second.json() == answer(
        "enroll",
        {key: [row("honor", ENROLLED, ENROLLED), row("new@example.com", INVITED, INVITED)] for key in (DEMO, APP)},
        auto_enroll=True,
    )


# --- Errors ------------------------------------------------------------------------------------

REQUIRED = ["This field is required."]
VALID = {"action": "enroll", "identifiers": "honor", "courses": DEMO}

BAD_BODIES = [
    ("empty JSON object", b"{}", {"action": REQUIRED, "identifiers": REQUIRED, "courses": REQUIRED}),
    ("empty body", b"", {"action": REQUIRED, "identifiers": REQUIRED, "courses": REQUIRED}),
    ("identifiers missing", {"action": "enroll", "courses": DEMO}, {"identifiers": REQUIRED}),
    ("courses missing", {"action": "enroll", "identifiers": "honor"}, {"courses": REQUIRED}),
    ("action missing", {"identifiers": "honor", "courses": DEMO}, {"action": REQUIRED}),
    ("bad action", {**VALID, "action": "invalid-action"}, {"action": ['"invalid-action" is not a valid choice.']}),
    ("action in capitals", {**VALID, "action": "ENROLL"}, {"action": ['"ENROLL" is not a valid choice.']}),
    ("malformed course key", {**VALID, "courses": "not-a-key"}, {"courses": ["Course key not valid: not-a-key"]}),
    (
        "one malformed course key of two",
        {**VALID, "courses": f"{DEMO},edX/DemoX"},
        {"courses": ["Course key not valid: edX/DemoX"]},
    ),
    ("auto_enroll not a boolean", {**VALID, "auto_enroll": "maybe"}, {"auto_enroll": ["Must be a valid boolean."]}),
    ("auto_enroll the number 2", {**VALID, "auto_enroll": 2}, {"auto_enroll": ["Must be a valid boolean."]}),
    (
        "email_students not a boolean",
        {**VALID, "email_students": "sometimes"},
        {"email_students": ["Must be a valid boolean."]},
    ),
    ("identifiers blank", {**VALID, "identifiers": " , \n"}, {"identifiers": ["This field may not be blank."]}),
    ("courses empty list", {**VALID, "courses": []}, {"courses": ["This field may not be blank."]}),
    (
        "identifiers not strings",
        {**VALID, "identifiers": [1, 2]},
        {"identifiers": ["Expected a comma-separated string or a list of strings."]},
    ),
    (
        "identifiers an object",
        {**VALID, "identifiers": {"a": "b"}},
        {"identifiers": ["Expected a comma-separated string or a list of strings."]},
    ),
    (
        "a JSON array body",
        b'["enroll"]',
        {"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]},
    ),
]


@pytest.mark.parametrize(("body", "errors"), [c[1:] for c in BAD_BODIES], ids=[c[0] for c in BAD_BODIES])
def test_invalid_requests_answer_400_with_field_errors_and_change_nothing(post, demo, learner, body, errors):
    before = snapshot()

    response = post(body)

    assert response.status_code == 400
    assert response.json() == errors
    assert snapshot() == before


def test_more_than_ten_thousand_identifiers_is_a_400(post, demo):
    response = post({**VALID, "identifiers": ",".join(f"u{i}@example.com" for i in range(10_001))})

    assert response.status_code == 400
    assert response.json() == {"identifiers": ["At most 10000 items are allowed in one request."]}


MALFORMED_JSON = [
    ("truncated", b'{"action": "enroll",'),
    ("not JSON", b"action=enroll"),
    ("trailing garbage", b'{"action": "enroll"}}'),
    ("invalid UTF-8", b'{"action": "\xff\xfe"}'),
    ("single quotes", b"{'action': 'enroll'}"),
]


@pytest.mark.parametrize("body", [c[1] for c in MALFORMED_JSON], ids=[c[0] for c in MALFORMED_JSON])
def test_malformed_json_is_a_400_parse_error_never_a_500(post, demo, body):
    response = post(body)

    assert response.status_code == 400
    assert list(response.json()) == ["detail"]
    assert response.json()["detail"].startswith("JSON parse error - ")
    assert snapshot() == ([], [], 0)


@pytest.mark.parametrize(
    "courses",
    ["course-v1:edX+Nope+Run", f"{DEMO},course-v1:edX+Nope+Run", ["course-v1:edX+Nope+Run", DEMO]],
    ids=["unknown course", "known then unknown", "unknown then known"],
)
def test_an_unknown_course_is_a_404_and_nothing_changes(post, demo, learner, courses):
    response = post({"action": "enroll", "identifiers": "honor,new@example.com", "courses": courses})

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found"}
    assert snapshot() == ([], [], 0)


# --- E-mails -----------------------------------------------------------------------------------


def test_email_students_sends_one_email_per_changed_identifier_per_course(
    post, demo, app101, learner, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = post(
            {
                "action": "enroll",
                "identifiers": "honor,new@example.com,percivaloctavius",
                "courses": [DEMO, APP],
                "email_students": True,
            }
        )

    assert response.status_code == 200
    assert response.json()["email_students"] is True
    assert len(callbacks) == 1  # sent after commit, in one go
    assert sorted((m.to, m.subject) for m in mailoutbox) == sorted(
        [
            (["honor@example.com"], f"You have been enrolled in {DEMO}"),
            (["honor@example.com"], f"You have been enrolled in {APP}"),
            (["new@example.com"], f"You have been invited to register for {DEMO}"),
            (["new@example.com"], f"You have been invited to register for {APP}"),
        ]
    )
    message = next(m for m in mailoutbox if m.to == ["new@example.com"] and DEMO in m.subject)
    assert f"({DEMO})" in message.body
    assert message.from_email == "Coursegate <no-reply@coursegate.local>"


def test_email_students_on_unenroll_mails_only_those_whose_state_changed(
    post, demo, unenroll_setup, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        post(
            {
                "action": "unenroll",
                "identifiers": "honor,invited@example.com,audit,nobody@example.com",
                "courses": DEMO,
                "email_students": True,
            }
        )

    assert sorted((m.to, m.subject) for m in mailoutbox) == [
        (["honor@example.com"], f"You have been unenrolled from {DEMO}"),
        (["invited@example.com"], f"You have been removed from the invitation list of {DEMO}"),
    ]


@pytest.mark.parametrize("email_students", [False, "false", None], ids=["false", "the string false", "absent"])
def test_without_email_students_no_email_is_sent(
    post, demo, learner, email_students, django_capture_on_commit_callbacks, mailoutbox
):
    body = {"action": "enroll", "identifiers": "honor,new@example.com", "courses": DEMO}
    if email_students is not None:
        body["email_students"] = email_students

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = post(body)

    assert response.status_code == 200
    assert response.json()["email_students"] is False
    assert callbacks == []
    assert mailoutbox == []


def test_no_email_leaves_before_the_transaction_commits(post, demo, learner, mailoutbox):
    # Outside django_capture_on_commit_callbacks the test transaction never commits.
    post({"action": "enroll", "identifiers": "honor", "courses": DEMO, "email_students": True})

    assert mailoutbox == []


class _Collector:
    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    collector = _Collector()
    controller = Controller(collector, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10
    try:
        yield collector
    finally:
        controller.stop()


def test_emails_reach_a_real_smtp_server_with_the_right_recipient_and_subject(
    post, demo, learner, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(
            {"action": "enroll", "identifiers": "honor,new@example.com", "courses": DEMO, "email_students": True}
        )

    assert response.status_code == 200
    received = sorted(
        (tuple(envelope.rcpt_tos), email.message_from_bytes(envelope.content)["Subject"])
        for envelope in smtp_server.envelopes
    )
    assert received == [
        (("honor@example.com",), f"You have been enrolled in {DEMO}"),
        (("new@example.com",), f"You have been invited to register for {DEMO}"),
    ]
    assert {envelope.mail_from for envelope in smtp_server.envelopes} == {"no-reply@coursegate.local"}
    for envelope in smtp_server.envelopes:
        message = email.message_from_bytes(envelope.content)
        assert message["To"] in envelope.rcpt_tos
        assert f"({DEMO})" in message.get_payload(decode=True).decode()


def test_a_mail_server_that_is_down_does_not_fail_the_committed_enrollment(
    post, demo, learner, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = _free_port()  # nobody listens there
    settings.EMAIL_TIMEOUT = 2

    with django_capture_on_commit_callbacks(execute=True):
        response = post({"action": "enroll", "identifiers": "honor", "courses": DEMO, "email_students": True})

    assert response.status_code == 200
    assert active_pairs() == {("honor", DEMO)}


# --- Scale -------------------------------------------------------------------------------------


def _bulk_users(prefix: str, count: int) -> list[str]:
    User.objects.bulk_create(
        [User(username=f"{prefix}{i:04d}", email=f"{prefix}{i:04d}@example.com", password="!") for i in range(count)],
        batch_size=500,
    )
    return [f"{prefix}{i:04d}" for i in range(count)]


def test_one_request_of_a_thousand_identifiers_in_ten_courses_completes(post, make_run):
    keys = [f"course-v1:Scale+S{n}+Run" for n in range(10)]
    for key in keys:
        make_run(key)
    usernames = _bulk_users("bulk", 500)
    # Half of the accounts by username, half by e-mail; 500 unknown addresses in between.
    identifiers = []
    for i, username in enumerate(usernames):
        identifiers.append(username if i % 2 == 0 else f"{username}@example.com")
        identifiers.append(f"unknown{i:04d}@example.com")

    response = post({"action": "enroll", "identifiers": ",".join(identifiers), "courses": ",".join(keys)})

    assert response.status_code == 200
    body = response.json()
    assert list(body["courses"]) == keys
    for key in keys:
        results = body["courses"][key]["results"]
        assert [r["identifier"] for r in results] == identifiers
        assert sum(r["after"] == ENROLLED for r in results) == 500
        assert sum(r["after"] == INVITED_NO_AUTO for r in results) == 500
        assert all(r["before"] in (ACCOUNT, NOTHING) for r in results)
    assert Enrollment.objects.filter(is_active=True).count() == 5000
    assert EnrollmentHistory.objects.count() == 5000
    assert EnrollmentAllowed.objects.count() == 5000


def _query_kind(sql: str) -> str:
    """What a query did to what: 'INSERT enrollments_enrollment', 'SELECT accounts_user', 'SAVEPOINT'."""
    sql = sql.replace('"', "")
    verb = sql.split()[0]
    table = re.search(r"(?:INTO|FROM|UPDATE)\s+(\w+)", sql)
    return f"{verb} {table[1]}" if table and verb != "SAVEPOINT" and verb != "RELEASE" else verb


def test_the_query_count_does_not_grow_with_the_number_of_identifiers(post, make_run):
    keys = [f"course-v1:Count+C{n}+Run" for n in range(3)]
    for key in keys:
        make_run(key)
    _bulk_users("warm", 2)
    _bulk_users("small", 5)
    _bulk_users("large", 100)

    def identifiers(prefix: str, count: int) -> str:
        return ",".join(
            item for i in range(count) for item in (f"{prefix}{i:04d}", f"{prefix}-unknown{i:04d}@example.com")
        )

    def queries_for(prefix: str, count: int) -> list[str]:
        with CaptureQueriesContext(connection) as ctx:
            response = post({"action": "enroll", "identifiers": identifiers(prefix, count), "courses": keys})
        assert response.status_code == 200
        assert (
            sum(r["after"] == ENROLLED for key in keys for r in response.json()["courses"][key]["results"]) == 3 * count
        )
        return [_query_kind(q["sql"]) for q in ctx.captured_queries]

    queries_for("warm", 2)  # the token's first use may fill caches
    small, large = queries_for("small", 5), queries_for("large", 100)

    # 10 identifiers (5 accounts, 5 unknown e-mails) vs 200 (100 + 100), in 3 courses each.
    extra = sorted((Counter(large) - Counter(small)).elements())
    if connection.vendor == "sqlite":
        # Django caps SQLite statements at 999 parameters, so bulk_create sends 300 rows as two
        # INSERTs; no other statement may be added.
        assert all(kind.startswith("INSERT") for kind in extra), extra
        assert len(extra) <= 3, extra
    else:
        assert len(large) == len(small), f"extra queries: {extra}"
    assert Enrollment.objects.count() == 3 * (2 + 5 + 100)


def test_the_response_is_json(post, demo):
    response = post(VALID)

    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == response.json()


def test_an_overlong_email_identifier_is_invalid_not_a_database_error(post, demo):
    long_email = f"{'a' * 64}@{'b' * 63}.{'c' * 63}.{'d' * 63}.org"

    response = post({"action": "enroll", "identifiers": long_email, "courses": DEMO})

    assert response.status_code == 200
    assert response.json()["courses"][DEMO]["results"] == [{"identifier": long_email, "invalidIdentifier": True}]
    assert not EnrollmentAllowed.objects.exists()


@pytest.mark.parametrize(
    ("identifiers", "expected"),
    [
        ("a@example.com\n    b@example.com", ["a@example.com", "b@example.com"]),  # an indented list
        ("alice\n\tbob", ["alice", "bob"]),
        ("c@example.\n\tcom", ["c@example.com"]),  # a wrapped e-mail, as in the seed's sample
    ],
    ids=["indented-emails", "indented-usernames", "wrapped-email"],
)
def test_an_indented_line_break_separates_items_unless_it_wraps_one(post, demo, identifiers, expected):
    response = post({"action": "enroll", "identifiers": identifiers, "courses": DEMO})

    assert [row["identifier"] for row in response.json()["courses"][DEMO]["results"]] == expected
