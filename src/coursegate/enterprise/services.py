"""Enterprise writes: customers, learner links, enterprise enrollments and their progress.

Bulk license enrollment jobs are the ``enterprise_jobs`` app's (above this one and subscriptions).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models.functions import Lower

from coursegate.enterprise.models import EnterpriseCustomer, EnterpriseEnrollment, EnterpriseLearner


def customer_upsert(*, uuid, name: str, slug: str, contact_email: str = "") -> EnterpriseCustomer:
    customer, _ = EnterpriseCustomer.objects.update_or_create(
        uuid=uuid, defaults={"name": name, "slug": slug, "contact_email": contact_email}
    )
    return customer


def learner_link(*, customer: EnterpriseCustomer, email: str, user=None) -> EnterpriseLearner:
    """Link an e-mail (and its account, when there is one) to a customer (idempotent)."""
    learner, created = EnterpriseLearner.objects.get_or_create(
        customer=customer, email=email.strip().lower(), defaults={"user": user}
    )
    if not created and user is not None and learner.user_id != user.pk:
        learner.user = user
        learner.save(update_fields=["user"])
    return learner


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


def learners_link_bulk(*, customer: EnterpriseCustomer, emails) -> int:
    """``learner_link`` for many e-mails at once, set-based (license assignment links thousands):
    missing links are created with the account whose e-mail matches (case-insensitively), and
    existing links without an account get it. Never touches a link's ``active`` flag, as
    ``learner_link``. Returns how many e-mails had no link before. A constant number of queries per
    1,000 e-mails."""
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
    return new
