"""Renderers of the Enterprise family: XML by default (seed 003), JSON on request."""

from __future__ import annotations

from rest_framework_xml.renderers import XMLRenderer


class EnterpriseXMLRenderer(XMLRenderer):
    """``<root>`` with one element per key; list items are ``<list-item>``; null is an empty
    element; booleans ``True``/``False``. Documented in docs/enterprise-api.md."""

    format = "xml"
