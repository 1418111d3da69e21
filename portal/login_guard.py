"""Brute-force protection of the login (django-axes), with the lockout and the unlock in the audit trail.

Every password check goes through Django's ``authenticate`` with the request: the staff login page,
the admin login and the API's token endpoint. django-axes (the first authentication backend) counts
failures per **user name and client address together** (the address by the NUM_PROXIES rule,
``portal.ratelimit.client_ip``) and, at ``AXES_FAILURE_LIMIT`` failures, refuses that pair, the right
password included, until the cool-off passes (``AXES_COOLOFF_HOURS``) or an administrator unlocks it.

- the lockout writes one audit event ``auth.locked_out`` (axes' ``user_locked_out`` signal: the only
  hook axes offers; only the attempt that reaches the limit is recorded, not every refused retry);
- ``unlock_login`` is the unlock verb (admin action on the access attempts, ``manage.py`` shell),
  audited as ``auth.unlocked``.
"""

from axes.backends import AxesStandaloneBackend
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from axes.utils import reset
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction

from portal import audit
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


def connect():
    user_locked_out.connect(audit_lockout, dispatch_uid="portal.login_guard.audit_lockout")


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
        return super().authenticate(request, username=username, password=password, **kwargs)
