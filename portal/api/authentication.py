"""Bearer tokens for integrators: ``Authorization: Token <secret>``.

Only a SHA-256 digest is stored; a token expires and can be revoked, and has
a scope (read or write) checked by ``PublicReadScopedWrite``.
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions

from portal.models import ApiToken


class ApiTokenAuthentication(authentication.TokenAuthentication):
    keyword = "Token"

    def authenticate_credentials(self, key):
        token = ApiToken.objects.select_related("user").filter(digest=ApiToken.hash_secret(key)).first()
        if token is None:
            raise exceptions.AuthenticationFailed(_("令牌无效。"))
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(_("令牌已被吊销。"))
        if token.expires_at <= timezone.now():
            raise exceptions.AuthenticationFailed(_("令牌已过期。"))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("用户已停用。"))
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token
