"""Enterprise API — catalogs (being written)."""

from coursegate.api.enterprise.base import EnterpriseApiView


class CatalogListView(EnterpriseApiView):
    pass


class CatalogDetailView(EnterpriseApiView):
    pass


class CatalogCourseView(EnterpriseApiView):
    pass


class CatalogCourseRunView(EnterpriseApiView):
    pass


class CatalogProgramView(EnterpriseApiView):
    pass
