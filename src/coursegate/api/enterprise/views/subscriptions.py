"""Enterprise API — subscriptions (being written)."""

from coursegate.api.enterprise.base import EnterpriseApiView


class SubscriptionListView(EnterpriseApiView):
    pass


class LicenseAssignView(EnterpriseApiView):
    pass


class LicenseBulkRevokeView(EnterpriseApiView):
    pass
