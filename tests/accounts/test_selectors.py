"""Account reads."""

from __future__ import annotations

import pytest

from coursegate.accounts.exceptions import UserNotFoundError
from coursegate.accounts.selectors import (
    roles_for_user,
    user_get_by_email,
    user_get_by_username,
    user_require_by_username,
)
from coursegate.accounts.services import role_assign

pytestmark = pytest.mark.django_db


def test_roles_for_user_returns_sorted_claim_strings(learner, other_learner):
    role_assign(user=learner, role="enterprise_learner", context="uuid-b")
    role_assign(user=learner, role="StoreApprenticeshipEvent")
    role_assign(user=learner, role="enterprise_admin", context="uuid-a")
    role_assign(user=learner, role="enterprise_openedx_operator", context="*")
    role_assign(user=other_learner, role="ReadApprenticeshipEvent")

    assert roles_for_user(learner.pk) == [
        "StoreApprenticeshipEvent",
        "enterprise_admin:uuid-a",
        "enterprise_learner:uuid-b",
        "enterprise_openedx_operator:*",
    ]


def test_roles_for_user_without_roles_is_empty(learner):
    assert roles_for_user(learner.pk) == []


def test_user_get_by_email_ignores_case(learner):
    assert user_get_by_email("HONOR@Example.com") == learner
    assert user_get_by_email("nobody@example.com") is None


def test_user_get_by_username_matches_exactly(learner):
    assert user_get_by_username("honor") == learner
    assert user_get_by_username("nobody") is None


def test_user_require_by_username_returns_the_user_or_raises_not_found(learner):
    assert user_require_by_username("honor") == learner
    with pytest.raises(UserNotFoundError) as excinfo:
        user_require_by_username("HONOR")
    assert excinfo.value.key == "HONOR"
