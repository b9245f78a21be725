"""Who may call what: the authentication and permission matrix of every Appsembler endpoint and of
the two Jitterbit endpoints (the same analytics endpoint, api/analytics, on another path).

Seed 001 "Authentication", ARCHITECTURE.md "Authentication and authorization", issue 3: no
credentials -> 401 "Authentication credentials were not provided."; an unknown, forged or badly
formed token, or the token of a deactivated user -> 401 "Invalid Token."; an authenticated
non-staff caller -> 403. A refused call changes nothing. The reference's IsStaffOrOwner rule (and
the anonymous ``?username=`` bypass it implies, reference §2.1) is not reproduced: staff only, so
the calls that name the learner's own username, or an empty one, are refused like any other.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from rest_framework.test import APIClient

from coursegate.accounts.models import Profile, User
from coursegate.codes.models import EnrollmentCode
from coursegate.codes.services import codes_generate
from coursegate.enrollments.models import Enrollment, EnrollmentAllowed, EnrollmentHistory
from tests.api.appsembler.conftest import DEMO_COURSE
from tests.kit.permissions import (
    ANONYMOUS,
    BAD_TOKEN,
    FORBIDDEN,
    INVALID_TOKEN,
    NOT_PROVIDED,
    Endpoint,
    Expected,
    anonymous_client,
    bad_token_client,
    check,
    matrix,
    send,
)

A = "/appsembler_api/v0"
J = "/api/jitterbit/v1"

NEW_ACCOUNT = {"username": "staff55", "password": "edx", "email": "staff55@example.com", "name": "stafftest"}
CODE = "{code}"  # replaced by a stored, unused code of the demo run

# Every endpoint, with a body that *would* change something if it were accepted; then the calls
# that name the learner's own username (the reference's owner bypass) or an empty one (an
# anonymous user's username is "", reference §2.1). ``expect`` gives staff's answer where it is
# not a 200.
ENDPOINTS = [
    Endpoint("accounts/create", "post", f"{A}/accounts/create", NEW_ACCOUNT),
    Endpoint("accounts/get-user", "get", f"{A}/accounts/get-user/honor"),  # the learner's own username
    Endpoint(
        "enrollment-codes/generate",
        "post",
        f"{A}/enrollment-codes/generate",
        {"course_id": DEMO_COURSE, "total_registration_codes": "20"},
    ),
    Endpoint(
        "enrollment-codes/enroll-user",
        "post",
        f"{A}/enrollment-codes/enroll-user",
        {"email": "honor@example.com", "enrollment_code": CODE},
    ),
    Endpoint(
        "enrollment-codes/status", "post", f"{A}/enrollment-codes/status", {"enrollment_code": CODE, "action": "cancel"}
    ),
    Endpoint(
        "bulk-enrollment/bulk-enroll",
        "post",
        f"{A}/bulk-enrollment/bulk-enroll",
        {
            "action": "enroll",
            "identifiers": "honor@example.com,newcomer@example.com",
            "courses": DEMO_COURSE,
            "auto_enroll": True,
        },
    ),
    Endpoint("analytics/accounts/batch", "get", f"{A}/analytics/accounts/batch"),
    Endpoint("analytics/enrollment/batch", "get", f"{A}/analytics/enrollment/batch"),
    Endpoint("jitterbit accounts/batch", "get", f"{J}/accounts/batch"),
    Endpoint("jitterbit enrollment/batch", "get", f"{J}/enrollment/batch"),
    # The learner's own username.
    Endpoint(
        "accounts/create with one's own username",
        "post",
        f"{A}/accounts/create",
        {"username": "honor", "password": "edx", "email": "honor2@example.com", "name": "Honor"},
        expect={"staff bearer": Expected(409, {"user_message": "User already exists"}), "staff JWT": 409},
    ),
    Endpoint("enrollment batch ?username=honor", "get", f"{A}/analytics/enrollment/batch?username=honor"),
    Endpoint("accounts batch ?username=honor", "get", f"{A}/analytics/accounts/batch?username=honor"),
    Endpoint(
        "enroll-user with one's own username in the body",
        "post",
        f"{A}/enrollment-codes/enroll-user",
        {"username": "honor", "email": "honor@example.com", "enrollment_code": CODE},
    ),
    # An empty username.
    Endpoint("accounts batch ?username=", "get", f"{A}/analytics/accounts/batch?username="),
    Endpoint("enrollment batch ?username=", "get", f"{A}/analytics/enrollment/batch?username="),
    Endpoint("jitterbit accounts batch ?username=", "get", f"{J}/accounts/batch?username="),
    Endpoint("jitterbit enrollment batch ?username=", "get", f"{J}/enrollment/batch?username="),
    Endpoint(
        "accounts batch POST with an empty username",
        "post",
        f"{A}/analytics/accounts/batch",
        {"username": ""},
        expect={"staff bearer": 405, "staff JWT": 405},
    ),
    Endpoint(
        "accounts/create with an empty username",
        "post",
        f"{A}/accounts/create",
        {**NEW_ACCOUNT, "username": ""},
        expect={
            "staff bearer": Expected(
                400,
                {
                    "user_message": "Wrong parameters on user creation",
                    "field_errors": {"username": ["This field is required."]},
                },
            ),
            "staff JWT": 400,
        },
    ),
    Endpoint(
        "bulk-enroll with an empty username in the body",
        "post",
        f"{A}/bulk-enrollment/bulk-enroll",
        {"username": "", "action": "enroll", "identifiers": "honor@example.com", "courses": DEMO_COURSE},
    ),
]

CALLERS = {
    ANONYMOUS: NOT_PROVIDED,
    BAD_TOKEN: INVALID_TOKEN,  # a JWT with a forged signature
    "unknown bearer": INVALID_TOKEN,
    "JWT that is not a JWT": INVALID_TOKEN,
    "deactivated staff bearer": INVALID_TOKEN,
    "learner bearer": FORBIDDEN,
    "learner JWT": FORBIDDEN,
    "staff bearer": 200,
    "staff JWT": 200,
}


@pytest.fixture
def world(demo_run, learner):
    """The demo run with one stored, unused code; the learner ``honor`` exists and is not enrolled."""
    [code] = codes_generate(course_run=demo_run, count=1)
    return {"run": demo_run, "code": code.code, "learner": learner}


@pytest.fixture
def clients(world, staff, make_user, bearer_for, jwt_for):
    """clients(caller) -> an APIClient sending that caller's credentials (real tokens)."""

    def make(caller: str) -> APIClient:
        learner = world["learner"]
        match caller:
            case "anonymous":
                return anonymous_client()
            case "bad_token":
                return bad_token_client()
            case "unknown bearer":
                return bad_token_client("Bearer", "cbf6a5de322cf6a4323c957a882xy1s321c954b86")
            case "JWT that is not a JWT":
                return bad_token_client("JWT", "not.a.jwt")
            case "deactivated staff bearer":
                former = make_user("former_staff", is_staff=True)
                token = bearer_for(former)
                User.objects.filter(pk=former.pk).update(is_active=False)
                return anonymous_client(HTTP_AUTHORIZATION=f"Bearer {token}")
            case "learner bearer":
                return anonymous_client(HTTP_AUTHORIZATION=f"Bearer {bearer_for(learner)}")
            case "learner JWT":
                return anonymous_client(HTTP_AUTHORIZATION=f"JWT {jwt_for(learner)}")
            case "staff bearer":
                return anonymous_client(HTTP_AUTHORIZATION=f"Bearer {bearer_for(staff)}")
            case "staff JWT":
                return anonymous_client(HTTP_AUTHORIZATION=f"JWT {jwt_for(staff)}")
        raise AssertionError(caller)  # pragma: no cover - a typo in the table

    return make


