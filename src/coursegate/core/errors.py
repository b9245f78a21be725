"""Error rendering shared by every API family.

Each family's ``errors.py`` declares one table, ``ERRORS``: domain exception class -> a rule that
returns that contract's response. The family's base view (``FamilyApiView``, core/api.py) answers
an exception with the first rule found along the exception's MRO in the family's table merged
over ``SHARED_ERRORS``, then the family's ``fallback`` (for DRF's own request errors), then DRF's
default handling (authentication errors keep DRF's ``{"detail": ...}`` bodies, which are the
seeds' bodies). Django's own 400/403/404/500 pages are JSON too; an outage (database, cache or
broker not answering) is 503 + Retry-After wherever it is raised (core/outage.py).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Mapping

from django.http import JsonResponse
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from coursegate.core.exceptions import NotFoundError
from coursegate.core.outage import outage_response

log = logging.getLogger(__name__)

ErrorRule = Callable[[Exception], Response]
ErrorTable = Mapping[type[Exception], ErrorRule]
Fallback = Callable[[Exception, dict], Response | None]

NOT_FOUND = {"detail": "Not found."}


def not_found(exc: Exception) -> Response:
    return Response(NOT_FOUND, status=404)


SHARED_ERRORS: ErrorTable = {NotFoundError: not_found}


def exception_handler(exc, context):
    """The project-wide default (settings.REST_FRAMEWORK): the shared table, then DRF's."""
    return family_exception_handler({})(exc, context)


def family_exception_handler(table: ErrorTable, fallback: Fallback | None = None):
    """An exception handler answering from ``table`` merged over ``SHARED_ERRORS`` (first class
    found along the exception's MRO), then ``fallback(exc, context)``, then DRF's default."""
    merged = {**SHARED_ERRORS, **table}

    def handle(exc, context):
        for cls in type(exc).__mro__:
            rule = merged.get(cls)
            if rule is not None:
                return rule(exc)
        if fallback is not None:
            response = fallback(exc, context)
            if response is not None:
                return response
        return drf_exception_handler(exc, context)

    return handle


def json_not_found(request, exception=None):
    return JsonResponse(NOT_FOUND, status=404)


def json_server_error(request):
    """handler500. Django calls it while handling the exception, so the exception is at hand: an
    outage raised outside a view (a middleware, authentication) is answered 503 here
    (core/outage.py); anything else is a real server fault, logged by Django with its traceback."""
    exc = sys.exception()
    response = outage_response(request, exc) if exc is not None else None
    return response or JsonResponse({"detail": "Internal server error."}, status=500)


def json_bad_request(request, exception=None):
    return JsonResponse({"detail": "Bad request."}, status=400)


def json_forbidden(request, exception=None):
    return JsonResponse({"detail": "You do not have permission to perform this action."}, status=403)
