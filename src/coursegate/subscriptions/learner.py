"""The learner's side of licenses: its own licenses and their activation (reference/learner_side.md
§3.1, §3.2; license-manager's ``LicenseActivationView`` and ``LearnerLicensesViewSet``).

A learner is known by its account: its licenses are those assigned to its e-mail address
(case-insensitively) or bound to its account at activation. An activation key comes with the
assignment e-mail and is listed in the learner's own licenses.
"""

from __future__ import annotations

import uuid as uuid_lib
from collections.abc import Sequence
from datetime import datetime

from django.db import transaction
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from coursegate.catalogs.models import EnterpriseCatalog
from coursegate.enterprise.models import EnterpriseCustomer
from coursegate.enterprise.services import learners_link_bulk
from coursegate.feed import services as feed
from coursegate.feed.changes import license_change
from coursegate.outbox.services import Email, emails_enqueue
from coursegate.subscriptions.exceptions import ActivationKeyNotFoundError, LicenseRevokedError
from coursegate.subscriptions.models import License, SubscriptionPlan

# Orderings a learner may ask for (``-`` for descending), as the reference's ordering filter.
LEARNER_ORDERING_FIELDS = ("user_email", "status", "activation_date", "last_remind_date")

ACTIVATED_SUBJECT = "Your license to {plan} is active"
ACTIVATED_BODY = "Your license to {plan}, given by {customer}, is active until {expiration:%Y-%m-%d}.\n"


def _email_of(user) -> str:
    return (getattr(user, "email", "") or "").strip().lower()


def _own(user) -> Q | None:
    """Licenses of the caller: its e-mail's, or bound to its account; None when it has neither (a
    trusted issuer's caller)."""
    email, pk = _email_of(user), getattr(user, "pk", None)
    if not email and pk is None:
        return None
    own = Q(user_email=email) if email else Q()
    if pk is not None:
        own = own | Q(lms_user_id=pk) if email else Q(lms_user_id=pk)
    return own


def learner_license_get(*, user, activation_key: uuid_lib.UUID, now: datetime | None = None) -> License:
    """The license holding ``activation_key`` and assigned to ``user``'s e-mail, in a plan that is
    active and current now (revoked licenses included, so that activating one can be refused as
    such). ActivationKeyNotFoundError otherwise: an unknown key and another learner's key look
    alike (reference §3.1)."""
    email = _email_of(user)
    now = now or timezone.now()
    found = (
        License.objects.select_related("plan", "plan__customer")
        .filter(
            activation_key=activation_key,
            user_email=email,
            plan__is_active=True,
            plan__start_date__lte=now,
            plan__expiration_date__gte=now,
        )
        .first()
        if email
        else None
    )
    if found is None:
        raise ActivationKeyNotFoundError(activation_key)
    return found


def learner_license_activate(*, license: License, user) -> License:
    """Activate ``license`` (found by ``learner_license_get``) for ``user``: assigned -> activated,
    bound to the account, ``activation_date`` now; the learner is linked to the plan's customer
    (which gives the learner role) and gets the activation e-mail after commit. Activating an
    activated license again changes nothing and answers it as it is (same ``activation_date``).

    Under the plan's row lock, as assignment and revocation, so a concurrent revocation is seen
    with the state it really left. Raises LicenseRevokedError for a revoked license.
    """
    with transaction.atomic():
        list(SubscriptionPlan.objects.select_for_update().filter(pk=license.plan_id).values_list("pk", flat=True))
        row = License.objects.select_related("plan", "plan__customer").get(pk=license.pk)
        if row.status == License.Status.REVOKED:
            raise LicenseRevokedError()
        if row.status == License.Status.ACTIVATED:
            return row
        if row.status != License.Status.ASSIGNED or row.user_email != _email_of(user):
            raise ActivationKeyNotFoundError(license.activation_key)  # given back to the plan meanwhile
        row.status = License.Status.ACTIVATED
        row.lms_user = user
        row.activation_date = timezone.now()
        row.save(update_fields=["status", "lms_user", "activation_date"])
        learners_link_bulk(customer=row.plan.customer, emails=[row.user_email])
        context = {"plan": row.plan.title, "customer": row.plan.customer.name, "expiration": row.plan.expiration_date}
        emails_enqueue(
            [
                Email(
                    kind="license_activated",
                    to=[row.user_email],
                    subject=ACTIVATED_SUBJECT.format(**context),
                    body=ACTIVATED_BODY.format(**context),
                )
            ]
        )
        feed.append(
            [
                license_change(
                    feed.LICENSE_ACTIVATED, uuid=row.uuid, plan_uuid=row.plan_id, email=row.user_email,
                    state=row.status, at=row.activation_date, user=user.username, user_id=user.pk,
                )
            ]
        )  # fmt: skip
    return row


def learner_licenses(
    *,
    user,
    customer_uuid: uuid_lib.UUID,
    active_plans_only: bool = True,
    current_plans_only: bool = True,
    include_revoked: bool = False,
    search: str = "",
    ordering: Sequence[str] = (),
    now: datetime | None = None,
) -> QuerySet[License]:
    """The caller's licenses in the customer's plans (reference §3.2): by default only those of
    active, current plans and not revoked. ``search``: a case-insensitive part of the e-mail.
    ``ordering``: names of LEARNER_ORDERING_FIELDS, ``-`` for descending (others are ignored);
    default: status, then the plan expiring last first. Plans and customers come with the rows."""
    own = _own(user)
    if own is None:
        return License.objects.none()
    now = now or timezone.now()
    licenses = (
        License.objects.filter(own, plan__customer_id=customer_uuid)
        .exclude(status=License.Status.UNASSIGNED)
        .select_related("plan", "plan__customer")
    )
    if active_plans_only:
        licenses = licenses.filter(plan__is_active=True)
    if current_plans_only:
        licenses = licenses.filter(plan__start_date__lte=now, plan__expiration_date__gte=now)
    if not include_revoked:
        licenses = licenses.exclude(status=License.Status.REVOKED)
    if search:
        licenses = licenses.filter(user_email__icontains=search)
    chosen = [name for name in ordering if name.lstrip("-") in LEARNER_ORDERING_FIELDS]
    return licenses.order_by(*(chosen or ["status", "-plan__expiration_date"]), "uuid")


def customer_agreement(*, customer_uuid: uuid_lib.UUID) -> dict | None:
    """The customer's "agreement" as license-manager names it (reference §3.2 decision): Coursegate
    keeps no agreement, so only the customer's uuid and slug and its default catalog (its oldest)
    have values; None for an unknown customer. One query."""
    row = (
        EnterpriseCustomer.objects.filter(uuid=customer_uuid)
        .annotate(
            default_catalog=Subquery(
                EnterpriseCatalog.objects.filter(customer_id=OuterRef("uuid"))
                .order_by("created", "uuid")
                .values("uuid")[:1]
            )
        )
        .values_list("uuid", "slug", "default_catalog")
        .first()
    )
    if row is None:
        return None
    uuid, slug, catalog = row
    return {
        "uuid": None,
        "enterprise_customer_uuid": str(uuid),
        "enterprise_customer_slug": slug,
        "default_enterprise_catalog_uuid": str(catalog) if catalog else None,
        "disable_expiration_notifications": None,
        "net_days_until_expiration": None,
        "subscription_for_auto_applied_licenses": None,
        "available_subscription_catalogs": None,
    }
