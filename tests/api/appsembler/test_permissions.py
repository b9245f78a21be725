"""Who may call what: the authentication and permission matrix of every Appsembler endpoint and of
the two Jitterbit endpoints (the same analytics views on another path).

Seed 001 "Authentication", ARCHITECTURE.md "Authentication and authorization", issue 3: no
credentials -> 401 "Authentication credentials were not provided."; an unknown or badly signed
token, or the token of a deactivated user -> 401 "Invalid Token."; an authenticated non-staff
caller -> 403. A refused call changes nothing. The reference's IsStaffOrOwner rule (and the
anonymous ``?username=`` bypass it implies, reference §2.1) is not reproduced: staff only.
"""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from coursegate.accounts.models import Profile, User
from coursegate.codes.models import EnrollmentCode
from coursegate.codes.services import codes_generate
from coursegate.enrollments.models import Enrollment, EnrollmentAllowed, EnrollmentHistory
from tests.api.appsembler.conftest import DEMO_COURSE

A = "/appsembler_api/v0"
J = "/api/jitterbit/v1"

NOT_PROVIDED = {"detail": "Authentication credentials were not provided."}
INVALID_TOKEN = {"detail": "Invalid Token."}
FORBIDDEN = {"detail": "You do not have permission to perform this action."}

NEW_ACCOUNT = {"username": "staff55", "password": "edx", "email": "staff55@example.com", "name": "stafftest"}

