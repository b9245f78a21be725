"""Domain exception -> Apprenticeship Events API answer, in one table (seed 004_2ed8256fba468e57.txt;
reference/events_and_clients.md Part 1).

Bad bodies and query strings are answered by the input serializers (400 with ``{field: [message]}``,
or one such map per event of a bulk request); authentication and permission failures keep DRF's
``{"detail": ...}`` bodies.
"""

from __future__ import annotations

from rest_framework.response import Response

from coursegate.api.apprenticeship_events.serializers import NON_FIELD, EventBulkInput
from coursegate.core.errors import ErrorTable
from coursegate.events.exceptions import EventBatchTooLargeError


def _batch_too_large(exc: EventBatchTooLargeError) -> Response:
    # The same answer as EventBulkInput's, which refuses such a batch before reading it.
    message = EventBulkInput.default_error_messages["max_length"].format(max_length=exc.limit)
    return Response({NON_FIELD: [message]}, status=400)


ERRORS: ErrorTable = {EventBatchTooLargeError: _batch_too_large}
