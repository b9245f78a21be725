"""Error rendering shared by every API family.

Each family's ``errors.py`` has a table from domain exceptions to its contract's status and
body; ``family_exception_handler`` builds the DRF exception handler from such a table. Anything
not in the table falls through to DRF's handling (auth errors keep DRF's ``{"detail": ...}``
bodies, which are the seeds' bodies), and Django's 404/500 pages are JSON too.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.http import JsonResponse
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

log = logging.getLogger(__name__)

ErrorRule = Callable[[Exception], Response]


def exception_handler(exc, context):
    return drf_exception_handler(exc, context)


def family_exception_handler(table: dict[type[Exception], ErrorRule], fallback: Callable | None = None):
    """An exception handler that answers ``table[type(exc)](exc)`` for the first matching class
    (in the exception's MRO), then ``fallback(exc, context)``, then DRF's default."""

    def handle(exc, context):
        for cls in type(exc).__mro__:
            rule = table.get(cls)
            if rule is not None:
                return rule(exc)
        if fallback is not None:
            response = fallback(exc, context)
            if response is not None:
                return response
        return drf_exception_handler(exc, context)

    return handle


def json_not_found(request, exception=None):
    return JsonResponse({"detail": "Not found."}, status=404)


def json_server_error(request):
    return JsonResponse({"detail": "Internal server error."}, status=500)


def json_bad_request(request, exception=None):
    return JsonResponse({"detail": "Bad request."}, status=400)


def json_forbidden(request, exception=None):
    return JsonResponse({"detail": "You do not have permission to perform this action."}, status=403)
