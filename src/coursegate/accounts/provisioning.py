"""Account changes made by ``coursegate import users`` (issue 13): new accounts go through
``enrollments.registration.user_register`` one by one (the rules, the profile, the e-mail's
invitations); the changes of existing accounts' e-mail and name are written here set-based."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction

from coursegate.accounts.models import Profile, User


@transaction.atomic
def users_details_update(*, changes: Sequence[tuple[User, str, str]]) -> int:
    """Set (user, e-mail, name) for each row: the caller has validated the e-mail and checked that no
    other account holds it. Four statements per 500 rows; returns the rows changed."""
    if not changes:
        return 0
    users = []
    for user, email, _ in changes:
        user.email = email
        users.append(user)
    User.objects.bulk_update(users, ["email"], batch_size=500)
    profiles = dict(Profile.objects.filter(user__in=users).values_list("user_id", "id"))
    Profile.objects.bulk_update(
        [Profile(id=profiles[user.pk], user_id=user.pk, name=name) for user, _, name in changes if user.pk in profiles],
        ["name"],
        batch_size=500,
    )
    Profile.objects.bulk_create([Profile(user=user, name=name) for user, _, name in changes if user.pk not in profiles])
    return len(changes)
