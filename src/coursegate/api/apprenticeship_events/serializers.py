"""Wire shapes of the Apprenticeship Events API (seed 004_2ed8256fba468e57.txt;
reference/events_and_clients.md Part 1; issue 6 decides where they differ).

The input serializers are the parsers: ``EventInput`` reads one event into the domain's
``NewEvent``, ``EventBulkInput`` an array of them, ``EventQueryInput`` GET's query string into
``EventQuery``; their fields (fields.py) carry the contract's messages. ``EventOutput`` is the one
declaration of an answered event, for the renderer and the OpenAPI document alike.

Bulk batches and pages hold up to 10,000 events, so these serializers parse and answer events
without DRF's per-field machinery: a well-formed event goes through the fast path (fast.py), any
other through its fields' ``parse`` in one loop (the only source of messages); answers are built
as dicts in one comprehension over rows (``EventOutput(..., many=True)``). The bulk view stores
``EventBulkInput.as_read(data)``: the same parse, done event by event while the store writes them.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from operator import attrgetter
from typing import Any

from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.fields import empty
from rest_framework.settings import api_settings

from coursegate.api.apprenticeship_events.client_fields import (
    AGREEMENT_STATUSES,
    PAYMENT_STATUSES,
    TRANSFER_APPROVAL_STATUSES,
    EnumName,
    NonNegativeBigInteger,
    PriceHistory,
    StatusField,
    Whole,
)
from coursegate.api.apprenticeship_events.fast import fast_parser
from coursegate.api.apprenticeship_events.fields import (
    REQUIRED,
    BoundedWhole,
    CompactDateTime,
    Cost,
    PositiveBigInteger,
    TrainingTypeField,
    TrimmedText,
    UtcDateTime,
)
from coursegate.events.models import TrainingType
from coursegate.events.selectors import PAGE_COLUMNS, PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX, EventQuery
from coursegate.events.services import MAX_BATCH, NewEvent

TEXT_MAX = 50  # the columns' size (events/models.py)
NON_FIELD = api_settings.NON_FIELD_ERRORS_KEY


class EventInput(serializers.Serializer):
    """One event (seed 004). Keys match case-insensitively (the seed's camelCase, the .NET client's
    PascalCase) and unknown keys are ignored; every problem is reported at once, under the seed's
    camelCase name, in the order of the fields below."""

    event = TrimmedText(max_length=TEXT_MAX)
    apprenticeshipId = PositiveBigInteger(min_value=1, source="apprenticeship_id")  # noqa: N815 (the seed's names)
    paymentStatus = StatusField(names=PAYMENT_STATUSES, max_length=TEXT_MAX, source="payment_status")  # noqa: N815
    agreementStatus = StatusField(names=AGREEMENT_STATUSES, max_length=TEXT_MAX, source="agreement_status")  # noqa: N815
    providerId = TrimmedText(max_length=TEXT_MAX, source="provider_id")  # noqa: N815
    learnerId = TrimmedText(max_length=TEXT_MAX, source="learner_id")  # noqa: N815
    employerAccountId = TrimmedText(max_length=TEXT_MAX, source="employer_account_id")  # noqa: N815
    trainingId = TrimmedText(max_length=TEXT_MAX, source="training_id")  # noqa: N815
    trainingType = TrainingTypeField(source="training_type")  # noqa: N815
    trainingStartDate = UtcDateTime(source="training_start_date")  # noqa: N815
    trainingEndDate = UtcDateTime(source="training_end_date")  # noqa: N815
    trainingTotalCost = Cost(max_digits=18, decimal_places=2, min_value=0, source="training_total_cost")  # noqa: N815
    # The .NET client's optional fields (issue 14 §1): null, "" or absent mean none given.
    pausedOnDate = UtcDateTime(required=False, source="paused_on_date")  # noqa: N815
    stoppedOnDate = UtcDateTime(required=False, source="stopped_on_date")  # noqa: N815
    paymentOrder = Whole(required=False, source="payment_order")  # noqa: N815
    legalEntityId = TrimmedText(required=False, max_length=50, source="legal_entity_id")  # noqa: N815
    legalEntityName = TrimmedText(required=False, max_length=100, source="legal_entity_name")  # noqa: N815
    legalEntityOrganisationType = TrimmedText(  # noqa: N815
        required=False, max_length=20, source="legal_entity_organisation_type"
    )
    accountLegalEntityPublicHashedId = TrimmedText(  # noqa: N815
        required=False, max_length=6, source="account_legal_entity_public_hashed_id"
    )
    effectiveFrom = UtcDateTime(required=False, source="effective_from")  # noqa: N815
    effectiveTo = UtcDateTime(required=False, source="effective_to")  # noqa: N815
    dateOfBirth = UtcDateTime(required=False, source="date_of_birth")  # noqa: N815
    priceHistory = PriceHistory(required=False, source="price_history")  # noqa: N815
    transferSenderId = NonNegativeBigInteger(required=False, source="transfer_sender_id")  # noqa: N815
    transferSenderName = TrimmedText(required=False, max_length=100, source="transfer_sender_name")  # noqa: N815
    transferApprovalStatus = EnumName(  # noqa: N815
        required=False, names=TRANSFER_APPROVAL_STATUSES, source="transfer_approval_status"
    )
    transferApprovalActionedOn = UtcDateTime(required=False, source="transfer_approval_actioned_on")  # noqa: N815

    NOT_AN_OBJECT = "Each event must be a JSON object."
    END_BEFORE_START = "Must not be earlier than trainingStartDate."
    # The reference's transfer rules (CreateApprenticeshipEventCommandValidator @4758153).
    NAME_WITHOUT_SENDER = "Required when transferSenderName is given."
    STATUS_WITHOUT_SENDER = "Required when transferApprovalStatus is given."
    SENDER_WITHOUT_NAME = "Must not be empty when transferSenderId is greater than 0."

    def run_validation(self, data=empty) -> NewEvent:
        return self.to_internal_value(data)

    def to_internal_value(self, data) -> NewEvent:
        event = _fast_event(data)
        return _exact_event(data) if event is None else event


def _exact_event(data) -> NewEvent:
    """EventInput's parse field by field: its value, or its ValidationError naming every problem."""
    if not isinstance(data, dict):
        raise ValidationError({NON_FIELD: [EventInput.NOT_AN_OBJECT]})
    if _NAMES.issuperset(data):  # the seed's own spelling: nothing to match
        values = data
    else:
        values = {}
        for key, value in data.items():
            name = _BY_LOWER.get(str(key).lower())
            if name is not None:
                values[name] = value  # of two spellings of one key, the later wins
    clean, errors = {}, {}
    for name, attribute, field in _PLAN:
        raw = values.get(name)
        if raw is None or raw == "":
            if field.required:
                errors[name] = [REQUIRED]
            continue
        value, problem = field.parse(raw)
        if problem is None:
            clean[attribute] = value
        else:
            errors[name] = [problem]
    start, end = clean.get("training_start_date"), clean.get("training_end_date")
    if start is not None and end is not None and start > end:
        errors["trainingEndDate"] = [EventInput.END_BEFORE_START]
    _transfer_rules(values, clean, errors)
    if errors:
        raise ValidationError({name: errors[name] for name, _, _ in _PLAN if name in errors})
    return NewEvent(**clean)


