"""User.role_claims(): the roles core reads (JWT ``roles`` claim, opaque tokens' role checks),
one query, sorted claim strings."""

from __future__ import annotations

from coursegate.accounts.models import RoleAssignment
from coursegate.accounts.services import role_assign


def test_role_claims_are_the_assignments_as_sorted_claims_in_one_query(make_user, django_assert_num_queries):
    user, other = make_user("roles"), make_user("others")
    role_assign(user=user, role="enterprise_admin", context="904b1785-9d3a-1000-848d-6ae7a56e6355")
    role_assign(user=user, role="course_staff", context="course-v1:Org+Num+Run")
    role_assign(user=user, role="course_staff", context="*")
    role_assign(user=other, role="enterprise_admin", context="*")

    with django_assert_num_queries(1):
        claims = user.role_claims()

    assert claims == sorted(a.as_claim() for a in RoleAssignment.objects.filter(user=user))
    assert claims == [
        "course_staff:*",
        "course_staff:course-v1:Org+Num+Run",
        "enterprise_admin:904b1785-9d3a-1000-848d-6ae7a56e6355",
    ]


def test_a_user_without_roles_has_no_claims(make_user):
    assert make_user("plain").role_claims() == []
