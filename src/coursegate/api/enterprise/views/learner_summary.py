"""Enterprise API — learner_summary (being written)."""

from coursegate.api.enterprise.base import EnterpriseApiView


class LearnerSummaryView(EnterpriseApiView):
    pass
