"""Service verbs for API tokens."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from portal import audit
from portal.models import ApiToken


def issue_token(user, *, name: str = "", scope: str = ApiToken.Scope.WRITE, days: int | None = None, by=None):
    """Issue a token for ``user``; returns (token, raw secret). The secret is never stored."""
    raw = ApiToken.new_secret()
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name,
            prefix=raw[:8],
            digest=ApiToken.hash_secret(raw),
            scope=scope,
            expires_at=timezone.now() + timedelta(days=days or settings.API_TOKEN_TTL_DAYS),
        )
        audit.record(by or user, "api_token.issue", token, after={"user": user.username, "scope": scope})
    return token, raw


def revoke_token(token: ApiToken, *, by=None) -> ApiToken:
    """Revoke a token; revoking twice is refused by doing nothing new."""
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            audit.record(by or token.user, "api_token.revoke", token)
    return token
