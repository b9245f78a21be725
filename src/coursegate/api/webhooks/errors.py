"""Domain exception -> webhooks API answer, in one table (issue 14 §3).

A subscription that breaks the rules is a 400 in DRF's field shape, ``{field: [message, ...]}``,
like the serializers' own errors; an unknown (or malformed) subscription uuid is the shared 404
``{"detail": "Not found."}`` (core/errors.py).
"""

from __future__ import annotations

from rest_framework.response import Response

from coursegate.core.errors import ErrorTable
from coursegate.webhooks.exceptions import SubscriptionInvalidError


def invalid_subscription(exc: Exception) -> Response:
    assert isinstance(exc, SubscriptionInvalidError)
    return Response(exc.problems, status=400)


ERRORS: ErrorTable = {SubscriptionInvalidError: invalid_subscription}
