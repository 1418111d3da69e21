"""Roles are Django groups; their names live here and nowhere else.

A role says what a person may do; their department (StaffProfile) says on
what. ``visible_to(user)`` querysets combine the two.
"""

from django.utils.translation import gettext_lazy as _

WINDOW_CLERK = "window_clerk"
HOTLINE_OPERATOR = "hotline_operator"
DEPT_HANDLER = "dept_handler"
DEPT_HEAD = "dept_head"
LEGAL_REVIEWER = "legal_reviewer"
INSPECTOR = "inspector"
APPRAISER = "appraiser"
ADMINISTRATOR = "administrator"
INTEGRATOR = "integrator"

ROLE_LABELS = {
    WINDOW_CLERK: _("窗口受理员"),
    HOTLINE_OPERATOR: _("投诉热线话务员"),
    DEPT_HANDLER: _("部门承办人"),
    DEPT_HEAD: _("部门负责人"),
    LEGAL_REVIEWER: _("法制审核员"),
    INSPECTOR: _("纪检监察员"),
    APPRAISER: _("考评办"),
    ADMINISTRATOR: _("系统管理员"),
    INTEGRATOR: _("接口调用方"),
}
ALL_ROLES = list(ROLE_LABELS)


def roles_of(user) -> set[str]:
    """The role names a user holds (cached on the user object for the request)."""
    if user is None or not user.is_authenticated:
        return set()
    cached = getattr(user, "_portal_roles", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))
        if user.is_superuser:
            cached.add(ADMINISTRATOR)
        user._portal_roles = cached
    return cached


def has_role(user, *roles: str) -> bool:
    """True when the user holds any of ``roles``."""
    return bool(roles_of(user) & set(roles))


def department_of(user):
    """The department a staff user works in, or None."""
    if user is None or not user.is_authenticated:
        return None
    profile = getattr(user, "staff_profile", None)
    return profile.department if profile else None