def _transfer_rules(values: dict, clean: dict, errors: dict) -> None:
    """The transfer fields' rules, on the values that parsed (and a field's own problem first)."""
    sender, name = clean.get("transfer_sender_id"), clean.get("transfer_sender_name")
    if not sender and "transferSenderId" not in errors:  # (the client's 0 is its "none")
        if name is not None:
            errors["transferSenderId"] = [EventInput.NAME_WITHOUT_SENDER]
        elif clean.get("transfer_approval_status") is not None:
            errors["transferSenderId"] = [EventInput.STATUS_WITHOUT_SENDER]
    if sender and name is None and "transferSenderName" not in errors:
        errors["transferSenderName"] = [EventInput.SENDER_WITHOUT_NAME]


# (wire name, NewEvent attribute, field) in the declared order; the fields' parse needs no binding.
_PLAN = tuple((name, field.source or name, field) for name, field in EventInput._declared_fields.items())
_NAMES = frozenset(name for name, _, _ in _PLAN)
_BY_LOWER = {name.lower(): name for name in _NAMES}
_fast_event = fast_parser({attribute: name for name, attribute, _ in _PLAN}, TEXT_MAX)


class EventBulkInput(serializers.ListSerializer):
    """A JSON array of at most MAX_BATCH events, refused as a whole beyond that (before any event
    is read); otherwise every event is parsed, and any problem answers one error map per event
    (``{}`` for the valid ones)."""

    child = EventInput()
    default_error_messages = {
        "not_a_list": "Expected a JSON array of events.",
        "max_length": "At most {max_length} events may be sent at once.",
    }

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", MAX_BATCH)
        super().__init__(*args, **kwargs)

    def run_validation(self, data=empty) -> list[NewEvent]:
        return self.to_internal_value(data)

    def to_internal_value(self, data) -> list[NewEvent]:
        self._check_array(data)
        events = [_fast_event(item) for item in data]
        errors = {}
        for index, event in enumerate(events):
            if event is None:  # not plainly well formed: the exact parse decides
                try:
                    events[index] = _exact_event(data[index])
                except ValidationError as exc:
                    errors[index] = exc.detail
        if errors:
            raise ValidationError([errors.get(index, {}) for index in range(len(data))])
        return events  # type: ignore[return-value]  (no None is left)

    def _check_array(self, data) -> None:
        if not isinstance(data, list):
            raise ValidationError({NON_FIELD: [self.error_messages["not_a_list"]]})
        if len(data) > self.max_length:
            raise ValidationError({NON_FIELD: [self.error_messages["max_length"].format(max_length=self.max_length)]})

    @classmethod
    def as_read(cls, data) -> EventsAsRead:
        """The events of ``data`` parsed one by one as the store reads them, so that storing a
        large batch overlaps its parsing (the database inserts what it has while the rest is
        parsed). The array itself is checked now; the first event that does not parse stops the
        reading with the same ValidationError as parse(EventBulkInput, data), every event's
        problems in place, and the store, which reads inside its transaction, keeps nothing."""
        cls()._check_array(data)
        return EventsAsRead(data)


