"""Outage answers: a database or broker that does not answer -> 503 with a JSON body and
``Retry-After`` (filled in by the issue-11 work; passes every request through until then)."""

from __future__ import annotations


class OutageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)
