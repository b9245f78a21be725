"""Renderers of the Enterprise family: XML by default (seed 003), JSON on request."""

from __future__ import annotations

import re

from rest_framework_xml.renderers import XMLRenderer

# XML 1.0 cannot hold these characters (an error message may echo them from a query string).
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class EnterpriseXMLRenderer(XMLRenderer):
    """``<root>`` with one element per key; list items are ``<list-item>``; null is an empty
    element; booleans ``True``/``False``. Documented in docs/enterprise-api.md."""

    format = "xml"

    def _to_xml(self, xml, data):
        # DRF keys the errors of a list's items by their index, an int; an element name is text.
        if isinstance(data, dict):
            data = {str(key): value for key, value in data.items()}
        elif isinstance(data, str):
            data = _NOT_XML.sub("\ufffd", data)
        super()._to_xml(xml, data)
