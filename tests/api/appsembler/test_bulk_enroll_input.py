"""POST /appsembler_api/v0/bulk-enrollment/bulk-enroll (seed 001 "Bulk Enrollment"; reference
§2.7 and §6 cases 43-50; issue 3): what the request may look like.

The shapes of identifiers and courses (strings or lists, separators, wrapped lines, invalid
identifiers reported per row) and invalid requests (400 with field errors, malformed JSON, unknown
courses), after which nothing has changed; the answer is JSON.
"""

from __future__ import annotations

import json

import pytest

from coursegate.enrollments.models import EnrollmentAllowed
from tests.api.appsembler.conftest import (
    ACCOUNT,
    APP_COURSE,
    DEMO_COURSE,
    ENROLLED,
    INVITED_NO_AUTO,
    NOTHING,
    active_pairs,
    answer,
    invitations,
    row,
    snapshot,
)

pytestmark = pytest.mark.django_db


def invalid(identifier: str) -> dict:
    return {"identifier": identifier, "invalidIdentifier": True}


# --- Shapes of identifiers and courses ---------------------------------------------------------

SHAPES = [
    # identifiers, courses, expected identifiers in order
    (
        "honor,audit@example.com,new@example.com",
        f"{DEMO_COURSE},{APP_COURSE}",
        ["honor", "audit@example.com", "new@example.com"],
    ),
    (
        ["honor", "audit@example.com", "new@example.com"],
        [DEMO_COURSE, APP_COURSE],
        ["honor", "audit@example.com", "new@example.com"],
    ),
    (
        "honor\naudit@example.com\r\nnew@example.com",
        f"{DEMO_COURSE}\n{APP_COURSE}",
        ["honor", "audit@example.com", "new@example.com"],
    ),
    (
        "honor audit@example.com\tnew@example.com",
        f"{DEMO_COURSE} {APP_COURSE}",
        ["honor", "audit@example.com", "new@example.com"],
    ),
    (
        " honor , , audit@example.com,\n\nnew@example.com, ",
        f" {DEMO_COURSE} ,{APP_COURSE}\n",
        ["honor", "audit@example.com", "new@example.com"],
    ),
    (
        "honor,\n\taudit@example.com,new@exam\n\tple.com",
        f"{DEMO_COURSE},\n\t{APP_COURSE}",
        ["honor", "audit@example.com", "new@example.com"],
    ),
    ([" honor ", "audit@example.com", ""], [f" {DEMO_COURSE}", APP_COURSE], ["honor", "audit@example.com"]),
    ("honor,honor,audit@example.com", [DEMO_COURSE, APP_COURSE], ["honor", "audit@example.com"]),
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
    post, demo_run, app101, learner, other_learner, identifiers, courses, expected
):
    response = post({"action": "enroll", "identifiers": identifiers, "courses": courses})

    assert response.status_code == 200, response.content
    body = response.json()
    assert list(body["courses"]) == [DEMO_COURSE, APP_COURSE]
    for key in (DEMO_COURSE, APP_COURSE):
        assert [r["identifier"] for r in body["courses"][key]["results"]] == expected
    assert active_pairs() == {(u, key) for u in ("honor", "audit") for key in (DEMO_COURSE, APP_COURSE)}
    if "new@example.com" in expected:
        assert invitations() == {("new@example.com", DEMO_COURSE, False), ("new@example.com", APP_COURSE, False)}


def test_invalid_identifiers_are_reported_per_row_and_the_others_still_processed(post, demo_run, learner):
    response = post(
        {
            "action": "enroll",
            "identifiers": "percivaloctavius@,honor,percivaloctavius,new@example.com",
            "courses": DEMO_COURSE,
        }
    )

    assert response.status_code == 200
    assert response.json() == answer(
        "enroll",
        {
            DEMO_COURSE: [
                invalid("percivaloctavius@"),
                row("honor", ACCOUNT, ENROLLED),
                invalid("percivaloctavius"),
                row("new@example.com", NOTHING, INVITED_NO_AUTO),
            ]
        },
    )
    assert active_pairs() == {("honor", DEMO_COURSE)}
    assert invitations() == {("new@example.com", DEMO_COURSE, False)}


