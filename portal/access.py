"""Who may open a page or call an endpoint by role: one mixin for pages, one permission for the API.

Pages: ``class DeskView(RoleRequiredMixin, View): roles = (WINDOW_CLERK, …)``. Anonymous visitors go
to the login page; staff without one of ``roles`` get the 403 page (``templates/403.html``), which is
also what any ``PermissionDenied`` raised by a view or a verb renders (``handler403`` in portal/urls.py),
so views let the exception through instead of catching it. Empty ``roles`` means "any logged-in user".

API: ``permission_classes = [HasRole(INSPECTOR, ADMINISTRATOR)]``; ``HasRole()`` is any authenticated
client. Object-level rules (this case, this power) are the apps' ``permissions.py`` functions.
"""

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from rest_framework import permissions

from portal.roles import has_role


class RoleRequiredMixin:
    """Login required, then one of ``roles`` (any logged-in user when empty); 403 page otherwise."""

    roles: tuple[str, ...] = ()
    #: The reason shown on the 403 page to staff without one of ``roles``.
    denied_message = None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if self.roles and not has_role(request.user, *self.roles):
            raise PermissionDenied(self.denied_message or _("您的角色没有权限访问此页面。"))
        self.check_access(request)
        return super().dispatch(request, *args, **kwargs)

    def check_access(self, request) -> None:
        """A page's further rule, after login and role (raise PermissionDenied to refuse); none by default."""


def HasRole(*roles: str, message: str | None = None) -> type[permissions.BasePermission]:  # noqa: N802
    """A DRF permission class: an authenticated client holding one of ``roles`` (any, when none given)."""

    class RolePermission(permissions.BasePermission):
        def has_permission(self, request, view):
            user = request.user
            if not (user and user.is_authenticated):
                return False
            return not roles or has_role(user, *roles)

    RolePermission.message = message or (
        "仅限工作人员访问。" if not roles else "您的角色没有权限访问此接口。"
    )
    RolePermission.__name__ = RolePermission.__qualname__ = "HasRole"
    return RolePermission
