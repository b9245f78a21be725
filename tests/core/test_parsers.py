"""The server's one JSON parser (core/parsers.py), through each family's real endpoints and tokens:
strict JSON everywhere (a body missing its closing brace is a 400 and writes nothing), no depth
that can crash it, no NUL or lone surrogate in any string, invalid UTF-8 refused, each answered in
the family's own 400 shape; the seeds' leniencies only on the endpoints whose examples need them.
The parsers' own rules, one by one: test_parsers_rules.py. Path, query and headers:
test_parsers_input_guard.py."""

from __future__ import annotations

import json
from io import StringIO
from urllib.parse import urlencode

import pytest
from django.core.management import call_command
from django.test import Client

from coursegate.accounts.models import User
from coursegate.assignments.models import LearnerContentAssignment
from coursegate.demo.loading import POLICY_A
from coursegate.enrollments.models import Enrollment
from coursegate.events.models import ApprenticeshipEvent
from tests.api.apprenticeship_events.support import SEED_EVENT

RUN = "course-v1:edX+DemoX+Demo_Course"
ACCOUNT = {"username": "newbie", "email": "newbie@example.com", "password": "edx-password-1", "name": "New Bie"}
ALLOCATE = f"/enterprise/v1/policy-allocation/{POLICY_A}/allocate/"
ALLOCATION = {"learner_emails": ["new@example.com"], "content_key": "edx+api101", "content_price_cents": 1000}
EVENT = SEED_EVENT  # seed 004's example


@pytest.fixture
def demo(db, settings, tmp_path) -> dict:
    """The demo data set and a real token per caller (Authorization header values)."""
    settings.VAR_DIR = tmp_path
    out = StringIO()
    call_command("demo", "--json", stdout=out)
    credentials = json.loads(out.getvalue())

    def token(role: str, jwt: bool) -> str:
        form = {"grant_type": "client_credentials", **{k: credentials[role][k] for k in ("client_id", "client_secret")}}
        if jwt:
            form["token_type"] = "jwt"
        response = Client().post("/oauth2/access_token", form)
        assert response.status_code == 200, response.content
        return ("JWT " if jwt else "Bearer ") + response.json()["access_token"]

    return {
        "staff": token("staff", False),
        "learner": token("learner", False),
        "enterprise_admin": token("enterprise_admin", True),
        "events_writer": token("events_writer", False),
    }


def post(demo, caller: str, path: str, body: bytes, content_type: str = "application/json", accept: str = "*/*"):
    headers = {"Authorization": demo[caller], "Accept": accept}
    return Client().generic("POST", path, body, content_type=content_type, headers=headers)


def rows() -> tuple[int, int, int, int]:
    return (
        User.objects.count(),
        Enrollment.objects.count(),
        LearnerContentAssignment.objects.count(),
        ApprenticeshipEvent.objects.count(),
    )


# (family, caller, path, a valid body, the key of the family's 400 body)
FAMILIES = [
    ("edx enrollment", "learner", "/api/enrollment/v1/enrollment", {"course_details": {"course_id": RUN}}, "message"),
    ("appsembler accounts", "staff", "/appsembler_api/v0/accounts/create", ACCOUNT, "detail"),
    (
        "appsembler bulk-enroll",
        "staff",
        "/appsembler_api/v0/bulk-enrollment/bulk-enroll",
        {"action": "enroll", "identifiers": "honor", "courses": RUN},
        "detail",
    ),
    ("enterprise allocate", "enterprise_admin", ALLOCATE, ALLOCATION, "detail"),
    ("events", "events_writer", "/api/events/apprenticeships", EVENT, "detail"),
]
FAMILY_IDS = [family[0] for family in FAMILIES]


def _first_key(body: dict) -> str:
    return next(iter(body))


