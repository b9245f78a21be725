"""What every Enterprise API view shares (seed 003_daa74488a5860cfd.txt; reference/enterprise.md).

- Rendering: XML by default, as the seed says; JSON on ``Accept: application/json`` or
  ``?format=json``; ``Accept: application/xml`` or ``?format=xml`` gives XML. Error bodies follow
  the same negotiation (ARCHITECTURE.md).
- Access: an ``enterprise_admin:<customer uuid>`` role acts on that customer only; an
  ``enterprise_openedx_operator`` role (context ``*``) on every customer; learners and staff
  without a role get nothing here. Unknown object: 404; another customer's object: 403.
"""

from __future__ import annotations

import uuid as uuid_lib

from rest_framework import exceptions
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.views import APIView
from rest_framework_xml.renderers import XMLRenderer

from coursegate.core.errors import family_exception_handler
from coursegate.core.parsers import LenientJSONParser
from coursegate.core.renderers import FastJSONRenderer

ADMIN_ROLES = ("enterprise_admin", "enterprise_openedx_operator")


class EnterpriseXMLRenderer(XMLRenderer):
    """``<root>`` with one element per key; list items are ``<list-item>``; null is an empty
    element; booleans ``True``/``False``. Documented in docs/enterprise-api.md."""

    format = "xml"


class EnterpriseApiView(APIView):
    renderer_classes = [EnterpriseXMLRenderer, FastJSONRenderer]  # the first one is the default
    parser_classes = [LenientJSONParser, FormParser, MultiPartParser]
    permission_classes = [IsAuthenticated]
    # Domain exception -> Response rules of the view's area, merged over the shared ones.
    error_table: dict = {}

    def get_exception_handler(self):
        return family_exception_handler(self.error_table)


def parse_uuid(value: str, *, not_found: bool = True) -> uuid_lib.UUID:
    """A uuid from the path (404 when malformed) or the query (400 when ``not_found`` is False)."""
    try:
        return uuid_lib.UUID(str(value))
    except ValueError:
        if not_found:
            raise exceptions.NotFound() from None
        raise exceptions.ValidationError({"detail": f"{value} is not a valid uuid."}) from None


def is_admin_of(request, customer_uuid) -> bool:
    """Admin of that customer, or operator of every customer."""
    credential = request.auth
    if credential is None or not hasattr(credential, "has_role"):
        return False
    return any(credential.has_role(role, str(customer_uuid)) for role in ADMIN_ROLES)


def is_learner_of(request, customer_uuid) -> bool:
    credential = request.auth
    return bool(credential is not None and credential.has_role("enterprise_learner", str(customer_uuid)))


def require_admin_of(request, customer_uuid) -> None:
    if not is_admin_of(request, customer_uuid):
        raise exceptions.PermissionDenied()


def administered_customers(request) -> set[str] | None:
    """Customer uuids the caller administers; None means all (an operator with context ``*``)."""
    credential = request.auth
    if credential is None or not hasattr(credential, "roles"):
        return set()
    contexts = set()
    for claim in credential.roles:
        name, _, context = claim.partition(":")
        if name in ADMIN_ROLES:
            if context == "*":
                return None
            if context:
                contexts.add(context)
    return contexts