def _snapshot() -> dict:
    """Everything a refused call must leave as it was."""
    return {
        "users": sorted(User.objects.values_list("username", "is_active")),
        "profiles": Profile.objects.count(),
        "codes": sorted(EnrollmentCode.objects.values_list("code", "status", "redeemed_by_id")),
        "enrollments": sorted(Enrollment.objects.values_list("user_id", "course_run_id", "is_active")),
        "history": EnrollmentHistory.objects.count(),
        "allowed": sorted(EnrollmentAllowed.objects.values_list("email", "course_run_id")),
    }


def _with_code(endpoint: Endpoint, code: str) -> Endpoint:
    if not isinstance(endpoint.body, dict):
        return endpoint
    return replace(endpoint, body={key: (code if value == CODE else value) for key, value in endpoint.body.items()})


@pytest.mark.parametrize(("endpoint", "caller", "expected"), matrix(ENDPOINTS, CALLERS))
def test_permission_matrix(endpoint, caller, expected, clients, world):
    client = clients(caller)
    before = _snapshot()

    response = send(client, _with_code(endpoint, world["code"]))

    check(response, expected)
    if response.streaming:  # read it to the end, as a client does; this closes its database cursor
        assert b"".join(response.streaming_content).startswith(b"[")
    if expected.status >= 400:  # a refused call changes nothing
        assert _snapshot() == before
