"""Request middleware."""

from __future__ import annotations

import contextvars
import logging
import time
import uuid


class ServerTimingMiddleware:
    """Adds ``Server-Timing: app;dur=<ms>``: the time Django spent on the request, readable by
    browsers' dev tools and by the benchmarks (which want server time, not loopback time)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        if not response.streaming:
            response["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.2f}"
        return response


_REQUEST_ID_OK = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:")


class RequestIdMiddleware:
    """Gives every request an id: the caller's ``X-Request-ID`` when it is a sane token (1-128
    letters, digits, ``-_.:``), else a new random one. It is echoed in the response's
    ``X-Request-ID`` and available as ``request.request_id`` and, for log lines, through
    ``current_request_id()``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.META.get("HTTP_X_REQUEST_ID", "")
        if 0 < len(given) <= 128 and set(given) <= _REQUEST_ID_OK:
            request_id = given
        else:
            request_id = uuid.uuid4().hex
        request.request_id = request_id
        token = _current.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        response["X-Request-ID"] = request_id
        return response


_current: contextvars.ContextVar[str] = contextvars.ContextVar("coursegate_request_id", default="-")


def current_request_id() -> str:
    """The id of the request being served in this context, or ``-`` outside of one."""
    return _current.get()


class RequestIdLogFilter(logging.Filter):
    """Adds ``request_id`` to every log record (LOGGING's formatter prints it)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id()
        return True
