"""The base view of every API family.

A family's views derive from one base class of its own (``EdxApiView``, ``EnterpriseApiView``,
...), itself a ``FamilyApiView`` that names the family's error table (its ``errors.ERRORS``) and,
optionally, a fallback for DRF's own request errors (among them the parsers' ``ParseError``).
Views then hold no ``try``/``except`` and return no inline 4xx: they raise typed exceptions, and
the table answers them (STYLE.md §4). Request bodies are read by core/parsers.py.

Every request of every family also passes the one *write guard*, when an app has installed one
(``install_write_guard``; the idempotency app does, for ``Idempotency-Key``: docs/idempotency.md).
core only calls it, and knows nothing of what it does:
- ``guard.claim(request, view)`` after authentication, permissions and throttles, before the
  handler: returns a claim (or None: nothing to do), or raises. An ``Answered(response)`` sends
  that response instead of running the handler; any other exception is answered by the family's
  error table like the handler's own.
- ``guard.settle(claim, response)`` with the final response (rendered later, for a DRF Response).
- ``guard.abandon(claim)`` when no response comes (an exception left the view: a 500).
"""

from __future__ import annotations

from typing import Any, ClassVar, Protocol

from rest_framework.views import APIView

from coursegate.core.errors import ErrorTable, Fallback, family_exception_handler
from coursegate.core.parsers import PARSERS


class WriteGuard(Protocol):
    def claim(self, request, view) -> Any: ...

    def settle(self, claim: Any, response) -> None: ...

    def abandon(self, claim: Any) -> None: ...


class Answered(Exception):
    """Raised by a write guard's ``claim``: answer ``response`` and run nothing."""

    def __init__(self, response):
        super().__init__(response.status_code)
        self.response = response


_write_guard: WriteGuard | None = None


def install_write_guard(guard: WriteGuard | None) -> None:
    """Install the guard every FamilyApiView request passes (an AppConfig's ``ready``)."""
    global _write_guard
    _write_guard = guard


class FamilyApiView(APIView):
    # The server's one strict JSON parser and its form twins (core/parsers.py); a view relaxes
    # them only for a seed example that needs it, with a named subclass.
    parser_classes = PARSERS
    error_table: ClassVar[ErrorTable] = {}
    error_fallback: ClassVar[Fallback | None] = None

    _handlers: ClassVar[dict] = {}
    _write_claim: Any = None

    def get_exception_handler(self):
        cls = type(self)
        handler = FamilyApiView._handlers.get(cls)
        if handler is None:
            # Read through the class: a function stored as a class attribute comes back unbound.
            handler = FamilyApiView._handlers[cls] = family_exception_handler(cls.error_table, cls.error_fallback)
        return handler

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        except BaseException:
            claim, self._write_claim = self._write_claim, None
            if claim is not None and _write_guard is not None:
                _write_guard.abandon(claim)
            raise

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if _write_guard is not None:
            self._write_claim = _write_guard.claim(request, self)

    def handle_exception(self, exc):
        if isinstance(exc, Answered):
            return exc.response
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        claim, self._write_claim = self._write_claim, None
        if claim is not None and _write_guard is not None:
            _write_guard.settle(claim, response)
        return response