# (name, method, path, body); ``{code}`` in a body is replaced by a stored, unused code of the run.
# Each body is one that *would* change something if it were accepted.
ENDPOINTS = [
    ("accounts/create", "post", f"{A}/accounts/create", NEW_ACCOUNT),
    ("accounts/get-user", "get", f"{A}/accounts/get-user/honor", None),
    (
        "enrollment-codes/generate",
        "post",
        f"{A}/enrollment-codes/generate",
        {"course_id": DEMO_COURSE, "total_registration_codes": "20"},
    ),
    (
        "enrollment-codes/enroll-user",
        "post",
        f"{A}/enrollment-codes/enroll-user",
        {"email": "honor@example.com", "enrollment_code": "{code}"},
    ),
    (
        "enrollment-codes/status",
        "post",
        f"{A}/enrollment-codes/status",
        {"enrollment_code": "{code}", "action": "cancel"},
    ),
    (
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
    ("analytics/accounts/batch", "get", f"{A}/analytics/accounts/batch", None),
    ("analytics/enrollment/batch", "get", f"{A}/analytics/enrollment/batch", None),
    ("jitterbit accounts/batch", "get", f"{J}/accounts/batch", None),
    ("jitterbit enrollment/batch", "get", f"{J}/enrollment/batch", None),
]
ENDPOINT_IDS = [name for name, *_ in ENDPOINTS]

# (case, expected status, expected body)
REFUSALS = [
    ("no Authorization header", 401, NOT_PROVIDED),
    ("Bearer with an unknown token", 401, INVALID_TOKEN),
    ("JWT that is not a JWT", 401, INVALID_TOKEN),
    ("Bearer token of a deactivated staff user", 401, INVALID_TOKEN),
    ("Bearer token of a learner (non-staff)", 403, FORBIDDEN),
    ("JWT of a learner (non-staff)", 403, FORBIDDEN),
]
REFUSAL_IDS = [case for case, *_ in REFUSALS]


@pytest.fixture
def world(demo_run, learner):
    """The demo run with one stored, unused code; the learner ``honor`` exists and is not enrolled."""
    [code] = codes_generate(course_run=demo_run, count=1)
    return {"run": demo_run, "code": code.code, "learner": learner}


def _body(body, code: str):
    if body is None:
        return None
    return {key: (code if value == "{code}" else value) for key, value in body.items()}


def _call(client, method: str, path: str, body):
    if method == "post":
        return client.post(path, body, format="json")
    return client.get(path)


def _client(case: str, *, learner, make_user, bearer_for, jwt_for) -> APIClient:
    client = APIClient()
    if case == "no Authorization header":
        return client
    if case == "Bearer with an unknown token":
        client.credentials(HTTP_AUTHORIZATION="Bearer cbf6a5de322cf6a4323c957a882xy1s321c954b86")
    elif case == "JWT that is not a JWT":
        client.credentials(HTTP_AUTHORIZATION="JWT not.a.jwt")
    elif case == "Bearer token of a deactivated staff user":
        former = make_user("former_staff", is_staff=True)
        token = bearer_for(former)
        User.objects.filter(pk=former.pk).update(is_active=False)
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    elif case == "Bearer token of a learner (non-staff)":
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {bearer_for(learner)}")
    elif case == "JWT of a learner (non-staff)":
        client.credentials(HTTP_AUTHORIZATION=f"JWT {jwt_for(learner)}")
    else:  # pragma: no cover - a typo in the table
        raise AssertionError(case)
    return client


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


@pytest.mark.parametrize(("case", "status", "expected"), REFUSALS, ids=REFUSAL_IDS)
@pytest.mark.parametrize(("name", "method", "path", "body"), ENDPOINTS, ids=ENDPOINT_IDS)
def test_refused_callers_get_the_contract_error_and_nothing_changes(
    name, method, path, body, case, status, expected, world, make_user, bearer_for, jwt_for
):
    client = _client(case, learner=world["learner"], make_user=make_user, bearer_for=bearer_for, jwt_for=jwt_for)
    before = _snapshot()

    response = _call(client, method, path, _body(body, world["code"]))

    assert response.status_code == status, response.content
    assert response.json() == expected
    assert _snapshot() == before


@pytest.mark.parametrize("kind", ["bearer", "jwt"])
@pytest.mark.parametrize(("name", "method", "path", "body"), ENDPOINTS, ids=ENDPOINT_IDS)
def test_staff_tokens_are_let_through_on_every_endpoint(name, method, path, body, kind, world, staff, client_for):
    response = _call(client_for(staff, kind), method, path, _body(body, world["code"]))

    assert response.status_code == 200, getattr(response, "content", b"<streamed>")
    if response.streaming:  # read it to the end, as a client does; this closes its database cursor
        assert b"".join(response.streaming_content).startswith(b"[")


# The reference's IsStaffOrOwner let a non-staff caller through when a ``username`` in the URL,
# query or body was its own (reference §2.1, test case 63). Issue 3: these APIs are staff only.
OWNER_CALLS = [
    ("get-user of one's own username", "get", f"{A}/accounts/get-user/honor", None),
    (
        "accounts/create with one's own username",
        "post",
        f"{A}/accounts/create",
        {"username": "honor", "password": "edx", "email": "honor2@example.com", "name": "Honor"},
    ),
    ("enrollment batch filtered on one's own username", "get", f"{A}/analytics/enrollment/batch?username=honor", None),
    ("accounts batch filtered on one's own username", "get", f"{A}/analytics/accounts/batch?username=honor", None),
    (
        "enroll-user with one's own username in the body",
        "post",
        f"{A}/enrollment-codes/enroll-user",
        {"username": "honor", "email": "honor@example.com", "enrollment_code": "{code}"},
    ),
]


@pytest.mark.parametrize(("name", "method", "path", "body"), OWNER_CALLS, ids=[c[0] for c in OWNER_CALLS])
def test_a_learner_naming_its_own_username_is_still_forbidden(name, method, path, body, world, client_for):
    client = client_for(world["learner"])
    before = _snapshot()

    response = _call(client, method, path, _body(body, world["code"]))

    assert response.status_code == 403
    assert response.json() == FORBIDDEN
    assert _snapshot() == before


# An anonymous user's username is "": the reference let ``?username=`` (empty) or a body
# ``{"username": ""}`` pass its owner check and list every account (reference §2.1).
ANONYMOUS_EMPTY_USERNAME = [
    ("accounts batch with ?username=", "get", f"{A}/analytics/accounts/batch?username=", None),
    ("enrollment batch with ?username=", "get", f"{A}/analytics/enrollment/batch?username=", None),
    ("jitterbit accounts batch with ?username=", "get", f"{J}/accounts/batch?username=", None),
    ("jitterbit enrollment batch with ?username=", "get", f"{J}/enrollment/batch?username=", None),
    ("accounts batch with ?username= in a POST body", "post", f"{A}/analytics/accounts/batch", {"username": ""}),
    ("accounts/create with an empty body username", "post", f"{A}/accounts/create", {**NEW_ACCOUNT, "username": ""}),
    (
        "bulk-enroll with an empty body username",
        "post",
        f"{A}/bulk-enrollment/bulk-enroll",
        {"username": "", "action": "enroll", "identifiers": "honor@example.com", "courses": DEMO_COURSE},
    ),
]


@pytest.mark.parametrize(
    ("name", "method", "path", "body"), ANONYMOUS_EMPTY_USERNAME, ids=[c[0] for c in ANONYMOUS_EMPTY_USERNAME]
)
def test_an_anonymous_request_with_an_empty_username_does_not_get_in(name, method, path, body, world):
    before = _snapshot()

    response = _call(APIClient(), method, path, _body(body, world["code"]))

    assert response.status_code == 401
    assert response.json() == NOT_PROVIDED
    assert b"honor@example.com" not in response.content
    assert _snapshot() == before
