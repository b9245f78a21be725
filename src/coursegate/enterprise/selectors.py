"""Enterprise reads: customers. The learner summary has its own module (learner_summary.py)."""

from __future__ import annotations

from coursegate.core.uuids import uuid_or_none
from coursegate.enterprise.exceptions import CustomerNotFoundError
from coursegate.enterprise.models import EnterpriseCustomer


def customer_get(*, uuid: object) -> EnterpriseCustomer:
    """The customer with that uuid (a UUID or its text). Raises CustomerNotFoundError when there is
    none, a malformed uuid included."""
    key = uuid_or_none(uuid)
    customer = EnterpriseCustomer.objects.filter(uuid=key).first() if key is not None else None
    if customer is None:
        raise CustomerNotFoundError(uuid)
    return customer
