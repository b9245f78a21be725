"""Enterprise reads: customers. The learner summary has its own module (learner_summary.py)."""

from __future__ import annotations

import uuid as uuid_lib

from coursegate.enterprise.exceptions import CustomerNotFoundError
from coursegate.enterprise.models import EnterpriseCustomer


def customer_get(*, uuid: object) -> EnterpriseCustomer:
    """The customer with that uuid (a UUID or its text). Raises CustomerNotFoundError when there is
    none, a malformed uuid included."""
    try:
        key = uuid if isinstance(uuid, uuid_lib.UUID) else uuid_lib.UUID(str(uuid))
    except ValueError:
        raise CustomerNotFoundError(uuid) from None
    customer = EnterpriseCustomer.objects.filter(uuid=key).first()
    if customer is None:
        raise CustomerNotFoundError(uuid)
    return customer
