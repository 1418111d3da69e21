from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApprovalsConfig(AppConfig):
    name = "approvals"
    verbose_name = _("行政服务中心")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from approvals import (
            anomalies,  # noqa: F401  (registers the anomaly rules with monitoring)
            notifications,  # noqa: F401  (registers the applicant's SMS with the outbox)
            public_search,
        )
        from approvals import opendata as approval_data
        from portal import figures, opendata, search

        for dataset in approval_data.DATASETS:
            opendata.register(dataset)
        figures.register("results", approval_data.home_figures, order=30)
        search.register(public_search.KIND)
