"""The base view of every API family.

A family's views derive from one base class of its own (``EdxApiView``, ``EnterpriseApiView``,
...), itself a ``FamilyApiView`` that names the family's error table (its ``errors.ERRORS``) and,
optionally, a fallback for DRF's own request errors (among them the parsers' ``ParseError``).
Views then hold no ``try``/``except`` and return no inline 4xx: they raise typed exceptions, and
the table answers them (STYLE.md §4). Request bodies are read by core/parsers.py.
"""

from __future__ import annotations

from typing import ClassVar

from rest_framework.views import APIView

from coursegate.core.errors import ErrorTable, Fallback, family_exception_handler
from coursegate.core.parsers import PARSERS


class FamilyApiView(APIView):
    # The server's one strict JSON parser and its form twins (core/parsers.py); a view relaxes
    # them only for a seed example that needs it, with a named subclass.
    parser_classes = PARSERS
    error_table: ClassVar[ErrorTable] = {}
    error_fallback: ClassVar[Fallback | None] = None

    _handlers: ClassVar[dict] = {}

    def get_exception_handler(self):
        cls = type(self)
        handler = FamilyApiView._handlers.get(cls)
        if handler is None:
            # Read through the class: a function stored as a class attribute comes back unbound.
            handler = FamilyApiView._handlers[cls] = family_exception_handler(cls.error_table, cls.error_fallback)
        return handler
