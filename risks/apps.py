from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RisksConfig(AppConfig):
    name = "risks"
    verbose_name = _("廉政风险")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import conflicts  # noqa: F401  (registers the conflict-of-interest anomaly rule)
