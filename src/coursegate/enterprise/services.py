"""Enterprise writes: customers, learner links, enterprise enrollments and their progress.

(Bulk license enrollment jobs are at the end of this module.)
"""

from __future__ import annotations

from django.db import transaction

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
