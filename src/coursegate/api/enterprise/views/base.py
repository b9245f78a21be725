"""The base view of the Enterprise family (seed 003_daa74488a5860cfd.txt; reference/enterprise.md).

Rendering: XML by default, as the seed says; JSON on ``Accept: application/json`` or
``?format=json``; ``Accept: application/xml`` or ``?format=xml`` gives XML. Error bodies follow
the same negotiation (ARCHITECTURE.md). Errors: the family's one table, errors.ERRORS.
"""

from __future__ import annotations

from rest_framework.permissions import IsAuthenticated

from coursegate.api.enterprise.errors import ERRORS
from coursegate.api.enterprise.renderers import EnterpriseXMLRenderer
from coursegate.core.api import FamilyApiView
from coursegate.core.renderers import FastJSONRenderer


class EnterpriseApiView(FamilyApiView):
    renderer_classes = [EnterpriseXMLRenderer, FastJSONRenderer]  # the first one is the default
    permission_classes = [IsAuthenticated]
    error_table = ERRORS
