"""Learner links made by imports (``coursegate import licenses``, issue 13): ``learners_link_bulk``
on PostgreSQL as three statements over the e-mails sent as one JSON parameter, whatever their
number (the ORM form builds a model object per e-mail, too slow at a million). Same rules as
``learners_link_bulk``: a missing link is created with the account whose e-mail matches
(case-insensitively); an existing link without an account gets it unless the account is already
linked to the customer; the accounts of the e-mails' active links get the customer's learner role.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from coursegate.enterprise.learner_roles import learner_roles_grant
from coursegate.enterprise.models import EnterpriseCustomer, EnterpriseLearner
from coursegate.enterprise.services import learners_link_bulk


def _columns(model, *names: str) -> list[str]:
    quote = connection.ops.quote_name
    return [quote(model._meta.get_field(name).column) for name in names]


@transaction.atomic(savepoint=False)
def learners_link_many(*, customer: EnterpriseCustomer, emails: Sequence[str]) -> None:
    """Link the e-mails (lower-cased by the caller) to ``customer``; see the module docstring."""
    if not emails:
        return
    if connection.vendor != "postgresql":
        learners_link_bulk(customer=customer, emails=emails)
        return
    quote = connection.ops.quote_name
    links, users = quote(EnterpriseLearner._meta.db_table), quote(get_user_model()._meta.db_table)
    l_customer, l_user, l_email, l_active, l_created = _columns(
        EnterpriseLearner, "customer", "user", "email", "active", "created"
    )
    u_id, u_email = _columns(get_user_model(), "id", "email")
    items = json.dumps(list(emails), separators=(",", ":"))
    account = f"LEFT JOIN {users} u ON lower(u.{u_email}) = s.email AND u.{u_email} <> ''"
    with connection.cursor() as cursor:
        # ON CONFLICT DO NOTHING: an e-mail already linked, or an account linked under another e-mail.
        cursor.execute(
            f"INSERT INTO {links} ({l_customer}, {l_user}, {l_email}, {l_active}, {l_created}) "
            f"SELECT %s, u.{u_id}, s.email, true, %s FROM json_array_elements_text(%s::json) AS s(email) {account} "
            "ON CONFLICT DO NOTHING",
            [customer.pk, timezone.now(), items],
        )
        # The accounts of these e-mails (a fresh import usually has none: then nothing else to do).
        cursor.execute(
            f"SELECT s.email, u.{u_id} FROM json_array_elements_text(%s::json) AS s(email) "
            f"JOIN {users} u ON lower(u.{u_email}) = s.email AND u.{u_email} <> ''",
            [items],
        )
        accounts = cursor.fetchall()
        if not accounts:
            return
        matched = json.dumps([[email, user_id] for email, user_id in accounts], separators=(",", ":"))
        cursor.execute(
            f"UPDATE {links} l SET {l_user} = (m.value ->> 1)::bigint FROM json_array_elements(%s::json) AS m "
            f"WHERE l.{l_customer} = %s AND l.{l_email} = m.value ->> 0 AND l.{l_user} IS NULL "
            f"AND NOT EXISTS (SELECT 1 FROM {links} o "
            f"WHERE o.{l_customer} = %s AND o.{l_user} = (m.value ->> 1)::bigint)",
            [matched, customer.pk, customer.pk],
        )
        cursor.execute(
            f"SELECT l.{l_user} FROM {links} l JOIN json_array_elements(%s::json) AS m ON l.{l_email} = m.value ->> 0 "
            f"WHERE l.{l_customer} = %s AND l.{l_user} IS NOT NULL AND l.{l_active}",
            [matched, customer.pk],
        )
        linked = [row[0] for row in cursor.fetchall()]
    if linked:
        learner_roles_grant(pairs=[(customer.pk, user_id) for user_id in linked])