class EventsAsRead(Collection[NewEvent]):
    """EventBulkInput.as_read's answer: a batch's size, and its events parsed as they are read."""

    def __init__(self, data: list):
        self.data = data

    def __len__(self) -> int:
        return len(self.data)

    def __contains__(self, item: object) -> bool:
        return any(event == item for event in self)

    def __iter__(self) -> Iterator[NewEvent]:
        for item in self.data:
            event = _fast_event(item)
            if event is None:
                try:
                    event = _exact_event(item)
                except ValidationError:
                    EventBulkInput().to_internal_value(self.data)  # raises every event's problems
                    raise
            yield event


class EventQueryInput(serializers.Serializer):
    """GET's query string. Seed 004's ``from``/``to`` and the .NET client's ``fromDate``/``toDate``
    are synonyms (the first given wins); dates are checked even when ``fromEventId`` (which wins
    over them) is given. Empty values mean the default; the first problem found is answered."""

    RANGE_REVERSED = "Must be the same as or earlier than the end of the range."

    def get_fields(self) -> dict:
        # Built here rather than declared: "from" is a Python keyword.
        def date(help_text: str = "") -> CompactDateTime:
            return CompactDateTime(required=False, allow_blank=True, help_text=help_text or None)

        return {
            "from": date("yyyyMMddHHmmss (UTC), inclusive; alias fromDate"),
            "to": date("yyyyMMddHHmmss (UTC), exclusive; alias toDate"),
            "fromDate": date(),
            "toDate": date(),
            "fromEventId": BoundedWhole(
                min_value=0, max_value=2**63 - 1, default=0, help_text="Inclusive; wins over dates"
            ),
            "pageSize": BoundedWhole(
                min_value=1, max_value=PAGE_SIZE_MAX, default=PAGE_SIZE_DEFAULT, help_text="1..10000, default 1000"
            ),
            "pageNumber": BoundedWhole(min_value=1, max_value=10**9, default=1, help_text="1-based, default 1"),
        }

    def run_validation(self, data=empty) -> EventQuery:
        return self.to_internal_value(data)

    def to_internal_value(self, data) -> EventQuery:
        since_name, since = self._first(data, "from", "fromDate")
        _, until = self._first(data, "to", "toDate")
        if since is not None and until is not None and since > until:
            raise ValidationError({since_name: [self.RANGE_REVERSED]})
        return EventQuery(
            since=since,
            until=until,
            from_event_id=self._number(data, "fromEventId"),
            page_size=self._number(data, "pageSize"),
            page_number=self._number(data, "pageNumber"),
        )

    def _first(self, data, *names: str) -> tuple[str, Any]:
        """The first of ``names`` given a value, and that value parsed (None when none is given).
        Every synonym given is checked: a bad one is refused even beside a good one."""
        given = []
        for name in names:
            raw = data.get(name)
            if raw is not None and raw != "":
                value, problem = _QUERY_FIELDS[name].parse(raw)
                if problem is not None:
                    raise ValidationError({name: [problem]})
                given.append((name, value))
        return given[0] if given else (names[0], None)

    def _number(self, data, name: str) -> int:
        value = self._first(data, name)[1]
        return _QUERY_FIELDS[name].default if value is None else value


# The query's fields, built once: their parse needs no binding (self.fields would build them again
# on every request).
_QUERY_FIELDS = EventQueryInput().get_fields()
_event_columns = attrgetter(*PAGE_COLUMNS)
_TRAINING_TYPE_NAMES = {int(choice): choice.label for choice in TrainingType}


