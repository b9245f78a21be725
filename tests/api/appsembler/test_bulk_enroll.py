"""POST /appsembler_api/v0/bulk-enrollment/bulk-enroll (seed 001 "Bulk Enrollment"; reference
§2.7 and §6 cases 43-50; issue 3): the seed's sample, existing accounts, unenroll, idempotence and
scale.

Black-box: a staff caller with a real bearer token; the effects are read back from the
enrollments tables (Enrollment, EnrollmentAllowed, EnrollmentHistory). The shapes of identifiers
and courses and invalid requests are covered by test_bulk_enroll_input.py, e-mails by
test_bulk_enroll_emails.py, authentication and permission failures by test_permissions.py.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from coursegate.accounts.models import User
from coursegate.enrollments.models import Enrollment, EnrollmentAllowed, EnrollmentHistory, Source
from coursegate.enrollments.registration import user_register
from coursegate.enrollments.services import enrollment_upsert
from tests.api.appsembler.conftest import (
    ACCOUNT,
    APP_COURSE,
    DEMO_COURSE,
    ENROLLED,
    INVITED,
    INVITED_NO_AUTO,
    NOTHING,
    active_pairs,
    answer,
    invitations,
    row,
    snapshot,
    state,
)

pytestmark = pytest.mark.django_db

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


# --- The seed's sample -------------------------------------------------------------------------


def test_the_seeds_sample_body_is_accepted_verbatim_and_invites_the_three_addresses_in_both_courses(
    post, demo_run, app101, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(SEED_SAMPLE)

    assert response.status_code == 200, response.content
    emails = ["test@appsembler.com", "test1@appsembler.com", "test2@appsembler.com"]
    assert response.json() == answer(
        "enroll",
        {
            DEMO_COURSE: [row(e, NOTHING, INVITED) for e in emails],
            APP_COURSE: [row(e, NOTHING, INVITED) for e in emails],
        },
        auto_enroll=True,
        email_students=True,
    )
    assert list(response.json()) == ["action", "courses", "email_students", "auto_enroll"]
    assert list(response.json()["courses"]) == [DEMO_COURSE, APP_COURSE]
    assert invitations() == {(e, key, True) for e in emails for key in (DEMO_COURSE, APP_COURSE)}
    assert Enrollment.objects.count() == 0
    assert sorted((m.to, m.subject) for m in mailoutbox) == sorted(
        ([e], f"You have been invited to register for {key}") for e in emails for key in (DEMO_COURSE, APP_COURSE)
    )


def test_an_account_created_later_for_an_invited_address_is_enrolled_in_both_courses(post, demo_run, app101):
    assert post(SEED_SAMPLE).status_code == 200

    user = user_register(username="test2", email="test2@appsembler.com", password="a-Long-pass-2016", name="Test Two")

    assert set(Enrollment.objects.filter(user=user).values_list("course_run__key", "mode", "is_active")) == {
        (DEMO_COURSE, "audit", True),
        (APP_COURSE, "audit", True),
    }
    assert set(EnrollmentAllowed.objects.filter(user=user).values_list("email", "course_run__key")) == {
        ("test2@appsembler.com", DEMO_COURSE),
        ("test2@appsembler.com", APP_COURSE),
    }


def test_an_account_created_later_for_an_invitation_without_auto_enroll_is_not_enrolled(post, demo_run):
    body = {"action": "enroll", "identifiers": "later@example.com", "courses": DEMO_COURSE, "auto_enroll": False}
    assert post(body).json()["courses"][DEMO_COURSE]["results"] == [row("later@example.com", NOTHING, INVITED_NO_AUTO)]

    user = user_register(username="later", email="Later@Example.com", password="a-Long-pass-2016", name="Later")

    assert not Enrollment.objects.filter(user=user).exists()
    assert EnrollmentAllowed.objects.get(email="later@example.com").user == user


# --- Existing accounts -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "identifier",
    ["honor", "honor@example.com", "HONOR@EXAMPLE.COM", "Honor@Example.com"],
    ids=["username", "e-mail", "e-mail in upper case", "e-mail in mixed case"],
)
def test_an_existing_account_named_by_username_or_email_in_any_case_is_enrolled(post, demo_run, learner, identifier):
    response = post({"action": "enroll", "identifiers": identifier, "courses": DEMO_COURSE})

    assert response.status_code == 200
    assert response.json() == answer("enroll", {DEMO_COURSE: [row(identifier, ACCOUNT, ENROLLED)]})
    enrollment = Enrollment.objects.get(user=learner, course_run=demo_run)
    assert (enrollment.mode, enrollment.is_active) == ("audit", True)
    history = EnrollmentHistory.objects.get(enrollment=enrollment)
    assert (history.mode, history.is_active, history.source, history.actor.username) == (
        "audit",
        True,
        Source.APPSEMBLER,
        "staff",
    )
    assert EnrollmentAllowed.objects.count() == 0


def test_a_username_that_looks_different_from_the_email_resolves_by_username_first(post, demo_run, make_user):
    make_user("jdoe", email="john.doe@example.com")

    response = post({"action": "enroll", "identifiers": "jdoe,john.doe@example.com", "courses": DEMO_COURSE})

    assert response.json()["courses"][DEMO_COURSE]["results"] == [
        row("jdoe", ACCOUNT, ENROLLED),
        row("john.doe@example.com", ACCOUNT, ENROLLED),
    ]
    assert active_pairs() == {("jdoe", DEMO_COURSE)}


def test_an_inactive_enrollment_is_reactivated(post, demo_run, learner):
    enrollment_upsert(user=learner, course_run=demo_run, source=Source.ADMIN)
    Enrollment.objects.filter(user=learner).update(is_active=False)

    response = post({"action": "enroll", "identifiers": "honor", "courses": DEMO_COURSE})

    assert response.json()["courses"][DEMO_COURSE]["results"] == [row("honor", ACCOUNT, ENROLLED)]
    assert Enrollment.objects.get(user=learner).is_active is True
    assert list(EnrollmentHistory.objects.filter(enrollment__user=learner).values_list("is_active", flat=True)) == [
        True,
        True,
    ]


def test_an_active_enrollment_keeps_its_mode(post, make_run, learner):
    run = make_run(DEMO_COURSE, modes=("audit", "verified"))
    enrollment_upsert(user=learner, course_run=run, mode="verified", source=Source.ADMIN)

    response = post({"action": "enroll", "identifiers": "honor", "courses": DEMO_COURSE})

    assert response.json()["courses"][DEMO_COURSE]["results"] == [row("honor", ENROLLED, ENROLLED)]
    assert Enrollment.objects.get(user=learner).mode == "verified"


def test_an_inactive_account_gets_an_invitation_not_an_enrollment(post, demo_run, make_user):
    user = make_user("sleeper")
    User.objects.filter(pk=user.pk).update(is_active=False)

    response = post(
        {"action": "enroll", "identifiers": "sleeper@example.com", "courses": DEMO_COURSE, "auto_enroll": True}
    )

    assert response.json()["courses"][DEMO_COURSE]["results"] == [
        row("sleeper@example.com", ACCOUNT, state(user=True, allowed=True, auto_enroll=True))
    ]
    assert not Enrollment.objects.exists()
    assert invitations() == {("sleeper@example.com", DEMO_COURSE, True)}


def test_an_unknown_email_is_stored_lower_cased_and_echoed_as_given(post, demo_run):
    response = post(
        {"action": "enroll", "identifiers": "New.Person@Example.COM", "courses": DEMO_COURSE, "auto_enroll": True}
    )

    assert response.json()["courses"][DEMO_COURSE]["results"] == [row("New.Person@Example.COM", NOTHING, INVITED)]
    assert invitations() == {("new.person@example.com", DEMO_COURSE, True)}


def test_inviting_again_updates_auto_enroll_of_the_invitation(post, demo_run):
    post({"action": "enroll", "identifiers": "new@example.com", "courses": DEMO_COURSE, "auto_enroll": True})

    response = post(
        {"action": "enroll", "identifiers": "new@example.com", "courses": DEMO_COURSE, "auto_enroll": False}
    )

    assert response.json()["courses"][DEMO_COURSE]["results"] == [row("new@example.com", INVITED, INVITED_NO_AUTO)]
    assert invitations() == {("new@example.com", DEMO_COURSE, False)}


# --- Unenroll ----------------------------------------------------------------------------------


def test_unenroll_deactivates_an_enrollment_deletes_an_invitation_and_leaves_the_rest_unchanged(
    post, demo_run, learner, other_learner, unenroll_setup
):
    response = post(
        {"action": "unenroll", "identifiers": "honor@example.com,invited@example.com,audit", "courses": DEMO_COURSE}
    )

    assert response.status_code == 200
    assert response.json() == answer(
        "unenroll",
        {
            DEMO_COURSE: [
                row("honor@example.com", ENROLLED, ACCOUNT),
                row("invited@example.com", INVITED, NOTHING),
                row("audit", ACCOUNT, ACCOUNT),
            ]
        },
    )
    enrollment = Enrollment.objects.get(user=learner, course_run=demo_run)
    assert (enrollment.mode, enrollment.is_active) == ("audit", False)
    assert list(enrollment.history.values_list("is_active", "source")) == [
        (True, Source.ADMIN),
        (False, Source.APPSEMBLER),
    ]
    assert not EnrollmentAllowed.objects.exists()
    assert not Enrollment.objects.filter(user=other_learner).exists()


def test_unenrolling_an_inactive_enrollment_changes_nothing(post, demo_run, learner, unenroll_setup):
    post({"action": "unenroll", "identifiers": "honor", "courses": DEMO_COURSE})
    before = snapshot()

    response = post({"action": "unenroll", "identifiers": "honor", "courses": DEMO_COURSE})

    assert response.json()["courses"][DEMO_COURSE]["results"] == [row("honor", ACCOUNT, ACCOUNT)]
    assert snapshot() == before


def test_unenroll_in_one_course_leaves_the_other_course_alone(post, demo_run, app101, learner):
    for run in (demo_run, app101):
        enrollment_upsert(user=learner, course_run=run, source=Source.ADMIN)

    post({"action": "unenroll", "identifiers": "honor", "courses": APP_COURSE})

    assert active_pairs() == {("honor", DEMO_COURSE)}


# --- Idempotence -------------------------------------------------------------------------------


def test_repeating_an_enroll_changes_nothing_and_writes_no_history(post, demo_run, app101, learner):
    body = {
        "action": "enroll",
        "identifiers": "honor,new@example.com",
        "courses": [DEMO_COURSE, APP_COURSE],
        "auto_enroll": True,
    }
    first = post(body)
    after_first = snapshot()

    second = post(body)

    assert first.status_code == second.status_code == 200
    assert snapshot() == after_first
    assert after_first[2] == 2  # one history row per enrollment, written by the first call only
    assert second.json() == answer(
        "enroll",
        {
            key: [row("honor", ENROLLED, ENROLLED), row("new@example.com", INVITED, INVITED)]
            for key in (DEMO_COURSE, APP_COURSE)
        },
        auto_enroll=True,
    )


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
    if "pg_advisory_xact_lock" in sql or "INTO events_genericevent" in sql:
        # The change feed's one statement: an INSERT with the lock inside for a few rows, or (on
        # PostgreSQL, from feed.services.COPY_THRESHOLD rows) the lock, then a COPY not logged here.
        return "feed append"
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
    # On SQLite too: the rows go as one JSON parameter, so no statement is split at a parameter cap.
    assert large == small, f"extra queries: {extra}"
    assert Enrollment.objects.count() == 3 * (2 + 5 + 100)
