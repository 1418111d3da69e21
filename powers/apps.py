from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PowersConfig(AppConfig):
    name = "powers"
    verbose_name = _("权力清单")
    default_auto_field = "django.db.models.BigAutoField"