BAD_BODIES = {
    "missing its closing brace": lambda body: json.dumps(body)[:-1].encode(),
    "nested 1,000 deep": lambda body: b"[" * 1000 + b"]" * 1000,
    "nested 100,000 deep": lambda body: b'{"a":' * 100_000 + b"1" + b"}" * 100_000,
    "nested 65 deep in a field": lambda body: (
        json.dumps({**body, _first_key(body): "@"}).replace('"@"', "[" * 64 + "]" * 64).encode()
    ),
    "a NUL in a value": lambda body: json.dumps({**body, _first_key(body): "a\x00b"}).encode(),
    "a NUL in a key": lambda body: json.dumps({**body, "a\x00": "b"}).encode(),
    "a lone surrogate in a value": lambda body: json.dumps({**body, _first_key(body): "x\ud800"}).encode(),
    "a lone surrogate in a key": lambda body: json.dumps({**body, "\udc00": "b"}).encode(),
    "bytes that are not UTF-8": lambda body: (
        json.dumps({**body, _first_key(body): "@"}).encode().replace(b"@", b"\xff")
    ),
    "NaN": lambda body: json.dumps({**body, _first_key(body): float("nan")}).encode(),
}


@pytest.mark.parametrize(("family", "caller", "path", "body", "key"), FAMILIES, ids=FAMILY_IDS)
def test_a_malformed_body_is_a_400_in_the_family_s_shape_and_writes_nothing(demo, family, caller, path, body, key):
    before = rows()
    answers = {bad: post(demo, caller, path, make(body), accept="application/json") for bad, make in BAD_BODIES.items()}

    for bad, response in answers.items():
        assert response.status_code == 400, (bad, response.content[:300])
        assert list(response.json()) == [key], bad
        assert response.json()[key].startswith("JSON parse error - "), bad
    assert rows() == before


@pytest.mark.parametrize(("family", "caller", "path", "body", "key"), FAMILIES, ids=FAMILY_IDS)
def test_the_same_body_closed_is_accepted(demo, family, caller, path, body, key):
    response = post(demo, caller, path, json.dumps(body).encode(), accept="application/json")

    assert response.status_code in (200, 201, 202), response.content[:300]


def test_the_enterprise_family_answers_a_parse_error_in_xml_by_default(demo):
    response = post(demo, "enterprise_admin", ALLOCATE, json.dumps(ALLOCATION)[:-1].encode())

    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/xml")
    assert b"<detail>JSON parse error - " in response.content


def test_a_valid_surrogate_pair_is_one_character_and_accepted(demo):
    body = json.dumps({**ACCOUNT, "name": "Smiley \U0001f600"}).encode()  # written as \ud83d\ude00
    assert b"\\ud83d\\ude00" in body

    response = post(demo, "staff", "/appsembler_api/v0/accounts/create", body)

    assert response.status_code == 200, response.content
    assert User.objects.get(username="newbie").profile.name == "Smiley \U0001f600"


# --- The seeds' leniencies, on their endpoints only -------------------------------------------------

CURLY = "{\u201ccourse_details\u201d: {\u201ccourse_id\u201d: \u201c" + RUN + "\u201d}}"
RAW_LINE_BREAKS = '{"action": "enroll", "identifiers": "honor,\n\taudit", "courses": "' + RUN + '"}'


def test_typographic_quotes_are_read_only_by_the_enrollment_post(demo):
    assert post(demo, "learner", "/api/enrollment/v1/enrollment", CURLY.encode()).status_code == 200
    curly_account = "{" + ", ".join(f"\u201c{k}\u201d: \u201c{v}\u201d" for k, v in ACCOUNT.items()) + "}"

    response = post(demo, "staff", "/appsembler_api/v0/accounts/create", curly_account.encode())

    assert response.status_code == 400
    assert not User.objects.filter(username="newbie").exists()


def test_the_enrollment_post_still_refuses_an_unclosed_body(demo):
    response = post(demo, "learner", "/api/enrollment/v1/enrollment", CURLY[:-1].encode())

    assert response.status_code == 400
    assert response.json()["message"].startswith("JSON parse error - ")


