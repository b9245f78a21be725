"""The request schemas of the events family's writes, as exact as the parse (issue 15).

drf-spectacular maps each body field from its DRF base class, which cannot say what these fields
take: a number where text is declared, an enum by name in any case or by number, ``null`` and
``""`` for a field not given, text trimmed. This postprocessing hook replaces each body field's
schema with its own ``openapi()`` (fields.py, client_fields.py), written beside its ``parse``;
an optional field also takes ``null`` and ``""``. The bulk body states its size limit.
"""

from __future__ import annotations

from coursegate.api.apprenticeship_events.fields import ParsedField, optional
from coursegate.api.apprenticeship_events.kinds_serializers import (
    AccountEventInput,
    AgreementEventInput,
    GenericEventInput,
)
from coursegate.api.apprenticeship_events.serializers import EventInput
from coursegate.events.services import MAX_BATCH

# Request components (COMPONENT_SPLIT_REQUEST names them <Serializer>Request) and their serializers.
BODIES = {
    "EventInputRequest": EventInput,
    "AgreementEventInputRequest": AgreementEventInput,
    "AccountEventInputRequest": AccountEventInput,
    "GenericEventInputRequest": GenericEventInput,
}
BULK_PATH = "/api/events/apprenticeships/bulk/"


def exact_event_bodies(result, generator, request, public):
    """drf-spectacular postprocessing hook (openapi_settings.py POSTPROCESSING_HOOKS)."""
    schemas = result.get("components", {}).get("schemas", {})
    for name, serializer in BODIES.items():
        component = schemas.get(name)
        if component is None:
            continue
        for field_name, field in serializer().fields.items():
            if isinstance(field, ParsedField):
                schema = field.openapi()
                component["properties"][field_name] = schema if field.required else optional(schema)
    bulk = result["paths"].get(BULK_PATH, {}).get("post")
    if bulk is not None:
        bulk["requestBody"]["content"]["application/json"]["schema"]["maxItems"] = MAX_BATCH
    return result
