"""Service verbs for API tokens, and who may hold which token.

Token policy (decided for issue 9; the README's security section repeats it):

- **integrators** (接口调用方) hold the long-lived tokens: read or write, ``API_TOKEN_TTL_DAYS``
  (30 days by default);
- **administrators** (the superuser included) may have a write token for one day at most
  (``API_ADMIN_TOKEN_TTL_DAYS``): enough for a scripted task, not a standing credential;
- **every other staff role** gets read-only tokens for one day at most (``API_STAFF_TOKEN_TTL_DAYS``);
  staff change things through the pages or the API with their signed-in session (CSRF-protected);
- an account with no role gets no token.

A token's scope is checked again when it is used (``allows_write``): a write token whose holder has
since lost the integrator or administrator role writes nothing. Changing a user's password or
deactivating them revokes all their tokens (``revoke_user_tokens``), whatever the path: the admin,
``manage.py changepassword``, ``set_password`` in a shell. The hook is a pre/post-save pair on the
user model comparing the stored password hash and ``is_active`` with the saved row (the one place
every path goes through); the admin passes the acting administrator for the audit.
"""

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models.signals import post_save, pre_save
from django.utils import timezone

from portal import audit
from portal.forms import clean_text
from portal.models import ApiToken
from portal.permissions import can_issue_token, can_rename_token, can_revoke_token
from portal.roles import ADMINISTRATOR, INTEGRATOR, has_role, roles_of
from portal.services import TransitionError, require

READ, WRITE = ApiToken.Scope.READ, ApiToken.Scope.WRITE
# Who is changing users right now (the admin sets it around its saves), for the revocation's audit.
_acting = ContextVar("portal_tokens_acting", default=None)


@contextmanager
def acting(user):
    """Within this block, user saves are attributed to ``user`` in the audit of revoked tokens."""
    reset = _acting.set(user)
    try:
        yield
    finally:
        _acting.reset(reset)


@dataclass(frozen=True)
class TokenPolicy:
    scopes: tuple[str, ...]  # the scopes this user may hold, widest first
    max_days: int

    @property
    def allowed(self) -> bool:
        return bool(self.scopes)


def policy_for(user) -> TokenPolicy:
    """What token ``user`` may hold: scopes and the longest lifetime in days."""
    if user is None or not user.is_active:
        return TokenPolicy((), 0)
    if has_role(user, INTEGRATOR):
        return TokenPolicy((WRITE, READ), settings.API_TOKEN_TTL_DAYS)
    if has_role(user, ADMINISTRATOR):
        return TokenPolicy((WRITE, READ), settings.API_ADMIN_TOKEN_TTL_DAYS)
    if roles_of(user):
        return TokenPolicy((READ,), settings.API_STAFF_TOKEN_TTL_DAYS)
    return TokenPolicy((), 0)


def allows_write(user) -> bool:
    """True when ``user`` may (still) write with a token."""
    return WRITE in policy_for(user).scopes


def check_request(user, scope: str | None = None) -> str:
    """The scope ``user`` gets for a request of ``scope`` (None: the widest allowed); refuses the rest."""
    policy = policy_for(user)
    if not policy.allowed:
        raise PermissionDenied("该账号不能申请接口令牌。")
    if scope is None:
        return policy.scopes[0]
    if scope not in policy.scopes:
        raise PermissionDenied("只有接口调用方和系统管理员可以申请读写令牌；其他工作人员只能申请只读令牌。")
    return scope


def issue_token(user, *, name: str = "", scope: str | None = None, days: int | None = None, by=None):
    """Issue a token for ``user``; returns (token, raw secret). The secret is never stored.

    ``scope`` None: the widest scope the user's roles allow. ``days`` is capped at the role's
    longest lifetime. Refuses a scope the roles do not allow and an account with no role.
    """
    require(can_issue_token(by or user, user), "只有令牌持有人本人或系统管理员可以签发令牌。")
    name = _clean_name(name)
    scope = check_request(user, scope)
    max_days = policy_for(user).max_days
    days = min(days or max_days, max_days)
    raw = ApiToken.new_secret()
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name,
            prefix=raw[:8],
            digest=ApiToken.hash_secret(raw),
            scope=scope,
            expires_at=timezone.now() + timedelta(days=days),
        )
        audit.record(
            by or user, "api_token.issue", token, after={"user": user.username, "scope": scope, "days": days}
        )
    return token, raw


def revoke_token(token: ApiToken, *, by=None, note: str = "") -> ApiToken:
    """Revoke a token (``by`` None: its holder). Refuses (TransitionError) a token already revoked."""
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked_at is not None:
            revoked = timezone.localtime(token.revoked_at)
            raise TransitionError(f"该令牌已于 {revoked:%Y-%m-%d %H:%M} 吊销。")
        require(can_revoke_token(by or token.user, token), "只有令牌持有人本人或系统管理员可以吊销令牌。")
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(by or token.user, "api_token.revoke", token, note=note)
    return token


def _clean_name(name) -> str:
    try:
        return clean_text(name, max_length=ApiToken._meta.get_field("name").max_length, multiline=False)
    except ValidationError as error:
        raise ValidationError({"name": error.messages}) from None


def rename_token(token: ApiToken, *, name: str, by) -> ApiToken:
    """Change a token's label (用途), the one thing about a token that may change; audited with before/after.
    Refuses control characters and an over-long label; the same label writes nothing."""
    name = _clean_name(name)
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        require(can_rename_token(by, token), "只有令牌持有人本人或系统管理员可以修改令牌用途。")
        if token.name == name:
            return token
        before = {"name": token.name}
        token.name = name
        token.save(update_fields=["name"])
        audit.record(by, "api_token.rename", token, before=before, after={"name": name})
    return token


def revoke_user_tokens(user, *, by=None, note: str = "") -> int:
    """Revoke every active token of ``user`` (password changed, account deactivated). Returns how many."""
    count = 0
    with transaction.atomic():
        for token in ApiToken.objects.active().filter(user=user).select_for_update():
            revoke_token(token, by=by, note=note)
            count += 1
    return count


# --- the hook every password change and deactivation goes through ---------------------------------


def _remember_credentials(sender, instance, update_fields=None, **kwargs):
    if instance.pk is None:
        return
    if update_fields is not None and not ({"password", "is_active"} & set(update_fields)):
        return  # e.g. last_login on every sign-in: nothing to compare
    row = sender._default_manager.filter(pk=instance.pk).values("password", "is_active").first()
    instance._portal_credentials_before = row


def _revoke_on_credential_change(sender, instance, created=False, **kwargs):
    before = instance.__dict__.pop("_portal_credentials_before", None)
    if created or before is None:
        return
    reasons = []
    if before["password"] != instance.password:
        reasons.append("密码已更改")
    if before["is_active"] and not instance.is_active:
        reasons.append("账号已停用")
    if reasons:
        by = _acting.get()
        revoke_user_tokens(instance, by=by, note="，".join(reasons) + "，令牌自动吊销")


def connect():
    user_model = get_user_model()
    pre_save.connect(_remember_credentials, sender=user_model, dispatch_uid="portal.tokens.remember")
    post_save.connect(_revoke_on_credential_change, sender=user_model, dispatch_uid="portal.tokens.revoke")
