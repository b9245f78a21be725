"""GET /api/enrollment/v1/enrollments — the newest reference's filters (issue 12 "Parity";
reference/edx_appsembler.md §1.7, §6 case 31): ``course_ids`` (comma list, each matching the
course run ids that contain it, in any case), and ``username`` values validated as account names;
every bad field reported together in one ``field_errors`` body. Staff only.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

import pytest
from rest_framework.test import APIClient

from tests.api.edx_enrollment.support import E
from tests.kit.permissions import FORBIDDEN, INVALID_TOKEN, NOT_PROVIDED, bad_token_client, check

USERNAME_INVALID = "Usernames can only contain letters, numerals, and @/./+/-/_ characters."
R1 = "course-v1:Org+Num+Run1"
R2 = "course-v1:Org+Num+Run2"
OTHER = "course-v1:Else+Num+Run"
LEGACY = "Org/Legacy/Run"


@pytest.fixture
def population(learner, other_learner, make_user, make_run, enroll):
    """honor: R1, R2, LEGACY; audit: R2, OTHER (inactive); john.doe: R1."""
    runs = {key: make_run(key) for key in (R1, R2, OTHER, LEGACY)}
    dotted = make_user("john.doe")
    for user, key, active in [
        (learner, R1, True), (learner, R2, True), (learner, LEGACY, True),
        (other_learner, R2, True), (other_learner, OTHER, False), (dotted, R1, True),
    ]:  # fmt: skip
        enroll(user, runs[key], is_active=active)
    return runs


def listed(client, query: str) -> set[tuple[str, str]]:
    response = client.get(f"{E}/enrollments?{query}")
    assert response.status_code == 200, response.content
    return {(item["user"], item["course_id"]) for item in response.json()["results"]}


# --- course_ids ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("course_ids", "expected"),
    [
        (R1, {("honor", R1), ("john.doe", R1)}),
        (R1.upper(), {("honor", R1), ("john.doe", R1)}),
        (f"{R1},{OTHER}", {("honor", R1), ("john.doe", R1), ("audit", OTHER)}),
        ("course-v1:org+num", {("honor", R1), ("john.doe", R1), ("honor", R2), ("audit", R2)}),
        ("org/legacy/run", {("honor", LEGACY)}),
        (f" {R2} ,", {("honor", R2), ("audit", R2)}),
        ("course-v1:Nobody+Num+Run", set()),
    ],
    ids=["one run", "other case", "two ids", "a course id without its run", "legacy", "spaces and blanks", "none"],
)
def test_course_ids_match_each_id_case_insensitively(client_for, staff, population, course_ids, expected):
    assert listed(client_for(staff), urlencode({"course_ids": course_ids})) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (urlencode({"course_ids": f"{R1},{R2}", "username": "honor"}), {("honor", R1), ("honor", R2)}),
        (urlencode({"course_ids": f"{R1},{R2}", "course_id": R2}), {("honor", R2), ("audit", R2)}),
        (urlencode({"course_ids": R2, "email": "AUDIT@example.com"}), {("audit", R2)}),
        (urlencode({"course_ids": R1, "username": "audit"}), set()),
    ],
    ids=["with username", "with course_id", "with email", "disjoint"],
)
def test_course_ids_combine_with_the_other_filters(client_for, staff, population, query, expected):
    assert listed(client_for(staff), query) == expected


def test_course_ids_with_a_plus_sign_left_unencoded_reads_it_as_a_space(client_for, staff, population):
    # A query string's "+" is a space: such an id matches nothing (as in the reference); encoded, it matches.
    assert listed(client_for(staff), f"course_ids={R1}") == set()
    assert listed(client_for(staff), f"course_ids={quote(R1)}") == {("honor", R1), ("john.doe", R1)}


def test_course_ids_filter_costs_no_extra_query(client_for, staff, population, django_assert_num_queries):
    client = client_for(staff)
    client.get(f"{E}/enrollments")  # the token's first use

    with django_assert_num_queries(2):  # authentication, then the page (the runs' match is a subquery)
        response = client.get(f"{E}/enrollments?{urlencode({'course_ids': f'{R1},{R2},{OTHER}'})}")

    assert len(response.json()["results"]) == 5


# --- username values -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("john.doe", {("john.doe", R1)}),
        ("honor, audit", {("honor", R1), ("honor", R2), ("honor", LEGACY), ("audit", R2), ("audit", OTHER)}),
        ("ünïcødé,a@b+c-d_e", set()),
    ],
    ids=["with a dot", "spaces around items", "unicode letters and @+-_"],
)
def test_usernames_as_accounts_are_named_are_accepted(client_for, staff, population, username, expected):
    assert listed(client_for(staff), urlencode({"username": username})) == expected


@pytest.mark.parametrize(
    "username",
    ["bad name", "honor,bad/name", "honor,", "honor,,audit", "honor;audit", "<script>", "a\u00a0b"],
    ids=["space inside", "slash", "trailing comma", "empty item", "semicolon", "markup", "no-break space"],
)
def test_an_invalid_username_is_a_400_with_field_errors(client_for, staff, population, username):
    response = client_for(staff).get(f"{E}/enrollments?{urlencode({'username': username})}")

    assert response.status_code == 400
    assert response.json() == {"field_errors": {"username": {"developer_message": USERNAME_INVALID}}}


def test_too_many_usernames_is_reported_before_their_form(client_for, staff, population):
    usernames = ",".join(["bad name"] * 101)

    response = client_for(staff).get(f"{E}/enrollments?{urlencode({'username': usernames})}")

    assert response.status_code == 400
    assert response.json()["field_errors"]["username"] == {
        "developer_message": "Too many usernames in a single request - 101. A maximum of 100 is allowed"
    }


def test_every_bad_field_is_reported_together(client_for, staff, population):
    query = urlencode(
        {
            "course_id": "1",
            "course_ids": ",".join(f"c{i}" for i in range(101)),
            "username": "honor,bad name",
            "email": ",".join(f"e{i}@example.com" for i in range(101)),
        }
    )

    response = client_for(staff).get(f"{E}/enrollments?{query}")

    assert response.status_code == 400
    assert response.json() == {
        "field_errors": {
            "course_id": {"developer_message": "'1' is not a valid course id."},
            "course_ids": {
                "developer_message": "Too many course_ids in a single request - 101. A maximum of 100 is allowed"
            },
            "username": {"developer_message": USERNAME_INVALID},
            "email": {"developer_message": "Too many emails in a single request - 101. A maximum of 100 is allowed"},
        }
    }


def test_one_hundred_course_ids_are_accepted(client_for, staff, population):
    course_ids = ",".join([R1] + [f"course-v1:X+Y+{i}" for i in range(99)])

    assert listed(client_for(staff), urlencode({"course_ids": course_ids})) == {("honor", R1), ("john.doe", R1)}


# --- who may list --------------------------------------------------------------------------------

FILTERED = f"{E}/enrollments?{urlencode({'course_ids': R1, 'username': 'honor'})}"
BAD = f"{E}/enrollments?{urlencode({'course_ids': R1, 'username': 'bad name'})}"


@pytest.mark.parametrize("path", [FILTERED, BAD], ids=["good filters", "bad filters"])
@pytest.mark.parametrize(
    ("caller", "expected"),
    [("anonymous", NOT_PROVIDED), ("bad token", INVALID_TOKEN), ("learner", FORBIDDEN), ("learner jwt", FORBIDDEN)],
)
def test_only_staff_may_list_and_filters_are_not_checked_before(
    client_for, learner, population, path, caller, expected
):
    # Permission first: a learner learns nothing from the filters, not even whether they are valid.
    client = {
        "anonymous": APIClient,
        "bad token": bad_token_client,
        "learner": lambda: client_for(learner),
        "learner jwt": lambda: client_for(learner, "jwt"),
    }[caller]()

    check(client.get(path), expected)


@pytest.mark.parametrize("kind", ["bearer", "jwt"])
def test_staff_may_list_with_either_token(client_for, staff, population, kind):
    assert listed(client_for(staff, kind), urlencode({"course_ids": R1, "username": "honor"})) == {("honor", R1)}


def test_a_staff_user_matching_the_filter_is_listed_like_anyone(client_for, staff, population, enroll):
    enroll(staff, population[R1])

    assert ("staff", R1) in listed(client_for(staff), urlencode({"course_ids": R1}))
