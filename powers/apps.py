from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PowersConfig(AppConfig):
    name = "powers"
    verbose_name = _("权力清单")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from portal import figures, opendata, search
        from powers import opendata as power_data
        from powers import public_search

        opendata.register(power_data.DATASET)
        figures.register("powers", power_data.home_figures, order=10)
        for kind in public_search.KINDS:
            search.register(kind)
