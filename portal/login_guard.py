"""Brute-force protection of the login (django-axes), with the lockout and the unlock in the audit trail.

Every password check goes through Django's ``authenticate`` with the request: the staff login page,
the admin login and the API's token endpoint. django-axes (the first authentication backend) counts
failures per **user name and client address together** (the address by the NUM_PROXIES rule,
``portal.ratelimit.client_ip``) and, at ``AXES_FAILURE_LIMIT`` failures, refuses that pair, the right
password included, until the cool-off passes (``AXES_COOLOFF_HOURS``) or an administrator unlocks it.

- the lockout writes one audit event ``auth.locked_out`` (axes' ``user_locked_out`` signal: the only
  hook axes offers; only the attempt that reaches the limit is recorded, not every refused retry);
- failures are also counted **per account across addresses** (``ACCOUNT_FAILURE_LIMIT`` an hour, 20 by
  default, four times the pair's limit, on ``portal.ratelimit``): guessing one account's password from
  many addresses is stopped too, while its owner at one address is only locked out by that flood for
  the hour (a soft lockout; audited once as ``auth.account_locked``);
- ``unlock_login`` is the unlock verb (admin action on the access attempts, ``manage.py`` shell),
  audited as ``auth.unlocked``.
"""

import hashlib

from axes.backends import AxesStandaloneBackend
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from axes.utils import reset
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied
from django.core.validators import MaxLengthValidator
from django.db import transaction

from portal import audit, ratelimit
from portal.roles import ADMINISTRATOR, has_role

SYSTEM_LABEL = "登录防护"


def _user_named(username):
    if not username:
        return None
    return get_user_model().objects.filter(username=username).first()


def audit_lockout(sender, request=None, username=None, ip_address=None, **kwargs):
    # axes sends the signal on the attempt that reaches the limit (failures counted) and again on every
    # refused attempt while locked (failures not counted): record the lockout once.
    if request is not None and getattr(request, "axes_failures_since_start", None) is None:
        return
    target = _user_named(username)
    audit.record(
        None,
        "auth.locked_out",
        target,
        after={"username": (username or "")[:150], "ip_address": ip_address or ""},
        note="连续登录失败，已锁定该用户名与地址的组合",
        label=SYSTEM_LABEL,
    )


def axes_username(request, credentials) -> str:
    """The user name axes records (AXES_USERNAME_CALLABLE): at most the 150 characters a user name can
    have, so a 100,000-character guess is counted, not a database error (axes' column holds 255)."""
    username = (credentials or {}).get("username") or ""
    return str(username)[:150]


class LoginForm(AuthenticationForm):
    """Django's login form with the user name's length checked (Django sets the limit on the field
    after it is built, so its validator never runs): an over-long name is a form error."""

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        field = self.fields["username"]
        field.validators.append(MaxLengthValidator(field.max_length or 150))


ACCOUNT_SCOPE = "login-account"
ACCOUNT_PERIOD = 3600


def _account_key(username) -> str:
    # The user name as typed, case-folded (the login is case-sensitive, a guesser varies case freely).
    return hashlib.sha256((username or "").strip().casefold().encode()).hexdigest()[:32]


def account_locked(request, username) -> bool:
    """True when ``username`` failed ``ACCOUNT_FAILURE_LIMIT`` times in the last hour, from any address."""
    return bool(username) and ratelimit.reached_limit(
        request, ACCOUNT_SCOPE, settings.ACCOUNT_FAILURE_LIMIT, ACCOUNT_PERIOD, key=_account_key(username)
    )


def count_account_failure(sender, credentials=None, request=None, **kwargs):
    username = (credentials or {}).get("username")
    if request is None or not username:
        return
    was_locked = account_locked(request, username)
    limit = settings.ACCOUNT_FAILURE_LIMIT
    ratelimit.over_limit(request, ACCOUNT_SCOPE, limit, ACCOUNT_PERIOD, key=_account_key(username))
    if not was_locked and account_locked(request, username):  # the failure that reached the limit
        audit.record(
            None,
            "auth.account_locked",
            _user_named(username),
            after={"username": username[:150], "ip_address": ratelimit.login_ip(request) or ""},
            note="一小时内该用户名从各地址登录失败次数达到上限，已暂停登录",
            label=SYSTEM_LABEL,
        )


def connect():
    user_locked_out.connect(audit_lockout, dispatch_uid="portal.login_guard.audit_lockout")
    user_login_failed.connect(count_account_failure, dispatch_uid="portal.login_guard.count_account_failure")


def can_unlock(user) -> bool:
    return has_role(user, ADMINISTRATOR)


def locked_attempts():
    from django.conf import settings

    return AccessAttempt.objects.filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT)


def unlock_login(*, username: str | None = None, ip_address: str | None = None, by) -> int:
    """Lift the lockout of ``username`` (from ``ip_address``, or from every address). Administrators only.

    Returns the number of access-attempt records removed; writes one audit event.
    """
    if not can_unlock(by):
        raise PermissionDenied("只有系统管理员可以解除登录锁定。")
    if not (username or ip_address):
        raise ValueError("unlock_login needs a user name or an address")
    with transaction.atomic():
        if username and ip_address:
            removed, _ = AccessAttempt.objects.filter(username=username, ip_address=ip_address).delete()
        else:
            removed = reset(username=username, ip=ip_address)
        if username:
            ratelimit.clear_limit(None, ACCOUNT_SCOPE, key=_account_key(username))
        audit.record(
            by,
            "auth.unlocked",
            _user_named(username),
            after={"username": username or "", "ip_address": ip_address or "", "removed": removed},
        )
    return removed


class LoginGuardBackend(AxesStandaloneBackend):
    """axes' lockout check, for every ``authenticate`` that carries a request (the login page, the admin,
    the token endpoint: all of the portal's password checks). A call without a request (Django's test
    client ``login``, a shell) has no client address to lock out and is checked by the password alone."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        if account_locked(request, username):
            # Refused before any password check, shown as axes' lockout page (AxesMiddleware).
            request.axes_locked_out = True
            raise PermissionDenied("account locked")
        return super().authenticate(request, username=username, password=password, **kwargs)
