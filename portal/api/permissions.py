"""API permissions: anonymous clients read what is public; writes need a write-scoped token or a session.

What a user may read or change is decided by each viewset's
``get_queryset`` (``visible_to(user)``) and by the service verbs; this class
only guards the door.
"""

from rest_framework import permissions

from portal.models import ApiToken
from portal.tokens import allows_write


class PublicReadScopedWrite(permissions.BasePermission):
    message = "写操作需要登录或具有写权限的接口令牌。"

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        if not (request.user and request.user.is_authenticated):
            return False
        token = request.auth
        if isinstance(token, ApiToken) and token.scope != ApiToken.Scope.WRITE:
            self.message = "该接口令牌为只读，不能执行写操作。"
            return False
        if isinstance(token, ApiToken) and not allows_write(request.user):
            # A write token whose holder has since lost the integrator or administrator role.
            self.message = "令牌持有人的角色已不允许通过令牌写入。"
            return False
        return True
