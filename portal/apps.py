from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("平台内核")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from portal import bounds, login_guard, middleware, tokens

        login_guard.connect()
        user_logged_in.connect(middleware.start_session_clock, dispatch_uid="portal.session_clock")
        tokens.connect()
        bounds.install()
