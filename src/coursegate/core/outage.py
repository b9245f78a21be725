"""Outage answers: a database, cache or broker that does not answer -> 503 with a JSON body and
``Retry-After``, never a generic 500.

Django turns an exception into a response at every layer of the middleware chain
(``convert_exception_to_response``), so an outage reaches us by two roads, and both answer with
``outage_response``:

- raised by a view (DRF views re-raise what their exception handler does not know), it reaches
  ``OutageMiddleware.process_exception``;
- raised by a middleware (sessions, authentication) or anything else Django runs around the view,
  it reaches ``handler500`` (``core/errors.json_server_error``).

A statement cancelled by ``statement_timeout`` or ``lock_timeout`` (settings "Database") is
answered the same way: the request ran out of its budget, the client should retry later.

A broken connection is not reused: Django's end-of-request check closes a connection that raised a
database error and no longer answers, so the next request connects again and the server recovers
by itself when the database is back. The cache (Redis, COURSEGATE_CACHE_URL) carries the rate
limits: when it does not answer, throttled endpoints answer 503 too rather than run unthrottled.

Every other 5xx is logged here once, inside the request's context, so the line carries its
request id (Django's own log line for a returned 5xx is written after the request id is gone).
"""

from __future__ import annotations

import logging
from functools import cache

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5

DETAILS = {
    "database": "The database is not answering. Retry in a few seconds.",
    "timeout": "The request ran out of time waiting for the database. Retry in a few seconds.",
    "cache": "The cache is not answering. Retry in a few seconds.",
    "broker": "The job queue is not answering. Retry in a few seconds.",
}


@cache
def _exception_classes() -> dict[str, tuple[type[BaseException], ...]]:
    """Exception classes by what they say is unavailable (drivers imported once, when installed)."""
    classes: dict[str, list[type[BaseException]]] = {
        "timeout": [],
        "database": [OperationalError, InterfaceError],
        "cache": [],
        "broker": [],
    }
    try:
        import psycopg
        from psycopg import errors

        classes["timeout"] += [errors.QueryCanceled, errors.LockNotAvailable]
        # Raw psycopg cursors (core/rows.py) raise the driver's own classes.
        classes["database"] += [psycopg.OperationalError, psycopg.InterfaceError]
    except ImportError:
        pass
    try:
        from redis import exceptions as redis_errors

        classes["cache"] += [redis_errors.ConnectionError, redis_errors.TimeoutError]
    except ImportError:
        pass
    try:
        from kombu import exceptions as kombu_errors

        classes["broker"].append(kombu_errors.OperationalError)
    except ImportError:
        pass
    return {name: tuple(found) for name, found in classes.items()}


def unavailable_service(exc: BaseException) -> str | None:
    """What ``exc`` says did not answer: "timeout" (a statement cancelled by its time budget),
    "database", "cache" or "broker"; None for any other exception."""
    classes = _exception_classes()
    chain = [exc, exc.__cause__] if exc.__cause__ is not None else [exc]
    # Django wraps the driver's QueryCanceled in its OperationalError: the cause says "timeout".
    if any(isinstance(item, classes["timeout"]) for item in chain):
        return "timeout"
    # Otherwise the outermost exception speaks: kombu wraps the redis client's errors, for one.
    for item in chain:
        for service in ("database", "cache", "broker"):
            if isinstance(item, classes[service]):
                return service
    return None


def outage_response(request, exc: BaseException) -> HttpResponse | None:
    """503 + Retry-After with a JSON ``{"detail": ...}`` when ``exc`` is an outage, else None."""
    service = unavailable_service(exc)
    if service is None:
        return None
    log.warning(
        "%s %s answered 503: %s unavailable (%s: %s)",
        request.method,
        request.path,
        service,
        type(exc).__name__,
        _one_line(exc),
    )
    response = JsonResponse({"detail": DETAILS[service]}, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    # Logged above, in one line: Django would log it again with a traceback.
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response


class OutageMiddleware:
    """Answers an outage raised by a view with 503 (``outage_response``) and logs any 5xx that
    nothing has logged yet, with the request id. Registered just inside RequestIdMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code >= 500 and not getattr(response, "_has_been_logged", False):
            log.error("%s %s answered %s", request.method, request.path, response.status_code)
            response._has_been_logged = True
        return response

    def process_exception(self, request, exception):
        return outage_response(request, exception)


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def database_label() -> str:
    """The default database as an operator knows it, without its password."""
    from django.db import connection

    params = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"the SQLite database {params['NAME']}"
    where = f"{params.get('HOST') or 'localhost'}:{params.get('PORT') or 5432}"
    return f"the {connection.display_name} database {params['NAME']!r} at {where}"


def database_problem(exc: BaseException) -> str | None:
    """One line for a database error that stops a command (``coursegate``, ``coursegate serve``):
    what failed and which variable to look at; None when ``exc`` is not that kind of error."""
    message = _one_line(exc)
    if "no such table" in message or type(exc.__cause__).__name__ == "UndefinedTable":
        return f"{database_label()} is not migrated ({message}); run `coursegate migrate` (DATABASE_URL)"
    service = unavailable_service(exc)
    if service == "timeout":
        return (
            f"{database_label()} cancelled a statement ({message}); "
            "see COURSEGATE_DB_STATEMENT_TIMEOUT_MS and COURSEGATE_DB_LOCK_TIMEOUT_MS"
        )
    if service == "database":
        return f"{database_label()} is unavailable ({message}); check DATABASE_URL and that the database is running"
    return None
