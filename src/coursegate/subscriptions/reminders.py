"""Reminders of licenses pending activation (reference/learner_side.md §4.4, §4.5; license-manager's
``LicenseAdminViewSet.remind`` and ``remind_all``): an admin nudges the learners whose license is
still ``assigned``.

Set-based whatever the number of licenses: under the plan's row lock (as every license change, so
the licenses read are the licenses updated), one SELECT of the pending licenses, one UPDATE of
their ``last_remind_date`` and one bulk insert of the reminder e-mails into the outbox (batches of
outbox.services.INSERT_BATCH rows), in one transaction: the e-mails leave after the commit, and a
refusal changes nothing and sends nothing. E-mails named by the admin travel as one JSON parameter
(enrollments/sql.json_set), so their number does not add statements either.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from coursegate.enrollments.sql import json_set
from coursegate.subscriptions.exceptions import LicenseRevokeInputError, NoPendingLicensesError
from coursegate.subscriptions.models import License, SubscriptionPlan
from coursegate.subscriptions.notifications import license_reminder_emails_enqueue
from coursegate.subscriptions.selectors import license_filter_q

log = logging.getLogger(__name__)


def licenses_remind(
    *,
    plan: SubscriptionPlan,
    user_emails: Sequence[str] | None = None,
    filters: list | None = None,
    greeting: str = "",
    closing: str = "",
    portal_url: str = "",
    actor=None,
) -> int:
    """Remind the learners of the plan's ``assigned`` licenses named by ``user_emails`` or matched by
    ``filters`` (exactly one of them; filter shapes: selectors.license_filter_q); returns how many
    were reminded.

    E-mails are compared case-insensitively; every one must hold an assigned license of the plan,
    else NoPendingLicensesError naming the first that does not (an activated or revoked license
    included) and nobody is reminded. Filters remind the assigned licenses among those they match,
    none being fine. Each reminded license gets ``last_remind_date`` = now and one e-mail with its
    activation link (``portal_url``: see notifications.activation_link) between ``greeting`` and
    ``closing``. Raises LicenseRevokeInputError (neither or both of e-mails and filters),
    LicenseFilterError, NoPendingLicensesError.
    """
    if (user_emails is None) == (filters is None):
        raise LicenseRevokeInputError("Either user_emails or filters must be provided, but not both.")
    if filters is not None:
        condition = license_filter_q(filters)
        return _remind(plan=plan, narrow=lambda pending: pending.filter(condition), greeting=greeting,
                       closing=closing, portal_url=portal_url, actor=actor)  # fmt: skip
    wanted: dict[str, str] = {}  # lower-cased -> as sent (the 404 names it as the admin wrote it)
    for email in user_emails or []:
        wanted.setdefault((email or "").strip().lower(), (email or "").strip())
    if not wanted:
        raise LicenseRevokeInputError("Either user_emails or filters must be provided, but not both.")

    def named(pending):
        return pending.filter(user_email__in=json_set(list(wanted)))

    def check(found: set[str]) -> None:
        missing = next((sent for email, sent in wanted.items() if email not in found), None)
        if missing is not None:
            raise NoPendingLicensesError(missing)

    return _remind(plan=plan, narrow=named, check=check, greeting=greeting, closing=closing, portal_url=portal_url,
                   actor=actor)  # fmt: skip


def licenses_remind_all(
    *, plan: SubscriptionPlan, greeting: str = "", closing: str = "", portal_url: str = "", actor=None
) -> int:
    """Remind every learner holding an ``assigned`` license of the plan (as licenses_remind);
    returns how many. NoPendingLicensesError when the plan has none, nothing changed."""

    def check(found: set[str]) -> None:
        if not found:
            raise NoPendingLicensesError()

    return _remind(plan=plan, narrow=lambda pending: pending, check=check, greeting=greeting, closing=closing,
                   portal_url=portal_url, actor=actor)  # fmt: skip


def _remind(*, plan, narrow, check=None, greeting: str, closing: str, portal_url: str, actor) -> int:
    """The common path: lock, read the pending licenses ``narrow`` keeps, ``check`` them (may raise),
    then one UPDATE and one bulk insert of the e-mails. Statements: lock, SELECT, UPDATE, INSERTs."""
    with transaction.atomic():
        plan = SubscriptionPlan.objects.select_for_update(of=("self",)).select_related("customer").get(pk=plan.pk)
        pending = narrow(License.objects.filter(plan=plan, status=License.Status.ASSIGNED))
        rows = list(pending.order_by("user_email").values_list("user_email", "activation_key"))
        if check is not None:
            check({email for email, _ in rows})
        if not rows:
            return 0
        pending.update(last_remind_date=timezone.now())
        license_reminder_emails_enqueue(
            reminders=rows, plan_title=plan.title, customer_name=plan.customer.name,
            customer_slug=plan.customer.slug, expiration=plan.expiration_date, portal_url=portal_url,
            greeting=greeting, closing=closing,
        )  # fmt: skip
    log.info("%s reminded %d learners of plan %s", actor or "system", len(rows), plan.uuid)
    return len(rows)
