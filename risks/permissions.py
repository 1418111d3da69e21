"""Who may do what in the risks app: one ``can_<verb>(user, obj)`` per verb.

The verbs in ``risks.services`` call these to refuse (PermissionDenied); pages, the API and
templates call them to decide what to show. The state of the object is the verb's business
(TransitionError), not these functions'.
"""

from portal.roles import ADMINISTRATOR, DEPT_HANDLER, DEPT_HEAD, INSPECTOR, department_of, has_role

from .choices import AWAITING_RECTIFICATION, EDITABLE_STATUSES, OrderStatus, RiskPointStatus, WarningStatus


def is_office(user) -> bool:
    """The discipline inspection office (纪检监察) — and administrators acting for it."""
    return has_role(user, INSPECTOR, ADMINISTRATOR)


def is_staff_of(user, department) -> bool:
    return (
        has_role(user, DEPT_HANDLER, DEPT_HEAD)
        and department is not None
        and department_of(user) == department
    )


# --- risk points --------------------------------------------------------------------------------


def can_declare(user, department) -> bool:
    """Department staff declare risk points of their own department (查点)."""
    return is_staff_of(user, department) or has_role(user, ADMINISTRATOR)


def can_edit(user, point) -> bool:
    return point.status in EDITABLE_STATUSES and can_declare(user, point.department)


def can_submit(user, point) -> bool:
    return point.status in EDITABLE_STATUSES and can_declare(user, point.department)


def can_confirm(user, point) -> bool:
    return point.status == RiskPointStatus.SUBMITTED and is_office(user)


def can_return(user, point) -> bool:
    return can_confirm(user, point)


def can_revise(user, point) -> bool:
    return point.status == RiskPointStatus.CONFIRMED and can_declare(user, point.department)


def can_adjust_scores(user, point) -> bool:
    """The inspection office adjusts a department's scores, with a reason."""
    return is_office(user)


def can_change_matrix(user, matrix=None) -> bool:
    """The matrix is data an administrator edits."""
    return has_role(user, ADMINISTRATOR)


def can_acknowledge_list(user, post) -> bool:
    """A civil servant acknowledges the risk list of a post they hold."""
    profile = getattr(user, "staff_profile", None) if user is not None and user.is_authenticated else None
    return profile is not None and profile.posts.filter(pk=post.pk).exists()


# --- the warning loop ---------------------------------------------------------------------------


def can_submit_self_review(user, review) -> bool:
    """The department's own staff report its quarterly self-review (自查)."""
    return is_staff_of(user, review.department)


def can_review_self_review(user, review) -> bool:
    """The office accepts a self-review or sends it back."""
    return is_office(user)


def can_record_information(user, obj=None) -> bool:
    return is_office(user)


def can_assess_information(user, information) -> bool:
    return is_office(user)


def can_issue_warning(user, information) -> bool:
    return is_office(user)


def can_acknowledge_warning(user, warning) -> bool:
    if warning.status != WarningStatus.ISSUED:
        return False
    if warning.person_id is not None:
        return warning.person_id == getattr(user, "pk", None)
    return is_staff_of(user, warning.department)


def can_issue_order(user, information) -> bool:
    return is_office(user)


def can_answer_order(user, order) -> bool:
    """The addressed department answers with its rectification."""
    return order.status in AWAITING_RECTIFICATION and is_staff_of(user, order.department)


def can_verify_order(user, order) -> bool:
    return order.status == OrderStatus.ANSWERED and is_office(user)


# --- the integrity file -------------------------------------------------------------------------


def can_view_integrity_file(user, person) -> bool:
    """Only the inspection office and the person themselves — not colleagues, not the department head,
    unless the office has shared this file with that viewer (``IntegrityFileShare``)."""
    if user is None or not user.is_authenticated:
        return False
    if is_office(user) or user.pk == person.pk:
        return True
    from .models import IntegrityFileShare

    return IntegrityFileShare.objects.filter(person=person, viewer=user).exists()


# --- pages (views use the same role tuples; menus and links ask these) ----------------------------

IMPORT_ROLES = (DEPT_HANDLER, DEPT_HEAD)
MANAGE_ROLES = (DEPT_HANDLER, DEPT_HEAD, ADMINISTRATOR, INSPECTOR)
OFFICE_PAGE_ROLES = (INSPECTOR, ADMINISTRATOR)


def can_import(user) -> bool:
    """Excel 导入 of risk points: department staff (the rows go to their own department)."""
    return has_role(user, *IMPORT_ROLES)


def can_open_manage(user) -> bool:
    """查点工作台 (risks:manage)."""
    return has_role(user, *MANAGE_ROLES)


def can_open_office(user) -> bool:
    """廉政风险防控 office pages (risks:office)."""
    return has_role(user, *OFFICE_PAGE_ROLES)
