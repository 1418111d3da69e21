from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = _("电子监察")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from monitoring.dashboard import store_after_migrate
        from monitoring.public_figures import home_figures
        from monitoring.rules import sync_after_migrate
        from portal import figures

        figures.register("cases", home_figures, order=20)

        # One AnomalyRule row per registered anomaly rule (the apps register theirs in their ready()).
        post_migrate.connect(sync_after_migrate, sender=self, dispatch_uid="monitoring.rules.sync")
        # The dashboard's closed months stored by migrate, never counted by the first page view.
        post_migrate.connect(store_after_migrate, sender=self, dispatch_uid="monitoring.dashboard.store")
