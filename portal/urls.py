"""Root URLs. Each app owns its own ``urls.py`` (pages) and ``api/urls.py`` (under /api/v1/)."""

from importlib.util import find_spec

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.decorators.cache import cache_page
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from portal.login_guard import LoginForm


def _exists(module: str) -> bool:
    """True when the module exists; a module that exists but fails to import still raises."""
    try:
        return find_spec(module) is not None
    except ModuleNotFoundError:
        return False


API_APPS = ["portal", "powers", "risks", "approvals", "complaints", "monitoring", "performance"]

api_patterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"),
]
api_patterns += [path("", include(f"{app}.api.urls")) for app in API_APPS if _exists(f"{app}.api.urls")]

urlpatterns = [
    # First: every API call (the public intake among them) is resolved without trying the site's pages
    # (no page pattern matches a path under api/v1/, so the order changes no match).
    path("api/v1/", include(api_patterns)),
    path("", include("portal.site_urls")),
    path("accounts/login/", auth_views.LoginView.as_view(authentication_form=LoginForm), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    # Texts of the site's own scripts (static/js/*.js call gettext), cached: they change with a deploy only.
    path("jsi18n/", cache_page(86400)(JavaScriptCatalog.as_view()), name="javascript-catalog"),
    path("admin/", admin.site.urls),
]
urlpatterns += [path("", include(f"{app}.urls")) for app in API_APPS[1:] if _exists(f"{app}.urls")]
# No media route, not even with DEBUG: uploaded materials hold applicants' personal data and are
# served only by views that check who may see them (approvals' MaterialDownloadView).

# Every PermissionDenied (a role mixin, a permissions.py check, a verb's refusal) renders templates/403.html.
handler403 = "portal.views.forbidden"