@pytest.mark.parametrize("identifier", ["percivaloctavius@", "percivaloctavius", "@example.com", "a@b@example.com"])
def test_an_identifier_that_is_neither_an_account_nor_an_email_is_invalid_in_every_course(
    post, demo_run, app101, identifier
):
    response = post({"action": "enroll", "identifiers": [identifier], "courses": [DEMO_COURSE, APP_COURSE]})

    assert response.json() == answer("enroll", {DEMO_COURSE: [invalid(identifier)], APP_COURSE: [invalid(identifier)]})
    assert snapshot() == ([], [], 0)


def test_an_overlong_email_identifier_is_invalid_not_a_database_error(post, demo_run):
    long_email = f"{'a' * 64}@{'b' * 63}.{'c' * 63}.{'d' * 63}.org"

    response = post({"action": "enroll", "identifiers": long_email, "courses": DEMO_COURSE})

    assert response.status_code == 200
    assert response.json()["courses"][DEMO_COURSE]["results"] == [{"identifier": long_email, "invalidIdentifier": True}]
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
def test_an_indented_line_break_separates_items_unless_it_wraps_one(post, demo_run, identifiers, expected):
    response = post({"action": "enroll", "identifiers": identifiers, "courses": DEMO_COURSE})

    assert [row["identifier"] for row in response.json()["courses"][DEMO_COURSE]["results"]] == expected


# --- Errors ------------------------------------------------------------------------------------

REQUIRED = ["This field is required."]
VALID = {"action": "enroll", "identifiers": "honor", "courses": DEMO_COURSE}

BAD_BODIES = [
    ("empty JSON object", b"{}", {"action": REQUIRED, "identifiers": REQUIRED, "courses": REQUIRED}),
    ("empty body", b"", {"action": REQUIRED, "identifiers": REQUIRED, "courses": REQUIRED}),
    ("identifiers missing", {"action": "enroll", "courses": DEMO_COURSE}, {"identifiers": REQUIRED}),
    ("courses missing", {"action": "enroll", "identifiers": "honor"}, {"courses": REQUIRED}),
    ("action missing", {"identifiers": "honor", "courses": DEMO_COURSE}, {"action": REQUIRED}),
    ("bad action", {**VALID, "action": "invalid-action"}, {"action": ['"invalid-action" is not a valid choice.']}),
    ("action in capitals", {**VALID, "action": "ENROLL"}, {"action": ['"ENROLL" is not a valid choice.']}),
    ("malformed course key", {**VALID, "courses": "not-a-key"}, {"courses": ["Course key not valid: not-a-key"]}),
    (
        "one malformed course key of two",
        {**VALID, "courses": f"{DEMO_COURSE},edX/DemoX"},
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
def test_invalid_requests_answer_400_with_field_errors_and_change_nothing(post, demo_run, learner, body, errors):
    before = snapshot()

    response = post(body)

    assert response.status_code == 400
    assert response.json() == errors
    assert snapshot() == before


def test_more_than_ten_thousand_identifiers_is_a_400(post, demo_run):
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
def test_malformed_json_is_a_400_parse_error_never_a_500(post, demo_run, body):
    response = post(body)

    assert response.status_code == 400
    assert list(response.json()) == ["detail"]
    assert response.json()["detail"].startswith("JSON parse error - ")
    assert snapshot() == ([], [], 0)


@pytest.mark.parametrize(
    "courses",
    ["course-v1:edX+Nope+Run", f"{DEMO_COURSE},course-v1:edX+Nope+Run", ["course-v1:edX+Nope+Run", DEMO_COURSE]],
    ids=["unknown course", "known then unknown", "unknown then known"],
)
def test_an_unknown_course_is_a_404_and_nothing_changes(post, demo_run, learner, courses):
    response = post({"action": "enroll", "identifiers": "honor,new@example.com", "courses": courses})

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found"}
    assert snapshot() == ([], [], 0)


def test_the_response_is_json(post, demo_run):
    response = post(VALID)

    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == response.json()
