"""Registration: a new account, and the enrollments its e-mail address was invited to.

``accounts.services.user_create`` makes the account alone (accounts sits below enrollments and
imports nothing of it); a caller that registers a learner, as Appsembler's ``accounts/create``
does, calls ``user_register``, which also takes up the pending allowed-enrollments for the
address (linked to the account; enrolled where ``auto_enroll``), in the same transaction.
"""

from __future__ import annotations

from django.db import transaction

from coursegate.accounts.models import User
from coursegate.accounts.services import user_create
from coursegate.enrollments.services import enrollments_allowed_apply


@transaction.atomic
def user_register(
    *,
    username: str,
    email: str,
    password: str | None,
    name: str = "",
    country: str = "",
    is_staff: bool = False,
    is_superuser: bool = False,
    validate_password: bool = True,
) -> User:
    """Create the account (``user_create``) and apply its e-mail's pending allowed-enrollments
    (``enrollments_allowed_apply``), all or nothing.

    Raises what ``user_create`` raises (AccountInvalidError, AccountExistsError); an auto-enrollment
    the run refuses (closed, full) is logged by ``enrollments_allowed_apply`` and does not fail the
    registration.
    """
    user = user_create(
        username=username,
        email=email,
        password=password,
        name=name,
        country=country,
        is_staff=is_staff,
        is_superuser=is_superuser,
        validate_password=validate_password,
    )
    enrollments_allowed_apply(user=user)
    return user
