"""Enterprise writes: customers, learner links, enterprise enrollments and their progress.

A learner link that has an account and is active carries the role
``enterprise_learner:<customer uuid>`` (reference/learner_side.md §2, as edx-enterprise's
``assign_or_delete_enterprise_learner_role``): the link services write the role row with the link,
in the same transaction, so it is in every JWT minted afterwards and in every role check of a
token (roles are read from the role rows at each request). ``learner_unlink`` removes it.

Bulk license enrollment jobs are the ``enterprise_jobs`` app's (above this one and subscriptions).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models.functions import Lower

from coursegate.enterprise.learner_roles import learner_roles_grant, learner_roles_revoke
from coursegate.enterprise.models import EnterpriseCustomer, EnterpriseEnrollment, EnterpriseLearner


def customer_upsert(*, uuid, name: str, slug: str, contact_email: str = "") -> EnterpriseCustomer:
    customer, _ = EnterpriseCustomer.objects.update_or_create(
        uuid=uuid, defaults={"name": name, "slug": slug, "contact_email": contact_email}
    )
    return customer


@transaction.atomic(savepoint=False)
def learner_link(*, customer: EnterpriseCustomer, email: str, user=None) -> EnterpriseLearner:
    """Link an e-mail (and its account, when there is one) to a customer (idempotent); an active
    link with an account gives the account the customer's learner role."""
    learner, created = EnterpriseLearner.objects.get_or_create(
        customer=customer, email=email.strip().lower(), defaults={"user": user}
    )
    if not created and user is not None and learner.user_id != user.pk:
        learner.user = user
        learner.save(update_fields=["user"])
    if learner.user_id is not None and learner.active:
        learner_roles_grant(pairs=[(customer.pk, learner.user_id)])
    return learner


@transaction.atomic
def learner_unlink(*, customer: EnterpriseCustomer, email: str) -> bool:
    """End an e-mail's link to a customer: the link stays (its enterprise enrollments are history)
    but is inactive, and its account loses the customer's learner role. False when there was no
    active link."""
    learner = EnterpriseLearner.objects.filter(customer=customer, email=email.strip().lower()).first()
    if learner is None:
        return False
    was_active = learner.active
    if was_active:
        learner.active = False
        learner.save(update_fields=["active"])
    if learner.user_id is not None:
        learner_roles_revoke(pairs=[(customer.pk, learner.user_id)])
    return was_active


@transaction.atomic
def learner_links_claim(*, user) -> int:
    """A new account takes over the pending links of its e-mail address (links made by license
    assignment or allocation before the learner registered): they get the account, and the account
    gets the learner role of each of those customers whose link is active. A customer where the
    account is already linked under another e-mail keeps that link. Returns how many links were
    taken over. Three queries whatever the number of links."""
    email = (user.email or "").strip().lower()
    if not email:
        return 0
    taken = EnterpriseLearner.objects.filter(user=user).values_list("customer_id", flat=True)
    pending = EnterpriseLearner.objects.filter(email=email, user__isnull=True).exclude(customer_id__in=taken)
    claimed = list(pending.values_list("pk", "customer_id", "active"))
    if not claimed:
        return 0
    EnterpriseLearner.objects.filter(pk__in=[pk for pk, _, _ in claimed]).update(user=user)
    learner_roles_grant(pairs=[(customer_id, user.pk) for _, customer_id, active in claimed if active])
    return len(claimed)


@transaction.atomic
def enterprise_enrollment_record(
    *, customer, learner, enrollment, license_uuid=None, **progress
) -> EnterpriseEnrollment:
    """Record that ``enrollment`` was made under ``customer`` (idempotent); ``progress`` sets any of
    the progress fields (current_grade, letter_grade, has_passed, passed_date, last_activity_date,
    progress_status)."""
    record, _ = EnterpriseEnrollment.objects.update_or_create(
        enrollment=enrollment,
        defaults={"customer": customer, "learner": learner, "license_uuid": license_uuid, **progress},
    )
    return record


@transaction.atomic(savepoint=False)  # inside the caller's transaction: no savepoint round trips
def learners_link_bulk(*, customer: EnterpriseCustomer, emails) -> int:
    """``learner_link`` for many e-mails at once, set-based (license assignment links thousands):
    missing links are created with the account whose e-mail matches (case-insensitively), and
    existing links without an account get it; the accounts of the e-mails' active links get the
    customer's learner role. Never touches a link's ``active`` flag, as ``learner_link``. Returns
    how many e-mails had no link before. A constant number of queries per 1,000 e-mails."""
    emails = list(dict.fromkeys(e.strip().lower() for e in emails if e and e.strip()))
    new = 0
    for start in range(0, len(emails), 1000):
        chunk = emails[start : start + 1000]
        users = dict(
            get_user_model()
            .objects.exclude(email="")  # lets PostgreSQL use the partial index on lower(email)
            .annotate(email_lower=Lower("email"))
            .filter(email_lower__in=chunk)
            .values_list("email_lower", "pk")
        )
        existing = {
            email: (pk, user_id)
            for pk, email, user_id in EnterpriseLearner.objects.filter(customer=customer, email__in=chunk).values_list(
                "pk", "email", "user_id"
            )
        }
        fresh = [
            EnterpriseLearner(customer=customer, email=email, user_id=users.get(email))
            for email in chunk
            if email not in existing
        ]
        new += len(fresh)
        # ignore_conflicts: a concurrent link of the same e-mail, or an account already linked
        # under another e-mail (one link per customer and account), is left as it is.
        EnterpriseLearner.objects.bulk_create(fresh, ignore_conflicts=True)
        pending = {pk: users[email] for email, (pk, user_id) in existing.items() if user_id is None and email in users}
        if pending:
            taken = set(
                EnterpriseLearner.objects.filter(customer=customer, user_id__in=pending.values()).values_list(
                    "user_id", flat=True
                )
            )
            EnterpriseLearner.objects.bulk_update(
                [EnterpriseLearner(pk=pk, user_id=user_id) for pk, user_id in pending.items() if user_id not in taken],
                ["user"],
            )
        if users or any(user_id is not None for _, user_id in existing.values()):  # else no link has an account
            linked = EnterpriseLearner.objects.filter(
                customer=customer, email__in=chunk, user__isnull=False, active=True
            ).values_list("user_id", flat=True)
            learner_roles_grant(pairs=[(customer.pk, user_id) for user_id in linked])
    return new
