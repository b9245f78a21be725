"""Request and response shapes of a plan's license administration (reference/learner_side.md §4.1,
§4.2, §4.4-§4.6): the license list, its overview by status, remind, remind-all, revoke-all. License
objects are serializers/learner.py's LicenseOutput."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from coursegate.api.enterprise.serializers.license_fields import CommaList, PagedQuery
from coursegate.api.enterprise.serializers.subscriptions import TEXT_MAX_LENGTH, LicenseBulkRevokeInput
from coursegate.subscriptions.license_admin import LicenseFilters
from coursegate.subscriptions.models import License

STATUSES = License.Status.values


_STATUS = "(" + "|".join(STATUSES) + ")"


@extend_schema_field({"type": "string", "pattern": f"^$|^{_STATUS}(,{_STATUS})*$"})
class StatusList(CommaList):
    """``status=assigned,activated``: license statuses, each one known (an unknown status is a 400,
    not a filter that silently matches nothing)."""

    def to_internal_value(self, data) -> list[str]:  # type: ignore[override]
        statuses = super().to_internal_value(data)
        unknown = [status for status in statuses if status not in STATUSES]
        if unknown:
            raise serializers.ValidationError(
                f"Unknown license status: {', '.join(unknown)}. Statuses: {', '.join(STATUSES)}."
            )
        return statuses


class LicenseFilterQuery(serializers.Serializer):
    """The filters of the list and the overview; ``validated_data["filters"]`` is a LicenseFilters."""

    status = StatusList(required=False, help_text="Comma-separated statuses, e.g. assigned,activated")
    search = serializers.CharField(required=False, allow_blank=True, max_length=254, help_text="Part of the e-mail")
    user_email = serializers.CharField(required=False, allow_blank=True, max_length=254, help_text="The e-mail")
    active_only = serializers.BooleanField(required=False, default=False, help_text="assigned + activated only")
    ignore_null_emails = serializers.BooleanField(
        required=False, default=False, help_text="Leave out revoked licenses without an e-mail"
    )

    def validate(self, attrs) -> dict:
        filters = LicenseFilters(
            statuses=tuple(attrs.pop("status", ())),
            search=attrs.pop("search", "").strip(),
            user_email=attrs.pop("user_email", "").strip(),
            active_only=attrs.pop("active_only"),
            ignore_null_emails=attrs.pop("ignore_null_emails"),
        )
        return {**attrs, "filters": filters}


class LicenseListQuery(LicenseFilterQuery, PagedQuery):
    ordering = CommaList(
        required=False, default=list, help_text="user_email, status, activation_date, last_remind_date; - descending"
    )


class LicenseOverviewOutput(serializers.Serializer):
    status = serializers.CharField()
    count = serializers.IntegerField()


class _Text(serializers.CharField):
    """Text only: a number is refused (DRF's CharField would take 0 as "0")."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class LicenseRemindAllInput(serializers.Serializer):
    """remind-all's optional texts around the reminder (reference §4.5); other keys are ignored."""

    greeting = _Text(required=False, allow_blank=True, default="", max_length=TEXT_MAX_LENGTH)
    closing = _Text(required=False, allow_blank=True, default="", max_length=TEXT_MAX_LENGTH)


class LicenseRemindInput(LicenseBulkRevokeInput, LicenseRemindAllInput):
    """remind's body (reference §4.4, license-manager's ``LicenseAdminRemindActionSerializer``):
    exactly one of ``user_emails`` and ``filters``, as bulk-revoke (both filter shapes), and the
    optional ``greeting`` and ``closing``."""
