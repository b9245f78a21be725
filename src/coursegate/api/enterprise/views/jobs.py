"""Enterprise API — jobs (being written)."""

from coursegate.api.enterprise.base import EnterpriseApiView


class BulkLicenseEnrollmentView(EnterpriseApiView):
    pass
