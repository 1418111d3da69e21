from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("平台内核")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from portal import bounds, login_guard, tokens

        login_guard.connect()
        tokens.connect()
        bounds.install()
