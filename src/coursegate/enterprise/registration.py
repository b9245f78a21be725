"""Registration of a learner who may already be expected by enterprise customers.

``enrollments.registration.user_register`` makes the account and takes up its e-mail's pending
allowed-enrollments; it sits below this app and cannot know about learner links. A caller that
registers learners (Appsembler's ``accounts/create``) calls ``user_register`` here instead, which
also lets the account take over the links made for its e-mail before it existed (a license
assigned or content allocated to the address), with their learner roles — all in one transaction
(reference/learner_side.md §2: an admin may assign before the learner registers).
"""

from __future__ import annotations

from django.db import transaction

from coursegate.accounts.models import User
from coursegate.enrollments import registration
from coursegate.enterprise.services import learner_links_claim


@transaction.atomic
def user_register(**fields) -> User:
    """``enrollments.registration.user_register(**fields)``, then ``learner_links_claim`` for the new
    account. Raises what the former raises."""
    user = registration.user_register(**fields)
    learner_links_claim(user=user)
    return user
