from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    name = "complaints"
    verbose_name = _("投诉受理")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from complaints import notifications  # noqa: F401  (registers the reporter's messages with the outbox)
        from complaints.figures import home_figures
        from portal import figures

        figures.register("complaints", home_figures, order=40)
