"""POST /appsembler_api/v0/accounts/create and GET accounts/get-user/<username> (seed 001 "User
endpoints"; reference §2.2, §2.6; ARCHITECTURE.md: create answers ``{"user_id": id, "user_id ": id}``,
get-user answers ``{"id", "user_id", "user_id "}``)."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from coursegate.accounts.models import Profile, User
from coursegate.enrollments.models import Enrollment, EnrollmentAllowed, EnrollmentHistory, Source
from coursegate.enrollments.services import enrollment_allowed_upsert

A = "/appsembler_api/v0"
CREATE = f"{A}/accounts/create"
WRONG_PARAMETERS = "Wrong parameters on user creation"
EXISTS = {"user_message": "User already exists"}
REQUIRED = ["This field is required."]

# The seed's example call, verbatim.
SEED_BODY = {"username": "staff55", "password": "edx", "email": "staff55@example.com", "name": "stafftest"}


def _post(client, body, encoding: str = "json"):
    if encoding == "json":
        return client.post(CREATE, body, format="json")
    if encoding == "form-urlencoded":
        return client.post(CREATE, urlencode(body), content_type="application/x-www-form-urlencoded")
    if encoding == "multipart":
        return client.post(CREATE, body, format="multipart")
    raise AssertionError(encoding)


def _usernames() -> list[str]:
    return sorted(User.objects.values_list("username", flat=True))


# --- create: success -----------------------------------------------------------------------------


def test_the_seed_example_creates_an_active_user_and_answers_both_user_id_keys(staff_client):
    response = _post(staff_client, SEED_BODY)

    assert response.status_code == 200, response.content
    user = User.objects.get(username="staff55")
    assert response.json() == {"user_id": user.pk, "user_id ": user.pk}
    assert isinstance(response.json()["user_id "], int)
    assert user.email == "staff55@example.com"
    assert user.is_active is True
    assert user.is_staff is False
    assert user.check_password("edx") is True
    assert user.password != "edx"  # stored hashed
    assert Profile.objects.get(user=user).name == "stafftest"


@pytest.mark.parametrize("encoding", ["json", "form-urlencoded", "multipart"])
def test_account_creation_accepts_every_body_encoding(encoding, staff_client):
    response = _post(staff_client, SEED_BODY, encoding)

    assert response.status_code == 200, response.content
    user = User.objects.get(username="staff55")
    assert response.json() == {"user_id": user.pk, "user_id ": user.pk}
    assert user.check_password("edx")
    assert user.profile.name == "stafftest"


def test_account_creation_enrolls_the_new_user_where_an_allowed_enrollment_is_pending(staff_client, make_run):
    run = make_run("course-v1:edX+DemoX+Demo_Course", modes=("audit",))
    other = make_run("course-v1:Appsembler+APP101+1Q2016", modes=("audit",))
    enrollment_allowed_upsert(email="Staff55@Example.com", course_run=run, auto_enroll=True)
    enrollment_allowed_upsert(email="staff55@example.com", course_run=other, auto_enroll=False)

    response = _post(staff_client, SEED_BODY)

    assert response.status_code == 200, response.content
    user = User.objects.get(username="staff55")
    assert list(Enrollment.objects.filter(user=user).values_list("course_run__key", "mode", "is_active")) == [
        ("course-v1:edX+DemoX+Demo_Course", "audit", True)
    ]
    assert list(EnrollmentHistory.objects.filter(enrollment__user=user).values_list("source", "is_active")) == [
        (Source.ALLOWED, True)
    ]
    # Both invitations are taken up by the new account, the one without auto_enroll too.
    assert sorted(EnrollmentAllowed.objects.filter(user=user).values_list("course_run__key", flat=True)) == [
        "course-v1:Appsembler+APP101+1Q2016",
        "course-v1:edX+DemoX+Demo_Course",
    ]


# --- create: wrong parameters ---------------------------------------------------------------------


@pytest.mark.parametrize("field", ["username", "password", "email", "name"])
def test_each_missing_field_is_a_400_naming_that_field(field, staff_client):
    body = {key: value for key, value in SEED_BODY.items() if key != field}
    before = _usernames()

    response = _post(staff_client, body)

    assert response.status_code == 400
    assert response.json() == {"user_message": WRONG_PARAMETERS, "field_errors": {field: REQUIRED}}
    assert _usernames() == before


@pytest.mark.parametrize("field", ["username", "password", "email", "name"])
def test_each_blank_field_is_a_400_naming_that_field(field, staff_client):
    response = _post(staff_client, {**SEED_BODY, field: "   "})

    assert response.status_code == 400
    assert response.json() == {"user_message": WRONG_PARAMETERS, "field_errors": {field: REQUIRED}}
    assert not User.objects.filter(email__iexact="staff55@example.com").exists()


# (case, changed fields, field named in field_errors)
INVALID_VALUES = [
    ("e-mail without a domain", {"email": "staff55@"}, "email"),
    ("e-mail of percent signs", {"email": "%%%%%%%"}, "email"),
    ("e-mail without an at sign", {"email": "staff55.example.com"}, "email"),
    ("username of percent signs", {"username": "%%%%"}, "username"),
    ("username with a space", {"username": "staff 55"}, "username"),
    ("username with a slash", {"username": "staff/55"}, "username"),
    ("username longer than 150 characters", {"username": "u" * 151}, "username"),
    ("password longer than 75 characters", {"password": "p" * 76}, "password"),
    ("password shorter than 2 characters", {"password": "x"}, "password"),
]


@pytest.mark.parametrize(("case", "changes", "field"), INVALID_VALUES, ids=[c[0] for c in INVALID_VALUES])
def test_an_invalid_value_is_a_400_wrong_parameters_naming_the_field(case, changes, field, staff_client):
    before = _usernames()

    response = _post(staff_client, {**SEED_BODY, **changes})

    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"user_message", "field_errors"}
    assert body["user_message"] == WRONG_PARAMETERS
    assert list(body["field_errors"]) == [field]
    assert isinstance(body["field_errors"][field], list)
    assert body["field_errors"][field]
    assert all(isinstance(message, str) and message for message in body["field_errors"][field])
    assert _usernames() == before
    assert Profile.objects.count() == len(before)


def test_an_empty_body_is_a_400_naming_every_field(staff_client):
    response = _post(staff_client, {})

    assert response.status_code == 400
    assert response.json() == {
        "user_message": WRONG_PARAMETERS,
        "field_errors": {"username": REQUIRED, "password": REQUIRED, "email": REQUIRED, "name": REQUIRED},
    }


# --- create: already exists -------------------------------------------------------------------------


# (case, existing account (username, email), body changes)
DUPLICATES = [
    ("same username, new e-mail", ("staff55", "someone@example.com"), {}),
    ("new username, same e-mail", ("someone", "staff55@example.com"), {}),
    ("new username, same e-mail in another letter case", ("someone", "STAFF55@Example.COM"), {}),
    (
        "new username, e-mail differing only in case from the stored one",
        ("someone", "staff55@example.com"),
        {"email": "Staff55@EXAMPLE.com"},
    ),
    ("same username and same e-mail", ("staff55", "staff55@example.com"), {}),
]


@pytest.mark.parametrize(("case", "existing", "changes"), DUPLICATES, ids=[c[0] for c in DUPLICATES])
def test_a_taken_username_or_email_is_a_409_user_already_exists(case, existing, changes, staff_client, make_user):
    username, email = existing
    taken = make_user(username, email=email, password="old-password")
    before = sorted(User.objects.values_list("pk", "username", "email", "password"))

    response = _post(staff_client, {**SEED_BODY, **changes})

    assert response.status_code == 409
    assert response.json() == EXISTS
    assert sorted(User.objects.values_list("pk", "username", "email", "password")) == before
    taken.refresh_from_db()
    assert taken.check_password("old-password")


def test_creating_the_seed_account_twice_answers_409_the_second_time(staff_client):
    first = _post(staff_client, SEED_BODY)
    second = _post(staff_client, SEED_BODY)

    assert first.status_code == 200
    assert second.status_code == 409
    assert second.json() == EXISTS
    assert User.objects.filter(username="staff55").count() == 1


# --- get-user -----------------------------------------------------------------------------------------


def test_get_user_answers_the_id_and_the_username_under_both_user_id_keys(staff_client, make_user):
    user = make_user("staff55")

    response = staff_client.get(f"{A}/accounts/get-user/staff55")

    assert response.status_code == 200
    assert response.json() == {"id": user.pk, "user_id": "staff55", "user_id ": "staff55"}


def test_get_user_finds_an_account_made_through_accounts_create(staff_client):
    created = _post(staff_client, SEED_BODY).json()["user_id"]

    response = staff_client.get(f"{A}/accounts/get-user/staff55")

    assert response.status_code == 200
    assert response.json() == {"id": created, "user_id": "staff55", "user_id ": "staff55"}


@pytest.mark.parametrize(
    "username", ["first.last", "first+tag", "first-last", "a.b+c-d_e", "under_score", "x", "Mixed.Case-9"]
)
def test_get_user_accepts_usernames_with_dots_pluses_and_dashes(username, staff_client, make_user):
    user = make_user(username, email=f"u{len(username)}{username.lower()}@example.com")

    response = staff_client.get(f"{A}/accounts/get-user/{username}")

    assert response.status_code == 200
    assert response.json() == {"id": user.pk, "user_id": username, "user_id ": username}


@pytest.mark.parametrize(
    "username",
    ["doesnotexist", "staff5", "staff555"],
    ids=["unknown", "a prefix of an existing one", "an extension of an existing one"],
)
def test_get_user_of_an_unknown_username_is_a_404(username, staff_client, make_user):
    make_user("staff55")

    response = staff_client.get(f"{A}/accounts/get-user/{username}")

    assert response.status_code == 404


@pytest.mark.parametrize(
    ("field", "value"),
    [("name", "n" * 256), ("email", f"{'a' * 64}@{'b' * 63}.{'c' * 63}.{'d' * 63}.org")],
    ids=["name-over-255", "email-over-254"],
)
def test_an_overlong_value_is_a_400_not_a_database_error(field, value, staff_client):
    body = {"username": "longvalue", "password": "edx", "email": "longvalue@example.com", "name": "Long", field: value}

    response = _post(staff_client, body)

    assert response.status_code == 400
    assert list(response.json()["field_errors"]) == [field]
    assert not User.objects.filter(username="longvalue").exists()


# --- create: how the body is read (as the reference reads it, request.data.get) ----------------------


@pytest.mark.parametrize("body", [[SEED_BODY], "staff55", 55], ids=["a JSON list", "a JSON string", "a JSON number"])
def test_a_body_that_is_no_json_object_has_no_fields(body, staff_client):
    response = staff_client.post(CREATE, body, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "user_message": WRONG_PARAMETERS,
        "field_errors": {"username": REQUIRED, "password": REQUIRED, "email": REQUIRED, "name": REQUIRED},
    }
    assert not User.objects.filter(username="staff55").exists()


def test_a_value_that_is_no_string_counts_as_missing(staff_client):
    body = {"username": 55, "password": None, "email": ["staff55@example.com"], "name": {"first": "staff"}}

    response = _post(staff_client, body)

    assert response.status_code == 400
    assert response.json() == {
        "user_message": WRONG_PARAMETERS,
        "field_errors": {"username": REQUIRED, "password": REQUIRED, "email": REQUIRED, "name": REQUIRED},
    }


def test_missing_fields_are_answered_alone_before_the_other_fields_are_checked(staff_client):
    response = _post(staff_client, {"username": "u" * 151, "password": "x", "email": "staff55@", "name": "   "})

    assert response.status_code == 400
    assert response.json() == {"user_message": WRONG_PARAMETERS, "field_errors": {"name": REQUIRED}}


def test_every_bad_field_is_named_at_once_in_one_answer(staff_client):
    body = {"username": "%" * 151, "password": "x", "email": "staff55@", "name": "n" * 256}

    response = _post(staff_client, body)

    assert response.status_code == 400
    assert response.json() == {
        "user_message": WRONG_PARAMETERS,
        "field_errors": {
            "username": [
                "Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters.",
                "Ensure this field has no more than 150 characters.",
            ],
            "email": ["Enter a valid email address."],
            "name": ["Ensure this field has no more than 255 characters."],
            "password": ["This password is too short. It must contain at least 2 characters."],
        },
    }
    assert list(response.json()["field_errors"]) == ["username", "email", "name", "password"]


def test_the_password_is_kept_as_sent_and_the_other_fields_are_stripped(staff_client):
    response = _post(
        staff_client, {"username": " staff55 ", "password": " e d x ", "email": " staff55@example.com ", "name": " T "}
    )

    assert response.status_code == 200
    user = User.objects.get(pk=response.json()["user_id"])
    assert (user.username, user.email, user.profile.name) == ("staff55", "staff55@example.com", "T")
    assert user.check_password(" e d x ")
    assert not user.check_password("e d x")


def test_get_user_of_an_unknown_username_answers_the_contract_body(staff_client):
    response = staff_client.get(f"{A}/accounts/get-user/nobody")

    assert response.status_code == 404
    assert response.json() == {"user_message": "User does not exist"}