def answers(rows: Iterable[tuple]) -> list[dict]:
    """Events as answered, from rows of events.selectors.PAGE_COLUMNS (page rows and the
    StoredEvents the store answers are such rows). Date-times stay datetime objects in UTC:
    FastJSONRenderer writes them as ISO 8601 with ``Z``, as DRF's DateTimeField would."""
    names = _TRAINING_TYPE_NAMES
    return [
        {
            "id": id_,
            "createdOn": created,
            "event": event,
            "apprenticeshipId": apprenticeship_id,
            "paymentStatus": payment,
            "agreementStatus": agreement,
            "providerId": provider,
            "learnerId": learner,
            "employerAccountId": employer,
            "trainingType": names[training_type],
            "trainingId": training_id,
            "trainingStartDate": start,
            "trainingEndDate": end,
            "trainingTotalCost": float(cost),
            "pausedOnDate": paused,
            "stoppedOnDate": stopped,
            "paymentOrder": order,
            "legalEntityId": entity_id,
            "legalEntityName": entity_name,
            "legalEntityOrganisationType": entity_type,
            "accountLegalEntityPublicHashedId": hashed_id,
            "effectiveFrom": effective_from,
            "effectiveTo": effective_to,
            "dateOfBirth": birth,
            "priceHistory": prices,
            "transferSenderId": sender_id,
            "transferSenderName": sender_name,
            "transferApprovalStatus": approval,
            "transferApprovalActionedOn": actioned,
        }
        for (id_, created, event, apprenticeship_id, payment, agreement, provider, learner, employer, training_type,
             training_id, start, end, cost, paused, stopped, order, entity_id, entity_name, entity_type, hashed_id,
             effective_from, effective_to, birth, prices, sender_id, sender_name, approval, actioned) in rows
    ]  # fmt: skip


class EventListOutput(serializers.ListSerializer):
    """``EventOutput(rows, many=True)``: every row answered in one comprehension."""

    def to_representation(self, data) -> list[dict]:
        return answers(data)


class EventOutput(serializers.Serializer):
    """An event as answered (issue 6): the seed's camelCase keys plus ``id`` and ``createdOn``;
    ``trainingType`` by name; date-times in UTC with a ``Z``; the cost as a JSON number; then the
    .NET client's optional fields (issue 14), ``null`` when not given, statuses by name."""

    id = serializers.IntegerField()
    createdOn = serializers.DateTimeField()  # noqa: N815 (the seed's names)
    event = serializers.CharField()
    apprenticeshipId = serializers.IntegerField()  # noqa: N815
    paymentStatus = serializers.CharField()  # noqa: N815
    agreementStatus = serializers.CharField()  # noqa: N815
    providerId = serializers.CharField()  # noqa: N815
    learnerId = serializers.CharField()  # noqa: N815
    employerAccountId = serializers.CharField()  # noqa: N815
    trainingType = serializers.ChoiceField(choices=list(_TRAINING_TYPE_NAMES.values()))  # noqa: N815
    trainingId = serializers.CharField()  # noqa: N815
    trainingStartDate = serializers.DateTimeField()  # noqa: N815
    trainingEndDate = serializers.DateTimeField()  # noqa: N815
    trainingTotalCost = serializers.FloatField()  # noqa: N815
    pausedOnDate = serializers.DateTimeField(allow_null=True)  # noqa: N815
    stoppedOnDate = serializers.DateTimeField(allow_null=True)  # noqa: N815
    paymentOrder = serializers.IntegerField(allow_null=True)  # noqa: N815
    legalEntityId = serializers.CharField(allow_null=True)  # noqa: N815
    legalEntityName = serializers.CharField(allow_null=True)  # noqa: N815
    legalEntityOrganisationType = serializers.CharField(allow_null=True)  # noqa: N815
    accountLegalEntityPublicHashedId = serializers.CharField(allow_null=True)  # noqa: N815
    effectiveFrom = serializers.DateTimeField(allow_null=True)  # noqa: N815
    effectiveTo = serializers.DateTimeField(allow_null=True)  # noqa: N815
    dateOfBirth = serializers.DateTimeField(allow_null=True)  # noqa: N815
    priceHistory = PriceHistory(allow_null=True)  # noqa: N815
    transferSenderId = serializers.IntegerField(allow_null=True)  # noqa: N815
    transferSenderName = serializers.CharField(allow_null=True)  # noqa: N815
    transferApprovalStatus = serializers.ChoiceField(  # noqa: N815
        choices=list(TRANSFER_APPROVAL_STATUSES.values()), allow_null=True
    )
    transferApprovalActionedOn = serializers.DateTimeField(allow_null=True)  # noqa: N815

    class Meta:
        list_serializer_class = EventListOutput

    def to_representation(self, instance) -> dict:
        """``instance``: a row of events.selectors.PAGE_COLUMNS (a page row or a StoredEvent) or
        an ApprenticeshipEvent."""
        [answer] = answers([instance if isinstance(instance, tuple) else _event_columns(instance)])
        return answer
