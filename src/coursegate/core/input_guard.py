"""Input guard: a request whose path, query string or header values hold a NUL, a lone surrogate
or bytes (percent-escaped or not) that do not decode as UTF-8 is answered 400 before any view runs
(issue 11). Header values may hold non-UTF-8 bytes (HTTP's obs-text), never NUL.

PostgreSQL refuses NUL in text, and no encoder writes a lone surrogate: such a value, reaching a
lookup in any view, would be a 500. Bodies are the parsers' (core/parsers.py), which apply the same
rule and answer in each family's shape; the OAuth2 endpoints check their own form fields.

The answer is JSON: ``{"message": ...}`` under the Enrollment API (its 400 shape), ``{"detail": ...}``
everywhere else, the Enterprise API included (its XML negotiation is a view's; this runs before).

It runs on every request, so clean input costs a few string tests: ASCII without NUL or ``%``
needs no decoding.
"""

from __future__ import annotations

import codecs
import json
from urllib.parse import unquote_to_bytes

from django.http import JsonResponse
from django.utils.http import parse_header_parameters

from coursegate.core.parsers import text_problem

EDX_ENROLLMENT_PREFIX = "/api/enrollment/"


def _wire_bytes(value: str) -> bytes:
    """The bytes behind the query string: WSGI servers give each byte as one ISO-8859-1 character;
    only an in-process client can put other characters there (taken as UTF-8, surrogates kept)."""
    try:
        return value.encode("latin-1")
    except UnicodeEncodeError:
        return value.encode("utf-8", "surrogatepass")


def _path_problem(path: str) -> str | None:
    """The path as Django holds it: text, the server having decoded its percent-escapes and Django
    having written back as ``%XX`` the bytes that were not UTF-8. Views may decode ``%``-forms once
    more (course keys), so it is decoded again and must then be UTF-8 without NUL."""
    try:
        text = unquote_to_bytes(path.encode("utf-8", "surrogatepass")).decode("utf-8")
    except UnicodeDecodeError:
        return "bytes that are not UTF-8"
    return _text_problem(text)


def _encoded_problem(raw: bytes) -> str | None:
    """A query string or form body: percent-escapes (and ``+``) are decoded first."""
    if raw.isascii() and b"%" not in raw:
        return "a NUL character" if b"\x00" in raw else None
    try:
        text = unquote_to_bytes(raw.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        return "bytes or percent-escapes that do not decode as UTF-8"
    return _text_problem(text)


def _text_problem(text: str) -> str | None:
    problem = text_problem(text)
    if problem is None:
        return None
    return "a NUL character" if "\x00" in text else "a lone surrogate"


class InputGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        problem = self.problem(request)
        if problem is not None:
            return self.refuse(request, problem)
        return self.get_response(request)

    @staticmethod
    def problem(request) -> str | None:
        environ = request.META
        path = environ.get("PATH_INFO", "")
        if not path.isascii() or "\x00" in path or "%" in path:
            problem = _path_problem(path)
            if problem is not None:
                return f"The path holds {problem}."
        query = environ.get("QUERY_STRING", "")
        if query:
            problem = _encoded_problem(_wire_bytes(query))
            if problem is not None:
                return f"The query string holds {problem}."
        for key, value in environ.items():
            # Header bytes need not be UTF-8 (HTTP's obs-text); only NUL and surrogates are refused.
            if key.startswith("HTTP_") and isinstance(value, str) and (not value.isascii() or "\x00" in value):
                problem = _text_problem(value)
                if problem is not None:
                    name = key[5:].replace("_", "-").title()
                    return f"The {name} header holds {problem}."
        return None

    @staticmethod
    def refuse(request, problem: str) -> JsonResponse:
        key = "message" if request.path_info.startswith(EDX_ENROLLMENT_PREFIX) else "detail"
        return JsonResponse({key: problem}, status=400)


def _charset_problem(content_type: str) -> str | None:
    charset = parse_header_parameters(content_type)[1].get("charset")
    if charset is None:
        return None
    try:
        codecs.lookup(charset)
    except LookupError:
        return None  # Django ignores a charset it does not know
    try:
        "".encode(charset)
    except (LookupError, UnicodeError):
        return f"The Content-Type names {charset!r}, which is not a text encoding."
    return None


def guard_wsgi(application):
    """The WSGI application behind a guard for what breaks Django before any middleware runs: a
    Content-Type charset naming a codec that is not a text encoding (``bz2_codec``, ``hex_codec``)
    makes building the request raise ``LookupError`` (its query dict is decoded with that codec),
    which no middleware can answer. Such a request gets a 400 here."""

    def guarded(environ, start_response):
        content_type = environ.get("CONTENT_TYPE", "")
        problem = _charset_problem(content_type) if "charset" in content_type.lower() else None
        if problem is None:
            return application(environ, start_response)
        body = json.dumps({"detail": problem}).encode()
        start_response("400 Bad Request", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]

    return guarded
