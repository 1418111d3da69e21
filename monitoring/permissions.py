"""Who may do what in monitoring: the roles of its pages, and one function per verb, written once.

The verbs (monitoring.services: alerts, supervision, rules) refuse through ``is_inspector`` and ``can_answer``; the
detail pages offer an action form when its ``can_<verb>(user, obj)`` says yes (who, and the alert's
or notice's present state); templates ask through portal's ``{% can %}`` tag.
"""

from portal.roles import ADMINISTRATOR, DEPT_HANDLER, DEPT_HEAD, INSPECTOR, department_of, has_role

from .choices import AWAITING_ANSWER_STATUSES, UNRESOLVED_STATES, AlertState, NoticeStatus

# The dashboard, alerts, accountability and issuing notices: discipline inspectors and administrators.
INSPECTOR_ROLES = (INSPECTOR, ADMINISTRATOR)
# Supervision notices: inspectors all; a department's head and handlers those addressed to it.
NOTICE_ROLES = (INSPECTOR, ADMINISTRATOR, DEPT_HEAD, DEPT_HANDLER)


def is_inspector(user) -> bool:
    """A discipline inspector or an administrator: handles alerts, issues and reviews notices."""
    return has_role(user, *INSPECTOR_ROLES)


def can_open_dashboard(user) -> bool:
    """电子监察: the dashboard, the alert list and accountability."""
    return is_inspector(user)


def can_open_alerts(user) -> bool:
    """The alert list and the accountability records (INSPECTOR_ROLES, like their views)."""
    return is_inspector(user)


def can_open_notices(user) -> bool:
    """督办件: the notice list (each user sees what ``SupervisionNotice.objects.visible_to`` allows)."""
    return has_role(user, *NOTICE_ROLES)


# --- alerts ---------------------------------------------------------------------------------------


def can_acknowledge(user, alert) -> bool:
    return is_inspector(user) and alert.state == AlertState.OPEN


def can_resolve(user, alert) -> bool:
    return is_inspector(user) and alert.state in UNRESOLVED_STATES


can_dismiss = can_resolve


def can_notify(user, alert) -> bool:
    """Issue a supervision notice (督办) about an alert."""
    return is_inspector(user) and alert.state != AlertState.DISMISSED


def can_issue_notice(user) -> bool:
    """Issue a notice that no alert led to."""
    return is_inspector(user)


def can_record_accountability(user, subject=None) -> bool:
    return is_inspector(user)


# --- supervision notices ------------------------------------------------------------------------


def is_addressee(user, notice) -> bool:
    """The head or a handler of the department the notice is addressed to (the answer verb's rule)."""
    department = department_of(user)
    return (
        has_role(user, DEPT_HEAD, DEPT_HANDLER)
        and department is not None
        and department.pk == notice.department_id
    )


def can_answer(user, notice) -> bool:
    """整改答复, while an answer is awaited."""
    return notice.status in AWAITING_ANSWER_STATUSES and is_addressee(user, notice)


def can_close(user, notice) -> bool:
    return is_inspector(user) and notice.status == NoticeStatus.ANSWERED


can_return = can_close


def can_withdraw(user, notice) -> bool:
    return is_inspector(user) and notice.status in AWAITING_ANSWER_STATUSES


# --- anomaly rules --------------------------------------------------------------------------------


def can_configure_rule(user, rule=None) -> bool:
    """Switch an anomaly rule on or off, or set its alert level: administrators (the admin site)."""
    return has_role(user, ADMINISTRATOR)
