"""Request body parser of the Apprenticeship Events API."""

from __future__ import annotations

import decimal

from coursegate.core.parsers import StrictJSONParser


class ExactJSONParser(StrictJSONParser):
    """The server's strict JSON (core/parsers.py), with numbers kept exact: costs are decimals."""

    parse_float = decimal.Decimal