def test_raw_line_breaks_in_strings_are_read_only_by_bulk_enroll(demo):
    response = post(demo, "staff", "/appsembler_api/v0/bulk-enrollment/bulk-enroll", RAW_LINE_BREAKS.encode())
    assert response.status_code == 200, response.content

    raw_account = json.dumps(ACCOUNT).replace("New Bie", "New\nBie").replace("\\n", "\n")
    response = post(demo, "staff", "/appsembler_api/v0/accounts/create", raw_account.encode())

    assert response.status_code == 400
    assert response.json()["detail"].startswith("JSON parse error - Invalid control character")


def test_bulk_enroll_still_refuses_a_raw_nul_and_an_unclosed_body(demo):
    for body in (RAW_LINE_BREAKS.replace("honor", "hon\x00or"), RAW_LINE_BREAKS[:-1]):
        response = post(demo, "staff", "/appsembler_api/v0/bulk-enrollment/bulk-enroll", body.encode())
        assert response.status_code == 400, body


@pytest.mark.parametrize("action", ["remind", "cancel"])
def test_only_remind_and_cancel_accept_an_object_missing_its_final_brace(demo, action):
    from coursegate.demo.loading import ASSIGNMENT_CONFIGURATION_A, DEMO_ASSIGNMENTS

    path = f"/enterprise/v1/assignment-configurations/{ASSIGNMENT_CONFIGURATION_A}/admin/assignments/{action}/"
    unclosed = json.dumps({"assignment_uuids": [DEMO_ASSIGNMENTS[0][0]]})[:-1].encode()

    assert post(demo, "enterprise_admin", path, unclosed, accept="application/json").status_code == 200
    assert post(demo, "enterprise_admin", ALLOCATE, json.dumps(ALLOCATION)[:-1].encode()).status_code == 400


@pytest.mark.parametrize("action", ["remind", "cancel"])
def test_remind_and_cancel_refuse_what_no_repair_fixes(demo, action):
    from coursegate.demo.loading import ASSIGNMENT_CONFIGURATION_A

    path = f"/enterprise/v1/assignment-configurations/{ASSIGNMENT_CONFIGURATION_A}/admin/assignments/{action}/"
    for body in (b'{"assignment_uuids": ["\\u0000"]', b'{"assignment_uuids": [' + b"[" * 1000):
        response = post(demo, "enterprise_admin", path, body, accept="application/json")
        assert response.status_code == 400, body[:40]


# --- Form and multipart bodies -------------------------------------------------------------------


@pytest.mark.parametrize("value", ["New\x00Bie", "New\ud800Bie"], ids=["NUL", "lone surrogate"])
@pytest.mark.parametrize("encoding", ["multipart", "form"])
def test_a_form_field_with_a_nul_or_a_surrogate_is_a_400_and_creates_nobody(demo, encoding, value):
    fields = {key: text.encode("utf-8", "surrogatepass") for key, text in {**ACCOUNT, "name": value}.items()}
    if encoding == "multipart":
        body = b"".join(
            b'--B\r\nContent-Disposition: form-data; name="' + key.encode() + b'"\r\n\r\n' + raw + b"\r\n"
            for key, raw in fields.items()
        )
        body, content_type = body + b"--B--\r\n", "multipart/form-data; boundary=B"
    else:
        body, content_type = urlencode(fields).encode(), "application/x-www-form-urlencoded"

    response = post(demo, "staff", "/appsembler_api/v0/accounts/create", body, content_type)

    if "\x00" in value:
        assert response.status_code == 400
        assert "NUL" in response.json()["detail"]
        assert not User.objects.filter(username="newbie").exists()
    else:
        # A surrogate cannot be written in UTF-8: its bytes are not UTF-8, which the form decoder
        # replaces (U+FFFD); nothing unstorable reaches the database.
        assert response.status_code in (200, 400)
        names = User.objects.values_list("profile__name", flat=True)
        assert all("\ud800" not in (name or "") for name in names)
