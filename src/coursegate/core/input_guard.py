"""Input guard: NUL, lone surrogates and malformed percent-encoding in the path, query string and
headers -> 400 (filled in by the issue-11 work; passes every request through until then)."""

from __future__ import annotations


class InputGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)
